package io.panrec.models.general;

import io.panrec.models.spi.Batch;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.Settings;
import io.panrec.models.onnx.OnnxExportable;
import io.panrec.models.onnx.OnnxGraph;
import io.panrec.models.train.TrainingPlan;
import io.panrec.models.train.TrainingSettings;
import io.panrec.ops.Losses;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;

/**
 * What the neural collaborative filtering models of He et al. 2017 ({@link GMF}, {@link MLP},
 * {@link NeuMF}) share: pointwise training with sampled negatives and the log loss (binary cross-entropy
 * on the logit, section 3.1.1 of the paper), scores that are logits, and a full ranking that runs every
 * (user, item) pair through the network in chunks.
 *
 * <p>Reads {@code users [B]}, {@code items [B]}, {@code labels [B]} (pointwise batches) in training.
 * Exported to ONNX ({@link OnnxExportable}) as {@code users, items int64 [batch] -> scores float [batch]},
 * the logits that {@link #predict} returns.
 */
abstract class NcfModel extends GradientModel implements OnnxExportable {
    /** (user, item) pairs per chunk of {@link #fullSortPredict}: bounds the activations held at once. */
    static final int PAIRS_PER_CHUNK = 1 << 15;

    NcfModel(String name, Settings settings, DatasetSchema schema) {
        super(name, settings, schema);
        Models.positive(settings, TrainingSettings.NEGATIVES);
    }

    /**
     * users [B], items [B] (I64) -> logits [B]. users may also be [1]: one user scored against all B items
     * (its embeddings are looked up once and broadcast, see {@link #userRows}).
     */
    abstract Tensor logits(Tensor users, Tensor items);

    /** {@link #logits} as ONNX nodes: the values {@code users}, {@code items} -> the name of a [batch, 1] value. */
    abstract String onnxLogits(OnnxGraph graph, String users, String items);

    @Override
    public final void exportOnnx(OnnxGraph graph) {
        String users = graph.input("users", OnnxGraph.INT64, OnnxGraph.BATCH);
        String items = graph.input("items", OnnxGraph.INT64, OnnxGraph.BATCH);
        graph.metadata("panrec.scores", "logits (apply a sigmoid for the probability of an interaction)");
        graph.reshape(onnxLogits(graph, users, items), SCORES, -1);
        graph.output(SCORES, OnnxGraph.FLOAT, OnnxGraph.BATCH);
    }

    /**
     * A user embedding lookup [U, d] as [B, d] for B items: itself when U = B, else (U = 1) the one row
     * broadcast as a view, without copying it B times.
     */
    static Tensor userRows(Tensor lookedUp, Tensor items) {
        int b = items.shape(0);
        return lookedUp.shape(0) == b ? lookedUp : lookedUp.expand(b, lookedUp.shape(1));
    }

    /**
     * {@code users} as [1] if it holds the same id B > 1 times, else itself: a rerank scores one user's
     * candidates, and looking the user's rows up once instead of B times was half of such a call.
     */
    static Tensor oneUserIfRepeated(Tensor users, long[] ids, Tensor items) {
        if (users.rank() != 1 || ids.length < 2 || items.rank() != 1 || items.shape(0) != ids.length) {
            return users; // nothing to share, or shapes that logits reports as they are
        }
        for (int i = 1; i < ids.length; i++) {
            if (ids[i] != ids[0]) {
                return users;
            }
        }
        return Tensor.ofLongs(new long[] {ids[0]});
    }

    /**
     * The item half of a tower's first layer for every item: {@code itemTable [items, d] @ W1[:, du:]^T}
     * {@code [items, L1]}, where the tower reads {@code [user part (du wide) ; item part (d wide)]}. Its first
     * layer splits so, {@code W1 [x_u ; x_i] = W1[:, :du] x_u + W1[:, du:] x_i}, and the item half depends on
     * the weights alone: kept in a {@link io.panrec.nn.DerivedCache}, it turns a one-user rerank's first
     * layer (the largest) into a row lookup.
     */
    static Tensor towerItemHalf(io.panrec.nn.MLP tower, int userWidth, Tensor itemTable) {
        Tensor w1 = tower.layers().get(0).weight();
        return itemTable.matmul(w1.slice(1, userWidth, w1.shape(1)).t());
    }

    /**
     * The tower's output for one user's input {@code userInput [1, du]} against the B items {@code items},
     * whose {@link #towerItemHalf} rows are in {@code itemHalf [items, L1]}: the first layer as
     * {@code relu(itemHalf[items] + (userInput W1[:, :du]^T + b1))}, one fused lookup, then the other layers as
     * usual. Needs a ReLU tower (NCF's); eval mode (no dropout between the halves).
     */
    static Tensor towerOneUser(io.panrec.nn.MLP tower, Tensor userInput, Tensor itemHalf, Tensor items) {
        io.panrec.nn.Linear first = tower.layers().get(0);
        if (tower.activation() != io.panrec.nn.Activation.RELU) {
            throw new IllegalStateException("towerOneUser: the split first layer assumes a ReLU tower, got " + tower.activation());
        }
        Tensor userHalf = io.panrec.ops.Linalg.linear(userInput, first.weight().slice(1, 0, userInput.shape(1)), first.bias());
        boolean relu = tower.layers().size() > 1 || tower.activateLast();
        return tower.forwardFrom(1, io.panrec.ops.Indexing.gatherRowsAdd(itemHalf, items, userHalf, relu));
    }

    @Override
    TrainingPlan.Sampling sampling() {
        return TrainingPlan.Sampling.POINTWISE;
    }

    @Override
    public Tensor calculateLoss(Batch batch) {
        return Losses.bceWithLogits(logits(batch.get(Batch.USERS), batch.get(Batch.ITEMS)), batch.get(Batch.LABELS));
    }

    /** {@code users [B]}, {@code items [B]} -> {@code [B]} logits (the sigmoid gives the paper's y-hat). */
    @Override
    public Tensor predict(Batch batch) {
        long[] users = Models.users(settings.owner(), batch, schema);
        Models.items(settings.owner(), batch, schema);
        Tensor items = batch.get(Batch.ITEMS);
        return logits(oneUserIfRepeated(batch.get(Batch.USERS), users, items), items);
    }

    /** {@code users [U]} -> {@code [U, N]} logits, every pair through the network. */
    @Override
    public Tensor fullSortPredict(Tensor users) {
        long[] u = Models.fullSortUsers(settings.owner(), users, schema);
        int n = schema.numItems();
        if (isTraining() || n < 2) {
            return allPairs(u, n, PAIRS_PER_CHUNK, this::logits);
        }
        // in eval mode, a user at a time against every item: the one-user path of a rerank (the user's rows
        // looked up once, the item side cached), which is what a full ranking is
        Tensor all = io.panrec.ops.Indexing.arange(n);
        float[] out = new float[Math.multiplyExact(u.length, n)];
        for (int r = 0; r < u.length; r++) {
            try (var _ = Scope.open("full-sort-user")) {
                float[] row = logits(Tensor.ofLongs(new long[] {u[r]}), all).contiguous().toFloatArray();
                System.arraycopy(row, 0, out, r * n, n);
            }
        }
        return Tensor.of(out, u.length, n);
    }

    /**
     * The scores of every (user, item) pair by {@code scorer} (users [P], items [P] -> [P]), as [U, N],
     * computed {@code pairsPerChunk} pairs at a time (pairs in row-major order), each chunk in a scope of
     * its own so that only one chunk's activations are alive at once.
     */
    static Tensor allPairs(long[] users, int n, int pairsPerChunk, java.util.function.BinaryOperator<Tensor> scorer) {
        int total = Math.multiplyExact(users.length, n);
        float[] out = new float[total];
        for (int from = 0; from < total; from += pairsPerChunk) {
            int to = Math.min(total, from + pairsPerChunk);
            long[] pu = new long[to - from];
            long[] pi = new long[to - from];
            for (int p = from; p < to; p++) {
                pu[p - from] = users[p / n];
                pi[p - from] = p % n;
            }
            try (var _ = Scope.open("all-pairs")) {
                float[] chunk = scorer.apply(Tensor.ofLongs(pu), Tensor.ofLongs(pi)).contiguous().toFloatArray();
                System.arraycopy(chunk, 0, out, from, to - from);
            }
        }
        return Tensor.of(out, users.length, n);
    }
}
