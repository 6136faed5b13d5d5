package io.panrec.models.sequential;

import io.panrec.models.data.Interactions;
import io.panrec.models.data.Sessions;
import io.panrec.models.spi.Batch;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.Settings;
import io.panrec.models.train.Trainable;
import io.panrec.models.train.TrainingPlan;
import io.panrec.models.train.TrainingSettings;
import io.panrec.nn.Module;
import io.panrec.ops.Checks;
import io.panrec.ops.Linalg;
import io.panrec.tensor.DType;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;

import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.Objects;

/**
 * What the sequence models of this package share: the {@link SequentialRecommender} contract on top of
 * {@link #encode} (a sequence to a vector {@code [B, D]}) and an output item table ({@code [N, D]},
 * optionally with a bias per item), and a kept copy of each training user's most recent items, so that
 * the user-indexed methods of {@link io.panrec.models.spi.Recommender} work too.
 *
 * <p><b>Kept histories.</b> {@link #beforeTraining} stores the last {@code maxLength} training items
 * of every user (for session data: of every training session) in the buffers {@code history.items}
 * {@code [U, maxLength] I32} and {@code history.lengths} {@code [U] I32}, saved with the model.
 * {@link #predict} without {@link Batch#SEQUENCES} and {@link #fullSortPredict(Tensor)} score from
 * them; a user without kept items is an error that says to pass the sequence.
 */
abstract class SequenceModel extends Module implements SequentialRecommender, Trainable {
    protected final String name;
    protected final Settings settings;
    protected final DatasetSchema schema;
    protected final int maxLength;
    private final Tensor historyItems;
    private final Tensor historyLengths;
    private final io.panrec.models.train.ParameterDevice parameterDevice = new io.panrec.models.train.ParameterDevice(this);

    SequenceModel(String name, Settings settings, DatasetSchema schema, int maxLength) {
        this.name = name;
        this.settings = Objects.requireNonNull(settings, "settings");
        if (!settings.owner().equals(name)) {
            throw new IllegalArgumentException(name + " cannot be built from the settings of " + settings.owner()
                    + "; start from " + name + "'s defaults (ModelProvider.defaultSettings())");
        }
        this.schema = Objects.requireNonNull(schema, "schema");
        if (maxLength < 1) {
            throw new IllegalArgumentException(name + ": the sequence length must be at least 1, got " + maxLength);
        }
        this.maxLength = maxLength;
        this.historyItems = registerBuffer("historyItems", Tensor.zeros(Scope.global(), DType.I32, schema.numUsers(), maxLength));
        this.historyLengths = registerBuffer("historyLengths", Tensor.zeros(Scope.global(), DType.I32, schema.numUsers()));
    }

    /**
     * {@code t} on the device of the parameters ({@code Module.to}; itself on the host): the ids, masks and
     * states the models assemble in Java go there before they meet a parameter, since the ops never move data.
     */
    protected final Tensor onDevice(Tensor t) {
        return t.to(parameterDevice.get());
    }

    /** A positive int setting. */
    static int positive(Settings s, String key) {
        int v = s.getInt(key);
        if (v < 1) {
            throw new IllegalArgumentException(s.owner() + " setting '" + key + "' must be at least 1, got " + v);
        }
        return v;
    }

    /** A double setting in [lo, hi). */
    static double inRange(Settings s, String key, double lo, double hi) {
        double v = s.getDouble(key);
        if (!(v >= lo && v < hi)) {
            throw new IllegalArgumentException(s.owner() + " setting '" + key + "' must be in [" + lo + ", " + hi + "), got " + v);
        }
        return v;
    }

    /**
     * The sequence representation: {@code sequences [B, L] I64} (items in [0, N), checked),
     * {@code lengths [B]} (in [1, L], checked) -> {@code [B, D]}.
     */
    abstract Tensor encode(Tensor sequences, long[] lengths);

    /** The output item table {@code [N, D]}. */
    abstract Tensor outputItems();

    /** The output bias {@code [N]}, or null for none. */
    Tensor outputBias() {
        return null;
    }

    @Override
    public int maxLength() {
        return maxLength;
    }

    @Override
    public Settings settings() {
        return settings;
    }

    @Override
    public DatasetSchema schema() {
        return schema;
    }

    @Override
    public TrainingPlan trainingPlan() {
        return TrainingSettings.plan(settings, TrainingPlan.Sampling.MODEL);
    }

    @Override
    public void setTraining(boolean training) {
        train(training);
    }

    @Override
    public void loadState(Map<String, Tensor> state) {
        loadStateDict(state);
    }

    /** Keeps each user's most recent training items (see the class comment). */
    @Override
    public void beforeTraining(Interactions train) {
        if (train.numUsers() != schema.numUsers() || train.numItems() != schema.numItems()) {
            throw new IllegalArgumentException(name + " was built for " + schema.numUsers() + " users and " + schema.numItems()
                    + " items, the training data has " + train.numUsers() + " and " + train.numItems());
        }
        int[][] seqs = Sessions.sequences(train);
        var items = historyItems.dataSegment();
        var lengths = historyLengths.dataSegment();
        for (int u = 0; u < seqs.length; u++) {
            int[] s = seqs[u];
            int l = Math.min(s.length, maxLength);
            for (int j = 0; j < maxLength; j++) {
                items.setAtIndex(ValueLayout.JAVA_INT, (long) u * maxLength + j, j < l ? s[s.length - l + j] : 0);
            }
            lengths.setAtIndex(ValueLayout.JAVA_INT, u, l);
        }
    }

    // ------------------------------------------------------------------ scoring

    /**
     * Scores of (sequence or user, item) pairs: {@code items [B]} with either {@code sequences [B, L]} and
     * {@code lengths [B]}, or {@code users [B]} whose kept histories are used -> {@code [B]}.
     */
    @Override
    public Tensor predict(Batch batch) {
        Batch seqs = batch.has(Batch.SEQUENCES) ? batch : historyBatch(checkedUsers(name + ".predict", batch.get(Batch.USERS)));
        long[] items = Checks.indexRange(name + ".predict items", batch.get(Batch.ITEMS), schema.numItems());
        Tensor rep = representation(seqs);
        Tensor itemIds = Tensor.ofLongs(items);
        Tensor scores = Linalg.rowDot(rep, io.panrec.ops.Indexing.gatherRows(outputItems(), itemIds));
        Tensor bias = outputBias();
        return bias == null ? scores : scores.add(io.panrec.ops.Indexing.gatherRows(bias.unsqueeze(1), itemIds).reshape(items.length));
    }

    /** {@code users [U]} -> {@code [U, N]}, from the users' kept histories. */
    @Override
    public Tensor fullSortPredict(Tensor users) {
        Checks.indices(name + ".fullSortPredict", users);
        Checks.rank(name + ".fullSortPredict", "users", users, 1);
        return fullSortPredict(historyBatch(checkedUsers(name + ".fullSortPredict", users)));
    }

    @Override
    public Tensor fullSortPredict(Batch sequences) {
        Tensor scores = representation(sequences).matmul(outputItems().t());
        Tensor bias = outputBias();
        return bias == null ? scores : scores.add(bias.unsqueeze(0));
    }

    /** The checked, cut sequences of a batch, encoded: [B, D]. */
    Tensor representation(Batch batch) {
        Tensor seq = batch.get(Batch.SEQUENCES);
        long[] lengths = Checks.indexRange(name + " lengths", batch.get(Batch.LENGTHS), (long) seq.shape(1) + 1);
        int b = seq.shape(0);
        int l = seq.shape(1);
        long[] ids = seq.contiguous().toLongArray();
        int width = Math.min(l, maxLength);
        long[] cut = new long[b * width];
        long[] cutLengths = new long[b];
        for (int r = 0; r < b; r++) {
            int len = (int) lengths[r];
            if (len < 1) {
                throw new IllegalArgumentException(name + ": sequence " + r + " is empty (lengths must be in [1, " + l
                        + "]); a model needs at least one item to predict the next");
            }
            int keep = Math.min(len, width);
            for (int j = 0; j < keep; j++) {
                long item = ids[r * l + len - keep + j];
                if (item < 0 || item >= schema.numItems()) {
                    throw new IllegalArgumentException(name + ": item " + item + " at sequence " + r + ", position " + (len - keep + j)
                            + " is outside [0, " + schema.numItems() + ")");
                }
                cut[r * width + j] = item;
            }
            cutLengths[r] = keep;
        }
        return encode(Tensor.ofLongs(cut, b, width), cutLengths);
    }

    private long[] checkedUsers(String op, Tensor users) {
        return Checks.indexRange(op + " users", users, schema.numUsers());
    }

    /** A batch of the kept histories of {@code users}. */
    Batch historyBatch(long[] users) {
        var items = historyItems.dataSegment();
        var lens = historyLengths.dataSegment();
        long[] seq = new long[users.length * maxLength];
        long[] lengths = new long[users.length];
        for (int r = 0; r < users.length; r++) {
            int u = (int) users[r];
            int len = lens.getAtIndex(ValueLayout.JAVA_INT, u);
            if (len == 0) {
                throw new IllegalArgumentException(name + ": user " + u + " has no kept training items to predict from; pass the "
                        + "user's items as sequences [B, L] and lengths [B] (Batch.SEQUENCES, Batch.LENGTHS)");
            }
            for (int j = 0; j < len; j++) {
                seq[r * maxLength + j] = items.getAtIndex(ValueLayout.JAVA_INT, (long) u * maxLength + j);
            }
            lengths[r] = len;
        }
        return new Batch().put(Batch.SEQUENCES, Tensor.ofLongs(seq, users.length, maxLength)).put(Batch.LENGTHS, Tensor.ofLongs(lengths));
    }

    @Override
    public String toString() {
        return settings + "\n" + super.toString();
    }
}
