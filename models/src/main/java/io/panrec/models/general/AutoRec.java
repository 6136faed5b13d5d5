package io.panrec.models.general;

import io.panrec.autograd.Autograd;
import io.panrec.models.data.Interactions;
import io.panrec.models.spi.Batch;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.Recommender;
import io.panrec.models.spi.Setting;
import io.panrec.models.spi.Settings;
import io.panrec.models.train.Trainable;
import io.panrec.models.train.TrainingPlan;
import io.panrec.models.train.TrainingSettings;
import io.panrec.nn.Linear;
import io.panrec.nn.Module;
import io.panrec.ops.Checks;
import io.panrec.ops.Elementwise;
import io.panrec.ops.Reductions;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * AutoRec: S. Sedhain, A. K. Menon, S. Sanner, L. Xie, "AutoRec: Autoencoders Meet Collaborative
 * Filtering", WWW 2015. The shared implementation of {@link IAutoRec} (rows are items, each a vector of
 * its users' ratings) and {@link UAutoRec} (rows are users).
 *
 * <p>A row's partially observed rating vector {@code r} (0 where unobserved) is reconstructed as
 * {@code h(r) = W g(V r + mu) + b}, g the sigmoid and the output linear (the paper's best choice).
 * Objective (eq. 2): {@code sum_rows |(r - h(r)) * mask|^2 + lambda/2 (|W|^2 + |V|^2)}, the error counted
 * on observed ratings only. A batch of B rows estimates it scaled by 1/rows: {@code sum_batch |...|^2 / B
 * + lambda / (2 * rows) (|W|^2 + |V|^2)}, where rows counts the rows with training ratings, so that an
 * epoch of mini-batch steps descends the paper's objective. The prediction of (u, i) is the entry of u
 * (I-AutoRec) or i (U-AutoRec) in the reconstruction of the other's row, clipped to the rating range.
 *
 * <p>Because predictions are reconstructions of training rows, the training ratings are part of the
 * model: kept in the state ({@code ratings.*}, a compressed-row matrix) and saved in bundles. In
 * evaluation mode the reconstruction of every row is computed once and cached until the model trains
 * or loads again (so ranking every item costs one pass over the rows, not one per user).
 *
 * <p>Trained by gradient ({@link Trainable}) on batches of row indices ({@link TrainingPlan.Sampling#BY_ITEM}
 * or {@link TrainingPlan.Sampling#BY_USER}); the paper used L-BFGS / Rprop on the full objective, here
 * Adam on mini-batches.
 *
 * <p>State: {@code encoder.weight} [h, D], {@code encoder.bias} [h], {@code decoder.weight} [D, h],
 * {@code decoder.bias} [D] (D the length of a row), {@code ratings.offsets} I32 [R + 1],
 * {@code ratings.columns} I32 [nnz], {@code ratings.values} F32 [nnz].
 */
abstract class AutoRec implements Recommender, Trainable, io.panrec.models.train.HoldsNetwork {
    /** Rows reconstructed per forward pass when caching every row. */
    private static final int CHUNK = 256;

    /** The network: encoder and decoder. */
    static final class Net extends Module {
        final Linear encoder;
        final Linear decoder;

        Net(int inputs, int hidden, SplittableRandom random) {
            encoder = registerModule("encoder", new Linear(inputs, hidden, random));
            decoder = registerModule("decoder", new Linear(hidden, inputs, random));
        }

        Tensor forward(Tensor x) {
            return decoder.forward(Elementwise.sigmoid(encoder.forward(x)));
        }
    }

    private final String name;
    private final boolean itemBased;
    final Settings settings;
    final DatasetSchema schema;
    private final int rows;
    private final int inputs;
    private final float lambda;
    private final Net net;
    private volatile Csr ratings;
    private volatile float[] cache;   // [rows * inputs] reconstructions, in evaluation mode

    AutoRec(String name, boolean itemBased, Settings settings, DatasetSchema schema) {
        this.name = name;
        this.itemBased = itemBased;
        this.settings = Models.checkOwner(name, settings);
        this.schema = schema;
        Models.requireRatings(name, schema);
        this.rows = itemBased ? schema.numItems() : schema.numUsers();
        this.inputs = itemBased ? schema.numUsers() : schema.numItems();
        this.lambda = (float) Models.nonNegative(settings, "regularization");
        int hidden = Models.positive(settings, "hiddenSize");
        this.net = new Net(inputs, hidden, new SplittableRandom(settings.getLong(TrainingSettings.SEED)));
        this.ratings = Csr.empty(rows, inputs);
    }

    static List<Setting> defaults(int hidden, double lambda, int epochs, int batchSize, double lr) {
        List<Setting> s = new ArrayList<>();
        s.add(Setting.of("hiddenSize", hidden, "k: units of the sigmoid hidden layer"));
        s.add(Setting.of("regularization", lambda, "lambda: L2 penalty lambda/2 (|W|^2 + |V|^2) on the weights, in the units of "
                + "the paper's objective (summed squared errors of all rows)"));
        s.addAll(TrainingSettings.gradient(epochs, batchSize, "adam", lr, 0.0));
        s.add(TrainingSettings.seed(2015));
        return s;
    }

    @Override
    public TrainingPlan trainingPlan() {
        return TrainingSettings.plan(settings, itemBased ? TrainingPlan.Sampling.BY_ITEM : TrainingPlan.Sampling.BY_USER);
    }

    /** Keeps the training ratings, rows by columns: they are the model's input. */
    @Override
    public void beforeTraining(Interactions train) {
        ratings = Csr.of(train, !itemBased);
        cache = null;
    }

    /** Rows {@code ids} as a dense [ids.length, D] input. */
    private Tensor dense(Csr r, long[] ids) {
        float[] x = new float[Math.multiplyExact(ids.length, inputs)];
        for (int b = 0; b < ids.length; b++) {
            int row = (int) ids[b];
            for (int k = r.offsets[row]; k < r.offsets[row + 1]; k++) {
                x[b * inputs + r.cols[k]] = r.values[k];
            }
        }
        return Tensor.of(x, ids.length, inputs);
    }

    /** 1 where the rows {@code ids} have a training rating, [ids.length, D]. */
    private Tensor mask(Csr r, long[] ids) {
        float[] m = new float[Math.multiplyExact(ids.length, inputs)];
        for (int b = 0; b < ids.length; b++) {
            int row = (int) ids[b];
            for (int k = r.offsets[row]; k < r.offsets[row + 1]; k++) {
                m[b * inputs + r.cols[k]] = 1f;
            }
        }
        return Tensor.of(m, ids.length, inputs);
    }

    /** The encoder and decoder: {@link io.panrec.models.train.Trainer#moveTo} moves them; the ratings stay on the host. */
    @Override
    public io.panrec.nn.Module network() {
        return net;
    }

    /** The rows' ids: read in Java to assemble the dense rows. */
    @Override
    public java.util.Set<Batch.Key> hostBatchFields() {
        return java.util.Set.of(Batch.USERS, Batch.ITEMS);
    }

    /** Batch rows: {@code items [B]} (I-AutoRec) or {@code users [B]} (U-AutoRec). */
    @Override
    public Tensor calculateLoss(Batch batch) {
        Csr r = ratings;
        Tensor idx = batch.get(itemBased ? Batch.ITEMS : Batch.USERS);
        long[] ids = Checks.indexRange(name + ".calculateLoss", idx, rows);
        // the rows are assembled in Java from the host ratings, then go to the network's device (the ops never move data)
        io.panrec.tensor.Device device = net.device();
        Tensor x = dense(r, ids).to(device);
        Tensor err = net.forward(x).sub(x).mul(mask(r, ids).to(device));
        Tensor loss = Reductions.sum(err.mul(err)).mul(1f / ids.length);
        if (lambda > 0) {
            int withData = 0;
            for (int row = 0; row < rows; row++) {
                if (r.count(row) > 0) {
                    withData++;
                }
            }
            Tensor w = net.encoder.weight();
            Tensor v = net.decoder.weight();
            Tensor norms = Reductions.sum(w.mul(w)).add(Reductions.sum(v.mul(v)));
            loss = loss.add(norms.mul(lambda / (2f * Math.max(1, withData))));
        }
        return loss;
    }

    /** Reconstructions of every row, computed once in evaluation mode. */
    private float[] reconstructions() {
        float[] c = cache;
        if (c != null) {
            return c;
        }
        synchronized (this) {
            if (cache != null) {
                return cache;
            }
            Csr r = ratings;
            float[] all = new float[Math.multiplyExact(rows, inputs)];
            for (int from = 0; from < rows; from += CHUNK) {
                int to = Math.min(rows, from + CHUNK);
                long[] ids = new long[to - from];
                for (int k = from; k < to; k++) {
                    ids[k - from] = k;
                }
                try (var _ = Autograd.noGrad(); var _ = Scope.open("autorec-cache")) {
                    float[] out = net.forward(dense(r, ids)).contiguous().toFloatArray();
                    System.arraycopy(out, 0, all, from * inputs, out.length);
                }
            }
            cache = all;
            return all;
        }
    }

    /** Reconstructed entries (row, column) for each pair, without the cache (training mode). */
    private float[] reconstruct(long[] rowIds, long[] colIds) {
        Map<Long, Integer> pos = new LinkedHashMap<>();
        for (long r : rowIds) {
            pos.putIfAbsent(r, pos.size());
        }
        long[] distinct = new long[pos.size()];
        pos.forEach((r, p) -> distinct[p] = r);
        float[] out = reconstruction(distinct);
        float[] scores = new float[rowIds.length];
        for (int b = 0; b < rowIds.length; b++) {
            scores[b] = out[pos.get(rowIds[b]) * inputs + (int) colIds[b]];
        }
        return scores;
    }

    /** The unclipped reconstructions of {@code rowIds}, [rowIds.length * D], without the cache. */
    float[] reconstruction(long[] rowIds) {
        try (var _ = Autograd.noGrad(); var _ = Scope.open("autorec-rows")) {
            return net.forward(dense(ratings, rowIds)).contiguous().toFloatArray();
        }
    }

    /** {@code users [B]}, {@code items [B]} -> {@code [B]} predicted ratings. */
    @Override
    public Tensor predict(Batch batch) {
        long[] u = Models.users(name, batch, schema);
        long[] i = Models.items(name, batch, schema);
        if (u.length != i.length) {
            throw new IllegalArgumentException(name + ".predict: " + u.length + " users but " + i.length + " items");
        }
        long[] rowIds = itemBased ? i : u;
        long[] colIds = itemBased ? u : i;
        float[] scores;
        if (isTraining()) {
            scores = reconstruct(rowIds, colIds);
        } else {
            float[] all = reconstructions();
            scores = new float[u.length];
            for (int b = 0; b < scores.length; b++) {
                scores[b] = all[(int) rowIds[b] * inputs + (int) colIds[b]];
            }
        }
        clip(scores);
        return Tensor.of(scores, scores.length);
    }

    /** {@code users [U]} -> {@code [U, N]} predicted ratings. */
    @Override
    public Tensor fullSortPredict(Tensor users) {
        long[] u = Models.fullSortUsers(name, users, schema);
        int n = schema.numItems();
        float[] out = new float[Math.multiplyExact(u.length, n)];
        if (!itemBased && isTraining()) {
            try (var _ = Autograd.noGrad(); var _ = Scope.open("autorec-rows")) {
                float[] rec = net.forward(dense(ratings, u)).contiguous().toFloatArray();
                System.arraycopy(rec, 0, out, 0, out.length);
            }
        } else if (!itemBased) {
            float[] all = reconstructions();
            for (int r = 0; r < u.length; r++) {
                System.arraycopy(all, (int) u[r] * n, out, r * n, n);
            }
        } else {
            // I-AutoRec: the users' columns of every item's reconstruction
            float[] all = isTraining() ? null : reconstructions();
            if (all == null) {
                long[] items = new long[n];
                for (int i = 0; i < n; i++) {
                    items[i] = i;
                }
                try (var _ = Autograd.noGrad(); var _ = Scope.open("autorec-rows")) {
                    all = net.forward(dense(ratings, items)).contiguous().toFloatArray();
                }
            }
            for (int r = 0; r < u.length; r++) {
                int user = (int) u[r];
                for (int i = 0; i < n; i++) {
                    out[r * n + i] = all[i * inputs + user];
                }
            }
        }
        clip(out);
        return Tensor.of(out, u.length, n);
    }

    private void clip(float[] scores) {
        float lo = schema.minRating();
        float hi = schema.maxRating();
        for (int k = 0; k < scores.length; k++) {
            scores[k] = Math.min(hi, Math.max(lo, scores[k]));
        }
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
    public List<Tensor> parameters() {
        return net.parameters();
    }

    @Override
    public void setTraining(boolean on) {
        if (on) {
            cache = null;
        }
        net.train(on);
    }

    @Override
    public boolean isTraining() {
        return net.isTraining();
    }

    @Override
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> m = new LinkedHashMap<>(net.stateDict());
        ratings.putState(m, "ratings", true);
        return m;
    }

    @Override
    public void loadState(Map<String, Tensor> state) {
        Map<String, Tensor> weights = new LinkedHashMap<>(state);
        weights.keySet().removeIf(k -> k.startsWith("ratings."));
        Csr r = Csr.fromState(name, state, "ratings", rows, inputs, true);
        if (state.keySet().stream().filter(k -> k.startsWith("ratings.")).count() != 3) {
            throw new IllegalArgumentException(name + ".loadState: unexpected ratings.* entries " + state.keySet());
        }
        net.loadStateDict(weights);
        ratings = r;
        cache = null;
    }

    @Override
    public String toString() {
        return settings + "\n" + net;
    }
}
