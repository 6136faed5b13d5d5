package io.panrec.models.behaviour;

import io.panrec.autograd.Autograd;
import io.panrec.models.onnx.OnnxExportable;
import io.panrec.models.onnx.OnnxGraph;
import io.panrec.models.spi.Batch;
import io.panrec.models.spi.AbstractModelProvider;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.EmbeddingRecommender;
import io.panrec.models.spi.Family;
import io.panrec.models.spi.Setting;
import io.panrec.models.spi.Settings;
import io.panrec.models.train.TrainingPlan;
import io.panrec.models.train.TrainingSettings;
import io.panrec.nn.Activation;
import io.panrec.nn.Conv2d;
import io.panrec.nn.Embedding;
import io.panrec.nn.EmbeddingBag;
import io.panrec.nn.Init;
import io.panrec.nn.Linear;
import io.panrec.nn.MLP;
import io.panrec.nn.MaxPool2d;
import io.panrec.nn.Module;
import io.panrec.ops.Elementwise;
import io.panrec.ops.Linalg;
import io.panrec.ops.Pooling;
import io.panrec.ops.Reductions;
import io.panrec.ops.Shapes;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A two-tower retrieval model trained contrastively: X. Yi, J. Yang, L. Hong, D. Z. Cheng, L. Heldt,
 * A. Kumthekar, Z. Zhao, L. Wei, E. Chi, "Sampling-Bias-Corrected Neural Modeling for Large Corpus Item
 * Recommendations", RecSys 2019 (in-batch softmax with the log-Q popularity correction; the InfoNCE loss
 * of A. van den Oord, Y. Li, O. Vinyals, "Representation Learning with Contrastive Predictive Coding",
 * 2018). The towers never see each other's input, so item vectors can be indexed once and users matched
 * by nearest-neighbour search.
 *
 * <p>Shapes, for B rows, d = {@code embeddingSize}, G = {@code genreVocabulary}:
 * <ul>
 *   <li>user tower: pooled history ({@code EmbeddingBag(N, d, pooling)} over the user's items, {@code [B, d]}) and the
 *       user id embedding {@code [B, d]} -> MLP ({@code layers}, ReLU) -> {@code [B, d]};</li>
 *   <li>item tower: item id embedding {@code [B, d]}, mean genre embedding {@code [B, d]} and, with {@code itemCnn},
 *       a CNN over the item's feature map -> MLP -> {@code [B, d]};</li>
 *   <li>the item feature map ({@code itemCnn}): {@code [B, 1, G, d]}, row g the embedding of genre g where the item has
 *       it and zeros elsewhere (genres keep their rows, so the kernels see the same genre at the same place);
 *       {@code Conv2d(1, channels, 3, padding 1)} -> ReLU -> {@code MaxPool2d(2)} -> flatten -> {@code Linear -> [B, d]};</li>
 *   <li>score: {@code cos(u, v) / temperature} (or the dot product with {@code normalize=false}).</li>
 * </ul>
 *
 * <p>Training (plain batches: {@code users [B]}, {@code items [B]}): the user tower sees the items the user had
 * before the positive; every other row's item is a negative; loss {@link Contrastive#infoNce} with
 * {@code log q(i)} = log of the item's share of the training interactions (how often the in-batch sampler
 * draws it). At prediction time the history is the user's latest {@code historyLength} training items.
 *
 * <p>ONNX export ({@link OnnxExportable}): three graphs, one file each ({@code panrec export --graph}):
 * {@code user-tower}: {@code users int64 [batch]}, {@code history int64 [batch, history_slots]},
 * {@code history_lengths int64 [batch]} (the user's latest items, right-padded) -> {@code user_vectors [batch, d]};
 * {@code item-tower}: {@code items int64 [batch]} -> {@code item_vectors [batch, d]} (the items' genres are an
 * initializer, {@code genres.counts [N, G]}; with {@code itemCnn} the CNN branch is Conv, Relu, MaxPool, Gemm);
 * {@code scores}: all four inputs -> {@code scores [batch]}, the dot product of the two, as {@code predict}.
 *
 * <p>Defaults: untuned; on MovieLens-100K leave-one-out against 99 sampled negatives 6 epochs reach HR@10 0.688,
 * NDCG@10 0.431 (BPRMF 0.624 / 0.354, Pop 0.407 / 0.229; {@code bench/results/behaviour.md}).
 */
public final class TwoTower extends BehaviourModel implements EmbeddingRecommender, io.panrec.models.onnx.TowerExportable {
    public static final String NAME = "TwoTower";

    final Net net;
    private final int d;
    private final float temperature;
    private final boolean normalize;
    /** The Lp exponent of the history pooling (pooling=lp), kept for the ONNX export. */
    private final float historyP;
    private UserHistories countedFrom;
    private double[] logQ;

    /** Parameter names: {@code history.weight}, {@code users.weight}, {@code userTower.*}, {@code items.weight}, {@code genres.weight}, {@code conv.*}, {@code cnnOut.*}, {@code itemTower.*}. */
    static final class Net extends Module {
        final EmbeddingBag history;
        final Embedding users;
        final MLP userTower;
        final Embedding items;
        final EmbeddingBag genres;
        final Conv2d conv;
        final MaxPool2d pool;
        final Linear cnnOut;
        final MLP itemTower;

        Net(int numUsers, int numItems, int genreVocabulary, int d, int[] hidden, Pooling.Mode mode, float p, boolean cnn, int channels,
            double std, SplittableRandom random) {
            history = registerModule("history", new EmbeddingBag(numItems, d, mode, p, false, random));
            users = registerModule("users", new Embedding(numUsers, d, -1, false, random));
            userTower = registerModule("userTower", new MLP(widths(2 * d, hidden, d), Activation.RELU, 0f, false, random));
            items = registerModule("items", new Embedding(numItems, d, -1, false, random));
            genres = registerModule("genres", new EmbeddingBag(genreVocabulary, d, Pooling.Mode.MEAN, false, random));
            Init.normal(history.weight(), 0, std, random);
            Init.normal(users.weight(), 0, std, random);
            Init.normal(items.weight(), 0, std, random);
            Init.normal(genres.weight(), 0, std, random);
            if (cnn) {
                conv = registerModule("conv", new Conv2d(1, channels, 3, 1, 1, random));
                pool = registerModule("pool", new MaxPool2d(2));
                cnnOut = registerModule("cnnOut", new Linear(channels * (genreVocabulary / 2) * (d / 2), d, random));
            } else {
                conv = null;
                pool = null;
                cnnOut = null;
            }
            itemTower = registerModule("itemTower", new MLP(widths((cnn ? 3 : 2) * d, hidden, d), Activation.RELU, 0f, false, random));
        }

        private static int[] widths(int in, int[] hidden, int out) {
            int[] w = new int[hidden.length + 2];
            w[0] = in;
            System.arraycopy(hidden, 0, w, 1, hidden.length);
            w[w.length - 1] = out;
            return w;
        }
    }

    TwoTower(Settings settings, DatasetSchema schema) {
        super(NAME, settings, schema);
        this.d = positive(settings, "embeddingSize");
        this.temperature = (float) settings.getDouble("temperature");
        if (!(temperature > 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException(NAME + " setting 'temperature' must be positive and finite, got " + temperature);
        }
        this.normalize = settings.getBoolean("normalize");
        boolean cnn = settings.getBoolean("itemCnn");
        int channels = positive(settings, "channels");
        if (cnn && (genreVocabulary < 2 || d < 2)) {
            throw new IllegalArgumentException(NAME + ": itemCnn needs genreVocabulary and embeddingSize of at least 2 (the 2x2 max-pool)");
        }
        Pooling.Mode mode = pooling(settings);
        float p = lpNorm(settings, mode);
        this.historyP = p;
        double std = nonNegative(settings, "initStd");
        SplittableRandom random = new SplittableRandom(settings.getLong(TrainingSettings.SEED));
        this.net = net(new Net(schema.numUsers(), schema.numItems(), genreVocabulary, d, widths(settings, "layers"), mode, p, cnn, channels,
                std, random));
    }

    /** Registered in {@code META-INF/services}. */
    public static final class Provider extends AbstractModelProvider {
        public Provider() {
            super(NAME, Family.GENERAL, "two-tower retrieval (user: pooled history + id; item: id + genres, optionally a CNN over its genre map) "
                    + "trained with in-batch InfoNCE and the log-Q popularity correction (Yi et al. 2019)",
                    TwoTower::new);
        }

        @Override
        public List<Setting> defaults() {
            List<Setting> s = new ArrayList<>();
            s.add(Setting.of("embeddingSize", 64, "d: width of the embeddings and of the user and item vectors"));
            s.add(Setting.of("historyLength", 50, "L: the user's latest training items pooled in the user tower (time order)"));
            s.add(Setting.of("pooling", "mean", "pooling of the history embeddings: mean, max, lp (see lpNorm) or sum; masked to each length"));
            s.add(Setting.of("lpNorm", 3.0, "p of pooling=lp"));
            s.add(Setting.of("genreVocabulary", 32, "size of the genre embedding table (and rows of the item feature map): at least "
                    + "the catalog's number of genres"));
            s.add(Setting.ofInts("layers", List.of(128), "hidden widths of each tower's ReLU MLP (an output of width embeddingSize is added)"));
            s.add(Setting.of("itemCnn", false, "add a Conv2D + max-pool + dense branch over the item's [genres x d] feature map "
                    + "to the item tower"));
            s.add(Setting.of("channels", 4, "output channels of the item CNN's 3x3 convolution"));
            s.add(Setting.of("temperature", 0.1, "tau: logits are similarity / tau"));
            s.add(Setting.of("normalize", true, "L2-normalise both towers' outputs (cosine similarity)"));
            s.add(Setting.of("initStd", 0.05, "standard deviation of the normal initialisation of the embedding tables"));
            s.addAll(TrainingSettings.gradient(20, 512, "adam", 0.001, 0.0));
            s.add(TrainingSettings.seed(2019));
            return s;
        }
    }

    @Override
    TrainingPlan.Sampling sampling() {
        return TrainingPlan.Sampling.PLAIN;
    }

    /** User tower over users with histories: {@code [B, d]} (normalised when {@code normalize}). */
    Tensor userVectors(long[] users, Bag history) {
        Tensor h = net.history.forward(history.idsTensor(device()), history.lengthsTensor(device()));
        Tensor u = net.userTower.forward(Shapes.concat(1, h, net.users.forward(onDevice(Tensor.ofLongs(users)))));
        return normalize ? Reductions.normalize(u, 1, 1e-12f) : u;
    }

    /** Item tower: {@code [items.length, d]} (normalised when {@code normalize}). */
    Tensor itemVectors(long[] items) {
        Bag g = genres.ofItems(items);
        Tensor ids = onDevice(Tensor.ofLongs(items));
        Tensor e = net.items.forward(ids);
        Tensor gp = net.genres.forward(g.idsTensor(device()), g.lengthsTensor(device()));
        Tensor x = net.conv == null ? Shapes.concat(1, e, gp) : Shapes.concat(1, e, gp, cnn(items));
        Tensor v = net.itemTower.forward(x);
        return normalize ? Reductions.normalize(v, 1, 1e-12f) : v;
    }

    /** The CNN branch: feature map {@code [B, 1, G, d]} -> conv -> ReLU -> max-pool -> flatten -> {@code [B, d]}. */
    Tensor cnn(long[] items) {
        int b = items.length;
        Tensor multiHot = Shapes.unsqueeze(onDevice(genres.multiHot(items, genreVocabulary)), 2);          // [B, G, 1]
        Tensor map = Elementwise.mul(multiHot, Shapes.unsqueeze(net.genres.weight(), 0));        // [B, G, d]
        Tensor y = net.pool.forward(Elementwise.relu(net.conv.forward(Shapes.unsqueeze(map, 1)))); // [B, C, G/2, d/2]
        return net.cnnOut.forward(Shapes.reshape(y, b, y.shape(1) * y.shape(2) * y.shape(3)));
    }

    private double[] logQ(long[] items) {
        UserHistories h = histories;
        if (countedFrom != h) {
            long[] counts = h.itemCounts();
            double total = Math.max(1, h.total());
            double[] lq = new double[counts.length];
            for (int i = 0; i < counts.length; i++) {
                lq[i] = Math.log(Math.max(counts[i], 1) / total);
            }
            logQ = lq;
            countedFrom = h;
        }
        double[] out = new double[items.length];
        for (int r = 0; r < items.length; r++) {
            out[r] = logQ[(int) items[r]];
        }
        return out;
    }

    @Override
    public Tensor calculateLoss(Batch batch) {
        long[] users = users(batch);
        long[] items = items(batch);
        Tensor u = userVectors(users, histories.before(users, items, historyLength));
        Tensor v = itemVectors(items);
        return Contrastive.infoNce(u, v, items, logQ(items), temperature, false);
    }

    /** {@code users [B]}, {@code items [B]} -> {@code [B]}: {@code u . v} (the cosine with {@code normalize}). */
    @Override
    public Tensor predict(Batch batch) {
        long[] users = users(batch);
        long[] items = items(batch);
        return Linalg.rowDot(userVectors(users, histories.recent(users, historyLength)), itemVectors(items));
    }

    /** {@code users [U]} -> {@code [U, N]}: {@code U V^T} over every item's vector. */
    @Override
    public Tensor fullSortPredict(Tensor users) {
        long[] ids = fullSortUsers(users);
        return userVectors(ids, histories.recent(ids, historyLength)).matmul(allItems().t());
    }

    private Tensor allItems() {
        long[] all = new long[schema.numItems()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        return itemVectors(all);
    }

    @Override
    public int onnxVectorWidth() {
        return d;
    }

    @Override
    public String onnxScoresMeaning() {
        return normalize ? "cosine of the user and item vectors (not divided by the temperature)"
                : "dot product of the user and item vectors";
    }

    /** {@link #userVectors} as ONNX nodes: users, history, history_lengths -> {@code [B, d]}. */
    @Override
    public String onnxUserTower(OnnxGraph g) {
        String users = g.input("users", OnnxGraph.INT64, OnnxGraph.BATCH);
        String[] history = onnxHistory(g);
        String h = g.embeddingBag("history", net.history, historyP, history[0], history[1]);
        String u = g.mlp("userTower", net.userTower, g.concat(1, h, g.embedding("users", net.users, users)));
        return normalize ? g.l2Normalize(u, 1e-12f) : u;
    }

    /** {@link #itemVectors(long[])} as ONNX nodes: items -> {@code [B, d]}. */
    @Override
    public String onnxItemTower(OnnxGraph g) {
        String items = g.input("items", OnnxGraph.INT64, OnnxGraph.BATCH);
        String counts = g.gather(onnxGenreCounts(g), items, 0);                                  // [B, G]
        String table = g.initializer("genres.weight", net.genres.weight());                      // [G, d]
        // the mean of the genre bag's rows: their sum times 1 / max(count, 1), as the masked mean pools it
        String gp = g.mul(g.matmul(counts, table), g.div(g.constant(1f), g.max(g.reduceSum(counts, true, 1), g.constant(1f))));
        String e = g.embedding("items", net.items, items);
        String x;
        if (net.conv == null) {
            x = g.concat(1, e, gp);
        } else {
            // the feature map [B, 1, G, d]: genre g's embedding where the item has it (multi-hot = min(count, 1))
            String multiHot = g.unsqueeze(g.min(counts, g.constant(1f)), 2);
            String map = g.unsqueeze(g.mul(multiHot, table), 1);
            String y = g.maxPool2d(g.activation(io.panrec.nn.Activation.RELU, g.conv2d("conv", net.conv, map)), 2, 2, 0); // Net's MaxPool2d(2)
            x = g.concat(1, e, gp, g.linear("cnnOut", net.cnnOut, g.reshape(y, 0, -1)));
        }
        String v = g.mlp("itemTower", net.itemTower, x);
        return normalize ? g.l2Normalize(v, 1e-12f) : v;
    }

    @Override
    public int dimension() {
        return d;
    }

    @Override
    public float[] userVector(int user) {
        if (user < 0 || user >= schema.numUsers()) {
            throw new IllegalArgumentException(NAME + ".userVector: user " + user + " outside [0, " + schema.numUsers() + ")");
        }
        try (var _ = Autograd.noGrad(); var _ = Scope.open("userVector")) {
            long[] u = {user};
            return userVectors(u, histories.recent(u, historyLength)).contiguous().toFloatArray();
        }
    }

    /** The item tower's output for every item, {@code [N, d]} row-major. */
    @Override
    public float[] itemVectors() {
        try (var _ = Autograd.noGrad(); var _ = Scope.open("itemVectors")) {
            return allItems().contiguous().toFloatArray();
        }
    }
}
