package io.panrec.models.behaviour;

import io.panrec.models.spi.Batch;
import io.panrec.models.spi.AbstractModelProvider;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.Family;
import io.panrec.models.spi.Setting;
import io.panrec.models.spi.Settings;
import io.panrec.models.train.TrainingPlan;
import io.panrec.models.train.TrainingSettings;
import io.panrec.nn.Embedding;
import io.panrec.nn.EmbeddingBag;
import io.panrec.nn.Init;
import io.panrec.nn.Linear;
import io.panrec.nn.Module;
import io.panrec.nn.ModuleList;
import io.panrec.ops.Checks;
import io.panrec.ops.Elementwise;
import io.panrec.ops.Indexing;
import io.panrec.ops.Linalg;
import io.panrec.ops.Losses;
import io.panrec.ops.Pooling;
import io.panrec.ops.Reductions;
import io.panrec.ops.Shapes;
import io.panrec.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Deep Interest Network: G. Zhou, X. Zhu, C. Song, Y. Fan, H. Zhu, X. Ma, Y. Yan, J. Jin, H. Li, K. Gai,
 * "Deep Interest Network for Click-Through Rate Prediction", KDD 2018. The user's behaviour sequence is
 * pooled with weights that depend on the candidate item (the local activation unit), so that the user
 * representation differs per candidate; the pooled interest, the candidate and the user go through an
 * MLP to one logit.
 *
 * <p>Shapes, for B rows, K candidates per row, histories padded to T, d = {@code embeddingSize}:
 * <ul>
 *   <li>an item is represented by {@code e(i) = [item embedding (d), mean of its genre embeddings (d)]}: e = 2d
 *       (the paper's goods id and category id);</li>
 *   <li>history {@code H [B, T, e]}, candidates {@code C [B, K, e]};</li>
 *   <li>local activation unit: {@code a(h, c) = w2 . act(W1 [h, c, h - c, h * c] + b1) + b2} ({@code attentionSize}
 *       hidden units), giving scores {@code [B, K, T]}; computed as {@code (W1a + W1c) h + (W1b - W1c) c + W1d (h * c)},
 *       which is the same product without building the {@code [B, K, T, 4e]} concatenation;</li>
 *   <li>weights: the raw scores masked to each history's length ({@code attentionNormalization=none}, the paper,
 *       which keeps the intensity of interest) or their softmax over the real positions ({@code softmax}, weights
 *       summing to 1); an empty history pools to zeros;</li>
 *   <li>interest {@code [B, K, e]} = weights @ H; MLP input {@code [user embedding (d), interest, C]} -> {@code layers}
 *       with the activation -> 1 logit: {@code [B, K]}.</li>
 * </ul>
 * The activation (attention unit and MLP) is Dice, PReLU or ReLU ({@link UnitActivation}).
 *
 * <p>Training (pairwise batches: {@code users [B]}, {@code items [B]}, {@code negatives [B, S]}): binary log loss
 * of the positive (label 1) and its S sampled negatives (label 0), all scored against the history the user had
 * before the positive (its last {@code historyLength} earlier items). At prediction time the history is the
 * user's latest {@code historyLength} training items. {@code fullSortPredict} scores every item for each user,
 * which costs {@code N T} activation units per user.
 */
public final class DIN extends BehaviourModel {
    public static final String NAME = "DIN";

    final Net net;
    private final boolean softmax;

    /** Parameter names: {@code users.weight}, {@code items.weight}, {@code genres.weight}, {@code attention.*}, {@code mlp.*}. */
    static final class Net extends Module {
        final Embedding users;
        final Embedding items;
        final EmbeddingBag genres;
        final Linear attention;
        final UnitActivation attentionActivation;
        final Linear attentionOut;
        final ModuleList<Linear> layers;
        final ModuleList<UnitActivation> activations;

        Net(int numUsers, int numItems, int genreVocabulary, int d, int attentionSize, int[] hidden, UnitActivation.Kind kind,
            double std, SplittableRandom random) {
            users = registerModule("users", new Embedding(numUsers, d, -1, false, random));
            items = registerModule("items", new Embedding(numItems, d, -1, false, random));
            genres = registerModule("genres", new EmbeddingBag(genreVocabulary, d, Pooling.Mode.MEAN, false, random));
            Init.normal(users.weight(), 0, std, random);
            Init.normal(items.weight(), 0, std, random);
            Init.normal(genres.weight(), 0, std, random);
            int e = 2 * d;
            attention = registerModule("attention", new Linear(4 * e, attentionSize, random));
            attentionActivation = registerModule("attentionActivation", new UnitActivation(kind, attentionSize));
            attentionOut = registerModule("attentionOut", new Linear(attentionSize, 1, random));
            layers = registerModule("layers", new ModuleList<>());
            activations = registerModule("activations", new ModuleList<>());
            int in = d + 2 * e;
            for (int w : hidden) {
                layers.add(new Linear(in, w, random));
                activations.add(new UnitActivation(kind, w));
                in = w;
            }
            layers.add(new Linear(in, 1, random));
        }
    }

    DIN(Settings settings, DatasetSchema schema) {
        super(NAME, settings, schema);
        int d = positive(settings, "embeddingSize");
        int attentionSize = positive(settings, "attentionSize");
        positive(settings, TrainingSettings.NEGATIVES);
        String norm = settings.getString("attentionNormalization").toLowerCase(Locale.ROOT);
        if (!norm.equals("softmax") && !norm.equals("none")) {
            throw new IllegalArgumentException(NAME + " setting 'attentionNormalization' must be softmax or none, got '" + norm + "'");
        }
        this.softmax = norm.equals("softmax");
        UnitActivation.Kind kind = UnitActivation.parse(NAME, settings.getString("activation"));
        double std = nonNegative(settings, "initStd");
        SplittableRandom random = new SplittableRandom(settings.getLong(TrainingSettings.SEED));
        this.net = net(new Net(schema.numUsers(), schema.numItems(), genreVocabulary, d, attentionSize, widths(settings, "layers"),
                kind, std, random));
    }

    /** Registered in {@code META-INF/services}. */
    public static final class Provider extends AbstractModelProvider {
        public Provider() {
            super(NAME, Family.GENERAL, "Deep Interest Network: attention pooling of the user's history against the candidate item, then an MLP "
                    + "(Zhou et al. 2018)",
                    DIN::new);
        }

        @Override
        public List<Setting> defaults() {
            List<Setting> s = new ArrayList<>();
            s.add(Setting.of("embeddingSize", 16, "d: width of the user, item and genre embeddings (an item is [item, genres] = 2d)"));
            s.add(Setting.of("historyLength", 30, "L: the user's latest training items attended over (time order)"));
            s.add(Setting.of("genreVocabulary", 32, "size of the genre embedding table: at least the catalog's number of genres"));
            s.add(Setting.of("attentionSize", 36, "hidden units of the local activation unit"));
            s.add(Setting.of("attentionNormalization", "softmax", "softmax: attention weights sum to 1 over the history; "
                    + "none: the raw activation-unit outputs, as the paper"));
            s.add(Setting.ofInts("layers", List.of(200, 80), "hidden widths of the MLP over [user, interest, candidate] "
                    + "(an output of width 1 is added)"));
            s.add(Setting.of("activation", "dice", "activation of the attention unit and the MLP: dice (the paper), prelu or relu"));
            s.add(Setting.of("initStd", 0.05, "standard deviation of the normal initialisation of the embedding tables"));
            s.add(TrainingSettings.negatives(4, "binary log loss of each positive and its negatives, all against the positive's history"));
            // 0.005: with 0.001 one epoch on MovieLens-100K ranks no better than popularity (HR@10 0.403 vs 0.407), with
            // 0.005 it reaches a validation HR@10 of 0.647 (bench/results/behaviour.md)
            s.addAll(TrainingSettings.gradient(10, 256, "adam", 0.005, 0.0));
            s.add(TrainingSettings.seed(2018));
            return s;
        }
    }

    @Override
    TrainingPlan.Sampling sampling() {
        return TrainingPlan.Sampling.PAIRWISE;
    }

    /**
     * Every item's representation {@code [N, 2d]}: item embedding and mean genre embedding (the genre means of all
     * items in one product {@code M W}, M = {@link ItemGenres#meanMatrix}, instead of a bag per looked-up item).
     */
    private Tensor itemTable() {
        return Shapes.concat(1, net.items.weight(), onDevice(genres.meanMatrix(genreVocabulary)).matmul(net.genres.weight()));
    }

    /** Representations {@code [ids.length, 2d]} of items, rows of {@code table}. */
    private static Tensor represent(Tensor table, long[] ids) {
        return Indexing.gatherRows(table, Tensor.ofLongs(ids).to(table.device()));
    }

    /** {@code [B, T, 2d]} of a history bag (padding positions hold item 0's representation; they are masked). */
    private static Tensor historyTensor(Tensor table, Bag history) {
        return Shapes.reshape(represent(table, history.ids()), history.rows(), history.width(), table.shape(1));
    }

    /**
     * The attention weights {@code [B, K, T]} of history {@code h [B, T, e]} (lengths {@code [B]}) for candidates
     * {@code c [B, K, e]}: zero past each length; with softmax normalisation summing to 1 over the real positions.
     */
    Tensor attentionWeights(Tensor h, long[] lengths, Tensor c) {
        int b = h.shape(0);
        int t = h.shape(1);
        int e = h.shape(2);
        Tensor w = net.attention.weight();                                                   // [A, 4e]
        Tensor wa = Shapes.slice(w, 1, 0, e);
        Tensor wb = Shapes.slice(w, 1, e, 2 * e);
        Tensor wc = Shapes.slice(w, 1, 2 * e, 3 * e);
        Tensor wd = Shapes.slice(w, 1, 3 * e, 4 * e);
        Tensor hp = Linalg.linear(h, Elementwise.add(wa, wc), net.attention.bias());           // [B, T, A]
        Tensor cp = Linalg.linear(c, Elementwise.sub(wb, wc), null);                           // [B, K, A]
        Tensor prod = Elementwise.mul(Shapes.unsqueeze(c, 2), Shapes.unsqueeze(h, 1));         // [B, K, T, e]
        Tensor pre = Elementwise.add(Elementwise.add(Linalg.linear(prod, wd, null), Shapes.unsqueeze(hp, 1)),
                Shapes.unsqueeze(cp, 2));                                                      // [B, K, T, A]
        Tensor scores = Shapes.squeeze(net.attentionOut.forward(net.attentionActivation.forward(pre)), 3); // [B, K, T]
        double[] mask = new double[b * t];
        double[] minus = new double[b * t];
        for (int r = 0; r < b; r++) {
            for (int j = 0; j < t; j++) {
                boolean on = j < lengths[r];
                mask[r * t + j] = on ? 1 : 0;
                minus[r * t + j] = on ? 0 : -1e9;
            }
        }
        Tensor maskT = Tensor.ofDoubles(mask, b, 1, t).to(scores.dtype()).to(scores.device());
        if (!softmax) {
            return Elementwise.mul(scores, maskT);
        }
        Tensor masked = Elementwise.add(scores, Tensor.ofDoubles(minus, b, 1, t).to(scores.dtype()).to(scores.device()));
        return Elementwise.mul(Reductions.softmax(masked, 2), maskT); // an empty history: all weights 0
    }

    /** Logits {@code [B, K]} of candidates {@code [B, K]} (row-major ids) for users with histories. */
    private Tensor logits(Tensor table, long[] users, Bag history, long[] candidates, int k) {
        int b = users.length;
        int e = table.shape(1);
        Tensor h = historyTensor(table, history);                                             // [B, T, e]
        Tensor c = Shapes.reshape(represent(table, candidates), b, k, e);                     // [B, K, e]
        Tensor weights = attentionWeights(h, history.lengths(), c);                           // [B, K, T]
        Tensor interest = Linalg.matmul(weights, h);                                          // [B, K, e]
        Tensor u = Shapes.expand(Shapes.unsqueeze(net.users.forward(onDevice(Tensor.ofLongs(users))), 1), b, k, net.users.dim());
        Tensor x = Shapes.concat(2, u, interest, c);                                          // [B, K, d + 2e]
        int last = net.layers.size() - 1;
        for (int i = 0; i < last; i++) {
            x = net.activations.get(i).forward(net.layers.get(i).forward(x));
        }
        return Shapes.squeeze(net.layers.get(last).forward(x), 2);                            // [B, K]
    }

    @Override
    public Tensor calculateLoss(Batch batch) {
        long[] users = users(batch);
        long[] items = items(batch);
        Tensor negT = batch.get(Batch.NEGATIVES);
        long[] neg = Checks.indexRange(NAME + " negatives", negT, schema.numItems());
        int b = users.length;
        int s = negT.shape(1);
        int k = s + 1;
        long[] candidates = new long[b * k];
        float[] labels = new float[b * k];
        for (int r = 0; r < b; r++) {
            candidates[r * k] = items[r];
            labels[r * k] = 1f;
            System.arraycopy(neg, r * s, candidates, r * k + 1, s);
        }
        Tensor logits = logits(itemTable(), users, histories.before(users, items, historyLength), candidates, k);
        return Losses.bceWithLogits(logits, Tensor.of(labels, b, k).to(logits.device()));
    }

    /** {@code users [B]}, {@code items [B]} -> {@code [B]} logits, against each user's latest items. */
    @Override
    public Tensor predict(Batch batch) {
        long[] users = users(batch);
        long[] items = items(batch);
        return Shapes.squeeze(logits(itemTable(), users, histories.recent(users, historyLength), items, 1), 1);
    }

    /** {@code users [U]} -> {@code [U, N]}: every item as a candidate of each user, in chunks of items. */
    @Override
    public Tensor fullSortPredict(Tensor users) {
        long[] ids = fullSortUsers(users);
        int n = schema.numItems();
        int chunk = 512;
        Tensor table = itemTable();
        Tensor[] rows = new Tensor[ids.length];
        for (int r = 0; r < ids.length; r++) {
            long[] user = {ids[r]};
            Bag history = histories.recent(user, historyLength);
            List<Tensor> parts = new ArrayList<>();
            for (int from = 0; from < n; from += chunk) {
                int to = Math.min(n, from + chunk);
                long[] cands = new long[to - from];
                for (int i = from; i < to; i++) {
                    cands[i - from] = i;
                }
                parts.add(logits(table, user, history, cands, cands.length));                       // [1, chunk]
            }
            rows[r] = Shapes.concat(1, parts.toArray(Tensor[]::new));
        }
        return Shapes.concat(0, rows);
    }

    /** The attention weights {@code [1, K, T]} of user {@code user}'s latest history for {@code candidates} (for tests). */
    Tensor attentionOf(int user, long[] candidates) {
        Bag history = histories.recent(new long[] {user}, historyLength);
        Tensor table = itemTable();
        return attentionWeights(historyTensor(table, history), history.lengths(),
                Shapes.reshape(represent(table, candidates), 1, candidates.length, table.shape(1)));
    }

    int historyLengthOf(int user) {
        return Math.min(historyLength, histories.length(user));
    }
}
