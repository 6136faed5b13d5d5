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
import io.panrec.nn.Embedding;
import io.panrec.nn.EmbeddingBag;
import io.panrec.nn.Init;
import io.panrec.nn.MLP;
import io.panrec.nn.Module;
import io.panrec.ops.Elementwise;
import io.panrec.ops.Linalg;
import io.panrec.ops.Losses;
import io.panrec.ops.Pooling;
import io.panrec.ops.Shapes;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The candidate-generation network of P. Covington, J. Adams, E. Sargin, "Deep Neural Networks for YouTube
 * Recommendations", RecSys 2016: the embeddings of the items a user watched and of other bags (here: the
 * genres of those items) are pooled into fixed-width vectors, concatenated with dense features, and fed
 * to a ReLU MLP whose output is the user vector {@code u}; the item vectors are the weights {@code w_i}
 * of the output softmax over all items, trained with sampled softmax, and {@code score(u, i) = u . w_i}
 * (so serving is a nearest-neighbour search over the {@linkplain #itemVectors() exported item vectors}).
 *
 * <p>Shapes, for B rows, histories padded to T <= {@code historyLength}, d = {@code embeddingSize}:
 * <ul>
 *   <li>watched items {@code [B, T]} -> {@code EmbeddingBag(N, d, pooling)} -> {@code [B, d]};</li>
 *   <li>genres of the watched items, a bag {@code [B, T']} -> {@code EmbeddingBag(G, d, pooling)} -> {@code [B, d]};</li>
 *   <li>dense features {@code [B, 3]}: {@code x, x^2, sqrt(x)} of {@code x} = history length / {@code historyLength}
 *       (the paper feeds a normalised continuous feature with its square and root);</li>
 *   <li>{@code [B, 2d + 3]} -> MLP ({@code layers}, ReLU) -> linear {@code [B, d]} = u;</li>
 *   <li>output table {@code W [N, d]}: logits {@code u W^T}.</li>
 * </ul>
 * Pooling is a setting ({@code mean}, {@code max}, {@code lp} with {@code lpNorm}, or {@code sum}), masked to
 * each bag's real length, an empty bag pooling to zeros ({@link Pooling#maskedPool}).
 *
 * <p>Training (plain batches: {@code users [B]}, {@code items [B]}): the history of a positive (u, i) is
 * the last {@code historyLength} items u had before i (the paper's "predicting the next watch": the model
 * never sees the label or later items); loss = sampled softmax of i against {@code sampledNegatives} items
 * shared by the batch, drawn with probability proportional to {@code (count + 1)^samplingExponent}, with
 * the log-Q correction ({@link Losses#sampledSoftmax}) and accidental hits removed. At prediction time the
 * history is the user's latest {@code historyLength} training items.
 *
 * <p>ONNX export ({@link OnnxExportable}): three graphs, one file each ({@code panrec export --graph}):
 * {@code user-tower}: {@code history int64 [batch, history_slots]} (the user's latest items, right-padded) and
 * {@code history_lengths int64 [batch]} -> {@code user_vectors [batch, d]}, the pooling (mean, max, lp, sum)
 * masked by the lengths with ONNX ops, the watched items' genres from the initializer {@code genres.counts [N, G]},
 * the dense features from the lengths; {@code item-tower}: {@code items} -> {@code item_vectors}, rows of {@code W};
 * {@code scores}: history, lengths, items -> {@code scores [batch]} = {@code u . w_i}, as {@code predict}.
 *
 * <p>Defaults: untuned beyond a check on MovieLens-100K leave-one-out against 99 sampled negatives, where 6 epochs
 * with mean pooling reach HR@10 0.594, NDCG@10 0.334 (Pop 0.407 / 0.229; {@code bench/results/behaviour.md}).
 */
public final class YouTubeDNN extends BehaviourModel implements EmbeddingRecommender, io.panrec.models.onnx.TowerExportable {
    public static final String NAME = "YouTubeDNN";

    private final int d;
    private final int sampledNegatives;
    private final double samplingExponent;
    final Net net;
    private final SplittableRandom sampler;
    private final Pooling.Mode mode;
    private final float lp;
    private UserHistories sampledFrom;
    private double[] cumulative;
    private double[] probability;

    /** The trained network; parameter names {@code items.weight}, {@code genres.weight}, {@code tower.layers.K.*}, {@code output.weight}. */
    static final class Net extends Module {
        final EmbeddingBag items;
        final EmbeddingBag genres;
        final MLP tower;
        final Embedding output;

        Net(int numItems, int genreVocabulary, int d, int[] hidden, Pooling.Mode mode, float p, double std, SplittableRandom random) {
            items = registerModule("items", new EmbeddingBag(numItems, d, mode, p, false, random));
            genres = registerModule("genres", new EmbeddingBag(genreVocabulary, d, mode, p, false, random));
            Init.normal(items.weight(), 0, std, random);
            Init.normal(genres.weight(), 0, std, random);
            int[] widths = new int[hidden.length + 2];
            widths[0] = 2 * d + 3;
            System.arraycopy(hidden, 0, widths, 1, hidden.length);
            widths[widths.length - 1] = d;
            tower = registerModule("tower", new MLP(widths, Activation.RELU, 0f, false, random));
            output = registerModule("output", new Embedding(numItems, d, -1, false, random));
            Init.normal(output.weight(), 0, std, random);
        }
    }

    YouTubeDNN(Settings settings, DatasetSchema schema) {
        super(NAME, settings, schema);
        this.d = positive(settings, "embeddingSize");
        this.sampledNegatives = positive(settings, "sampledNegatives");
        this.samplingExponent = nonNegative(settings, "samplingExponent");
        this.mode = pooling(settings);
        this.lp = lpNorm(settings, mode);
        float p = lp;
        double std = nonNegative(settings, "initStd");
        SplittableRandom random = new SplittableRandom(settings.getLong(TrainingSettings.SEED));
        this.net = net(new Net(schema.numItems(), genreVocabulary, d, widths(settings, "layers"), mode, p, std, random));
        this.sampler = random.split();
    }

    /** Registered in {@code META-INF/services}. */
    public static final class Provider extends AbstractModelProvider {
        public Provider() {
            super(NAME, Family.GENERAL, "pooled embeddings of the watched items and their genres, an MLP and a sampled softmax over items, "
                    + "exporting item vectors for retrieval (Covington et al. 2016, YouTube DNN)",
                    YouTubeDNN::new);
        }

        @Override
        public List<Setting> defaults() {
            List<Setting> s = new ArrayList<>();
            s.add(Setting.of("embeddingSize", 64, "d: width of the item, genre and user vectors"));
            s.add(Setting.of("historyLength", 50, "L: the user's latest training items pooled into the history (time order)"));
            s.add(Setting.of("pooling", "mean", "how a bag of embeddings becomes one vector: mean, max, lp (see lpNorm) or sum; "
                    + "masked to each bag's length"));
            s.add(Setting.of("lpNorm", 3.0, "p of pooling=lp: (sum |x|^p)^(1/p) per dimension"));
            s.add(Setting.of("genreVocabulary", 32, "size of the genre embedding table: at least the catalog's number of genres"));
            s.add(Setting.ofInts("layers", List.of(256, 128), "hidden widths of the ReLU tower (the output layer of width "
                    + "embeddingSize is added)"));
            s.add(Setting.of("sampledNegatives", 256, "items drawn per batch as the negatives of the sampled softmax (shared by the rows)"));
            s.add(Setting.of("samplingExponent", 0.75, "negatives are drawn with probability ~ (training count + 1)^this "
                    + "(0: uniform); the loss subtracts log q (log-Q correction)"));
            s.add(Setting.of("initStd", 0.05, "standard deviation of the normal initialisation of the embedding tables"));
            s.addAll(TrainingSettings.gradient(20, 256, "adam", 0.001, 0.0));
            s.add(TrainingSettings.seed(2016));
            return s;
        }
    }

    @Override
    TrainingPlan.Sampling sampling() {
        return TrainingPlan.Sampling.PLAIN;
    }

    /** The user vectors of histories {@code [B, T]}: {@code [B, d]}. */
    Tensor userVectors(Bag history) {
        Tensor h = net.items.forward(history.idsTensor(device()), history.lengthsTensor(device()));       // [B, d]
        Tensor gp = pooledGenres(history);                                               // [B, d]
        return net.tower.forward(Shapes.concat(1, h, gp, denseFeatures(history)));         // [B, d]
    }

    /**
     * The genres of the watched items (a multiset bag: a genre counts once per item that has it) pooled with
     * the pooling setting, {@code [B, d]}: the same values as {@code EmbeddingBag} over that bag, computed from
     * the genre counts {@code c [B, G]} so that the bag is never materialised ({@code [B, L * genres per item, d]}):
     * sum {@code c W}, mean {@code (c / |c|) W}, Lp {@code (c |W|^p)^(1/p)}, max over the distinct genres present
     * (repeats do not change a maximum).
     */
    Tensor pooledGenres(Bag history) {
        int b = history.rows();
        Tensor table = net.genres.weight();                                                // [G, d]
        if (mode == Pooling.Mode.MAX) {
            long[][] distinct = new long[b][];
            float[] counts = genres.historyCounts(history, genreVocabulary);
            for (int r = 0; r < b; r++) {
                int row = r;
                distinct[r] = java.util.stream.IntStream.range(0, genreVocabulary).filter(g -> counts[row * genreVocabulary + g] > 0).asLongStream().toArray();
            }
            Bag bag = Bag.of(distinct);
            return net.genres.forward(bag.idsTensor(device()), bag.lengthsTensor(device()));
        }
        float[] c = genres.historyCounts(history, genreVocabulary);
        float[] any = new float[b];
        for (int r = 0; r < b; r++) {
            float total = 0;
            for (int g = 0; g < genreVocabulary; g++) {
                total += c[r * genreVocabulary + g];
            }
            any[r] = total > 0 ? 1 : 0;
            if (mode == Pooling.Mode.MEAN && total > 0) {
                for (int g = 0; g < genreVocabulary; g++) {
                    c[r * genreVocabulary + g] /= total;
                }
            }
        }
        Tensor counts = onDevice(Tensor.of(c, b, genreVocabulary));
        return switch (mode) {
            case SUM, MEAN -> counts.matmul(table);
            case LP -> Elementwise.mul(Elementwise.pow(Elementwise.add(counts.matmul(Elementwise.pow(Elementwise.abs(table), lp)), 1e-12f),
                    1f / lp), onDevice(Tensor.of(any, b, 1)));
            case MAX -> throw new AssertionError("handled above");
        };
    }

    /** The pooled watched-item embeddings {@code [B, d]} of the users' latest histories (the pooling setting at work). */
    Tensor pooledHistory(long[] users) {
        Bag history = histories.recent(users, historyLength);
        return net.items.forward(history.idsTensor(device()), history.lengthsTensor(device()));
    }

    private Tensor denseFeatures(Bag history) {
        int b = history.rows();
        float[] f = new float[b * 3];
        for (int r = 0; r < b; r++) {
            float x = history.lengths()[r] / (float) historyLength;
            f[3 * r] = x;
            f[3 * r + 1] = x * x;
            f[3 * r + 2] = (float) Math.sqrt(x);
        }
        return onDevice(Tensor.of(f, b, 3));
    }

    @Override
    public Tensor calculateLoss(Batch batch) {
        long[] users = users(batch);
        long[] items = items(batch);
        Tensor u = userVectors(histories.before(users, items, historyLength));             // [B, d]
        long[] negatives = drawNegatives();
        return Losses.sampledSoftmax(u, net.output.weight(), onDevice(Tensor.ofLongs(items)), onDevice(Tensor.ofLongs(negatives)),
                probability);
    }

    private long[] drawNegatives() {
        UserHistories h = histories;
        if (sampledFrom != h) {
            long[] counts = h.itemCounts();
            int n = counts.length;
            probability = new double[n];
            cumulative = new double[n];
            double total = 0;
            for (int i = 0; i < n; i++) {
                probability[i] = Math.pow(counts[i] + 1.0, samplingExponent);
                total += probability[i];
            }
            double run = 0;
            for (int i = 0; i < n; i++) {
                probability[i] /= total;
                run += probability[i];
                cumulative[i] = run;
            }
            sampledFrom = h;
        }
        long[] out = new long[sampledNegatives];
        for (int k = 0; k < out.length; k++) {
            int at = java.util.Arrays.binarySearch(cumulative, sampler.nextDouble() * cumulative[cumulative.length - 1]);
            out[k] = Math.min(at < 0 ? -at - 1 : at, cumulative.length - 1);
        }
        return out;
    }

    /** {@code users [B]}, {@code items [B]} -> {@code [B]}: {@code u . w_i}, u from the user's latest items. */
    @Override
    public Tensor predict(Batch batch) {
        long[] users = users(batch);
        items(batch);
        Tensor u = userVectors(histories.recent(users, historyLength));
        return Linalg.rowDot(u, net.output.forward(batch.get(Batch.ITEMS)));
    }

    /** {@code users [U]} -> {@code [U, N]}: {@code u W^T}. */
    @Override
    public Tensor fullSortPredict(Tensor users) {
        long[] ids = fullSortUsers(users);
        return userVectors(histories.recent(ids, historyLength)).matmul(net.output.weight().t());
    }

    @Override
    public int onnxVectorWidth() {
        return d;
    }

    @Override
    public String onnxScoresMeaning() {
        return "u . w_i, the logit of the item in the softmax over all items";
    }

    /** {@link #userVectors} as ONNX nodes: history, history_lengths -> {@code [B, d]}. */
    @Override
    public String onnxUserTower(OnnxGraph g) {
        String[] history = onnxHistory(g);
        String lengths = history[1];
        OnnxGraph.BagIds safe = g.bagIds(history[0], lengths, 0);
        String h = g.maskedPool(g.gather(g.initializer("items.weight", net.items.weight()), safe.ids(), 0), safe.mask(), lengths, mode, lp);
        // the genre counts of the watched items, [B, G]: the items' count rows summed over the valid positions
        String counts = g.reduceSum(g.mul(g.gather(onnxGenreCounts(g), safe.ids(), 0), g.unsqueeze(g.cast(safe.mask(), OnnxGraph.FLOAT), 2)),
                false, 1);
        String table = g.initializer("genres.weight", net.genres.weight());                           // [G, d]
        String total = g.reduceSum(counts, true, 1);                                                 // [B, 1]
        String any = g.min(total, g.constant(1f));
        String gp = switch (mode) {
            case SUM -> g.matmul(counts, table);
            case MEAN -> g.matmul(g.div(counts, g.max(total, g.constant(1f))), table);
            case LP -> g.mul(g.pow(g.add(g.matmul(counts, g.pow(g.abs(table), lp)), g.constant(1e-12f)), 1f / lp), any);
            case MAX -> {
                // the maximum over the genres present: the others pushed down by 1e30, as the masked max pools
                String present = g.node("Greater", List.of(counts, g.constant(0f)));
                String push = g.unsqueeze(g.where(present, g.constant(0f), g.constant(-1e30f)), 2);    // [B, G, 1]
                yield g.mul(g.reduceMax(g.add(table, push), false, 1), any);
            }
        };
        // the dense features x, x^2, sqrt(x) of x = length / historyLength
        String x = g.unsqueeze(g.div(g.cast(lengths, OnnxGraph.FLOAT), g.constant((float) historyLength)), 1);
        String dense = g.concat(1, x, g.mul(x, x), g.sqrt(x));
        return g.mlp("tower", net.tower, g.concat(1, h, gp, dense));
    }

    /** The item vectors {@code w_i}: items -> rows of the output table, {@code [B, d]}. */
    @Override
    public String onnxItemTower(OnnxGraph g) {
        return g.embedding("output", net.output, g.input("items", OnnxGraph.INT64, OnnxGraph.BATCH));
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
            return userVectors(histories.recent(new long[] {user}, historyLength)).contiguous().toFloatArray();
        }
    }

    /** The output softmax weights {@code W [N, d]}, row-major. */
    @Override
    public float[] itemVectors() {
        try (var _ = Autograd.noGrad(); var _ = Scope.open("itemVectors")) {
            return net.output.weight().contiguous().toFloatArray();
        }
    }
}
