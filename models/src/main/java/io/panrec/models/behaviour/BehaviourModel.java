package io.panrec.models.behaviour;

import io.panrec.models.data.Interactions;
import io.panrec.models.data.ItemCatalog;
import io.panrec.models.spi.Batch;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.Recommender;
import io.panrec.models.spi.Settings;
import io.panrec.models.spi.UsesItemCatalog;
import io.panrec.models.train.HoldsNetwork;
import io.panrec.models.train.ParameterDevice;
import io.panrec.models.train.Trainable;
import io.panrec.models.train.TrainingPlan;
import io.panrec.models.train.TrainingSettings;
import io.panrec.nn.Module;
import io.panrec.ops.Checks;
import io.panrec.ops.Pooling;
import io.panrec.tensor.Device;
import io.panrec.tensor.Tensor;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What the models of this package share: a network ({@link Module}) over user behaviour, the users'
 * time-ordered training histories ({@link UserHistories}) and the items' genres ({@link ItemGenres}).
 * Both are part of the state ({@code history.offsets}, {@code history.items}, {@code genres.offsets},
 * {@code genres.ids}, beside the network's parameters), whose sizes depend on the data: that is why the
 * model holds its network rather than being one (a module's state has fixed shapes).
 *
 * <p>The histories are taken from the training interactions in {@link #beforeTraining}; the genres
 * from the catalog in {@link #useItemCatalog} (optional: without it every item has no genre).
 */
abstract class BehaviourModel implements Recommender, Trainable, UsesItemCatalog, HoldsNetwork {
    static final String HISTORY_OFFSETS = "history.offsets";
    static final String HISTORY_ITEMS = "history.items";
    static final String GENRE_OFFSETS = "genres.offsets";
    static final String GENRE_IDS = "genres.ids";

    protected final String name;
    protected final Settings settings;
    protected final DatasetSchema schema;
    protected final int historyLength;
    protected final int genreVocabulary;
    private Module net;
    private ParameterDevice netDevice;
    protected volatile UserHistories histories;
    protected volatile ItemGenres genres;

    BehaviourModel(String name, Settings settings, DatasetSchema schema) {
        this.name = name;
        this.settings = checkOwner(name, settings);
        this.schema = Objects.requireNonNull(schema, "schema");
        this.historyLength = positive(settings, "historyLength");
        this.genreVocabulary = positive(settings, "genreVocabulary");
        this.histories = UserHistories.empty(schema.numUsers(), schema.numItems());
        this.genres = ItemGenres.empty(schema.numItems());
    }

    /** Sets the network whose parameters are trained (called once by the subclass constructor). */
    protected final <M extends Module> M net(M module) {
        if (net != null) {
            throw new IllegalStateException(name + ": the network is already set");
        }
        net = module;
        netDevice = new ParameterDevice(module);
        return module;
    }

    /** The network: {@link io.panrec.models.train.Trainer#moveTo} moves it; histories and genres stay on the host. */
    @Override
    public Module network() {
        return net;
    }

    /**
     * Where the network's parameters are: the tensors the model assembles in Java (ids, masks, labels, genre
     * matrices) go there before they meet a parameter, since the ops never move data themselves.
     */
    protected final Device device() {
        return netDevice.get();
    }

    /** {@code t} on the network's {@link #device()} (itself on the host). */
    protected final Tensor onDevice(Tensor t) {
        return t.to(device());
    }

    /** Users, items and negatives: read in Java to look up histories and build the candidates. */
    @Override
    public java.util.Set<Batch.Key> hostBatchFields() {
        return java.util.Set.of(Batch.USERS, Batch.ITEMS, Batch.NEGATIVES);
    }

    /** What the model's batches hold. */
    abstract TrainingPlan.Sampling sampling();

    // ------------------------------------------------------------------ Trainable, UsesItemCatalog

    @Override
    public TrainingPlan trainingPlan() {
        return TrainingSettings.plan(settings, sampling());
    }

    /** Keeps the users' time-ordered training items (part of the state). */
    @Override
    public void beforeTraining(Interactions train) {
        histories = UserHistories.of(train, schema.numUsers(), schema.numItems(), name);
    }

    @Override
    public void useItemCatalog(ItemCatalog catalog) {
        genres = ItemGenres.of(Objects.requireNonNull(catalog, "catalog"), schema.numItems(), genreVocabulary, name);
    }

    // ------------------------------------------------------------------ Recommender

    @Override
    public Settings settings() {
        return settings;
    }

    @Override
    public DatasetSchema schema() {
        return schema;
    }

    @Override
    public List<Tensor> parameters() {
        return net.parameters();
    }

    @Override
    public void setTraining(boolean training) {
        net.train(training);
    }

    @Override
    public boolean isTraining() {
        return net.isTraining();
    }

    @Override
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>(net.stateDict());
        UserHistories h = histories;
        ItemGenres g = genres;
        out.put(HISTORY_OFFSETS, h.offsetsTensor());
        out.put(HISTORY_ITEMS, h.itemsTensor());
        out.put(GENRE_OFFSETS, g.offsetsTensor());
        out.put(GENRE_IDS, g.idsTensor());
        return out;
    }

    @Override
    public void loadState(Map<String, Tensor> state) {
        Objects.requireNonNull(state, "state");
        for (String key : List.of(HISTORY_OFFSETS, HISTORY_ITEMS, GENRE_OFFSETS, GENRE_IDS)) {
            if (!state.containsKey(key)) {
                throw new IllegalArgumentException(name + ".loadState: missing '" + key + "' (was the state saved from another model?)");
            }
        }
        UserHistories h = UserHistories.fromState(state.get(HISTORY_OFFSETS), state.get(HISTORY_ITEMS), schema.numUsers(),
                schema.numItems(), name);
        ItemGenres g = ItemGenres.fromState(state.get(GENRE_OFFSETS), state.get(GENRE_IDS), schema.numItems(), genreVocabulary, name);
        Map<String, Tensor> rest = new HashMap<>(state);
        rest.keySet().removeAll(List.of(HISTORY_OFFSETS, HISTORY_ITEMS, GENRE_OFFSETS, GENRE_IDS));
        net.loadStateDict(rest); // checks every entry before writing any
        histories = h;
        genres = g;
    }

    @Override
    public String toString() {
        return settings + "\n" + net;
    }

    // ------------------------------------------------------------------ helpers

    long[] users(Batch batch) {
        return Checks.indexRange(name + " users", batch.get(Batch.USERS), schema.numUsers());
    }

    long[] items(Batch batch) {
        return Checks.indexRange(name + " items", batch.get(Batch.ITEMS), schema.numItems());
    }

    long[] fullSortUsers(Tensor users) {
        Checks.indices(name + ".fullSortPredict", users);
        Checks.rank(name + ".fullSortPredict", "users", users, 1);
        return Checks.indexRange(name + ".fullSortPredict", users, schema.numUsers());
    }

    static Settings checkOwner(String name, Settings settings) {
        Objects.requireNonNull(settings, "settings");
        if (!settings.owner().equals(name)) {
            throw new IllegalArgumentException(name + " cannot be built from the settings of " + settings.owner()
                    + "; start from " + name + "'s defaults (ModelProvider.defaultSettings())");
        }
        return settings;
    }

    static int positive(Settings s, String key) {
        int v = s.getInt(key);
        if (v < 1) {
            throw new IllegalArgumentException(s.owner() + " setting '" + key + "' must be at least 1, got " + v);
        }
        return v;
    }

    static double nonNegative(Settings s, String key) {
        double v = s.getDouble(key);
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(s.owner() + " setting '" + key + "' must be finite and at least 0, got " + v);
        }
        return v;
    }

    /** Positive widths of the setting {@code key}. */
    static int[] widths(Settings s, String key) {
        int[] w = s.getInts(key);
        for (int x : w) {
            if (x < 1) {
                throw new IllegalArgumentException(s.owner() + " setting '" + key + "' must list positive widths, got "
                        + java.util.Arrays.toString(w));
            }
        }
        return w;
    }

    /** The pooling setting: {@code mean}, {@code max}, {@code lp} or {@code sum}. */
    static Pooling.Mode pooling(Settings s) {
        String v = s.getString("pooling").toLowerCase(Locale.ROOT);
        return switch (v) {
            case "mean" -> Pooling.Mode.MEAN;
            case "max" -> Pooling.Mode.MAX;
            case "lp" -> Pooling.Mode.LP;
            case "sum" -> Pooling.Mode.SUM;
            default -> throw new IllegalArgumentException(s.owner() + " setting 'pooling' must be mean, max, lp or sum, got '"
                    + s.getString("pooling") + "'");
        };
    }

    /** The Lp exponent, checked when the pooling is Lp. */
    static float lpNorm(Settings s, Pooling.Mode mode) {
        double p = s.getDouble("lpNorm");
        if (mode == Pooling.Mode.LP && !(p > 0 && Double.isFinite(p))) {
            throw new IllegalArgumentException(s.owner() + " setting 'lpNorm' must be positive and finite, got " + p
                    + " (use pooling=max for p = infinity)");
        }
        return (float) p;
    }

    // ------------------------------------------------------------------ ONNX export

    /**
     * The history inputs of an exported user tower: {@code history int64 [batch, history_slots]}, the
     * user's latest items (at most {@code historyLength}, oldest first, right-padded with anything), and
     * {@code history_lengths int64 [batch]}, each in [0, history_slots] (0 for a user without history).
     * {@code predict} uses the user's latest {@code historyLength} training items; a server may pass fresher ones,
     * at most {@code historyLength} of them (the model was trained on no more, and YouTube-DNN's dense
     * features read length / historyLength).
     *
     * @return {@code {history, history_lengths}}
     */
    String[] onnxHistory(io.panrec.models.onnx.OnnxGraph g) {
        return new String[] {g.input("history", io.panrec.models.onnx.OnnxGraph.INT64, io.panrec.models.onnx.OnnxGraph.BATCH, "history_slots"),
                g.input("history_lengths", io.panrec.models.onnx.OnnxGraph.INT64, io.panrec.models.onnx.OnnxGraph.BATCH)};
    }

    /**
     * The items' genres as the initializer {@code genres.counts float [N, G]}: how often item i lists genre
     * g (1 or 0 for a catalog's genres). A dense table, so that a graph looks an item's genres up with one
     * Gather; N * G floats (1682 x 32 for MovieLens-100K, 215 KB).
     */
    String onnxGenreCounts(io.panrec.models.onnx.OnnxGraph g) {
        ItemGenres gen = genres;
        int n = schema.numItems();
        float[] c = new float[n * genreVocabulary];
        for (int i = 0; i < n; i++) {
            for (long id : gen.of(i)) {
                c[i * genreVocabulary + (int) id] += 1f;
            }
        }
        return g.initializer("genres.counts", c, n, genreVocabulary);
    }

    /** {@code [n]} concatenated rows of {@code d} floats of a contiguous [n, d] tensor's row {@code r}. */
    static float[] row(Tensor t, int r) {
        float[] all = t.contiguous().toFloatArray();
        int d = t.shape(1);
        return java.util.Arrays.copyOfRange(all, r * d, (r + 1) * d);
    }
}
