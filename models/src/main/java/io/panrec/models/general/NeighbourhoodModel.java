package io.panrec.models.general;

import io.panrec.models.data.Interactions;
import io.panrec.models.spi.Batch;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.Recommender;
import io.panrec.models.spi.Setting;
import io.panrec.models.spi.Settings;
import io.panrec.models.train.DirectFit;
import io.panrec.models.train.TrainingPlan;
import io.panrec.tensor.DType;
import io.panrec.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@link ItemKNN} and {@link UserKNN} share: the settings, fitting (top-k cosine neighbours with
 * shrinkage over the binary interaction matrix, in one epoch), the users' training items (needed to
 * score), and the state.
 *
 * <p>State: {@code neighbours} I32 [R, k] (-1 after the last neighbour), {@code similarities} F32
 * [R, k], where R is the number of items (ItemKNN) or users (UserKNN); {@code history.offsets} I32
 * [numUsers + 1] and {@code history.columns} I32 [nnz]: each user's training items, sorted.
 */
abstract class NeighbourhoodModel extends DirectFitModel {
    static final String NEIGHBOURS = "neighbours";
    static final String SHRINK = "shrink";

    final String name;
    final int k;
    final double shrink;
    volatile Neighbours neighbours;
    volatile Csr history;

    NeighbourhoodModel(String name, Settings settings, DatasetSchema schema) {
        super(name, settings, schema);
        this.name = name;
        this.k = Models.positive(settings, NEIGHBOURS);
        this.shrink = Models.nonNegative(settings, SHRINK);
        int rows = rows();
        this.neighbours = new Neighbours(rows, k, filled(Math.multiplyExact(rows, k)), new float[rows * k]);
        this.history = Csr.empty(schema.numUsers(), schema.numItems());
    }

    static List<Setting> defaults(int k, double shrink, String what) {
        return List.of(
                Setting.of(NEIGHBOURS, k, "the k most similar " + what + " kept per " + what.substring(0, what.length() - 1)
                        + " (top-k neighbourhood)"),
                Setting.of(SHRINK, shrink, "shrinkage added to the cosine's denominator: similarities resting on few common "
                        + "interactions are pulled towards 0 (0 for plain cosine)"));
    }

    private static int[] filled(int n) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, -1);
        return a;
    }

    /** Items (ItemKNN) or users (UserKNN). */
    abstract int rows();

    /** Whether the neighbours are items' (true) or users'. */
    abstract boolean itemBased();

    /** Score of {@code item} for {@code user}. */
    abstract float score(int user, int item);

    /** Scores of every item for {@code user} into {@code out} [N] (zeroed by the caller). */
    abstract void scoreAll(int user, float[] out);

    @Override
    public TrainingPlan trainingPlan() {
        return TrainingPlan.direct(1);
    }

    @Override
    public double fitEpoch(Interactions train, int epoch) {
        Csr byUser = Csr.of(train, true);
        Csr byItem = byUser.transpose();
        neighbours = itemBased() ? Neighbours.cosine(byItem, byUser, k, shrink) : Neighbours.cosine(byUser, byItem, k, shrink);
        history = byUser;
        return Double.NaN;
    }

    @Override
    public Tensor calculateLoss(Batch batch) {
        throw new UnsupportedOperationException(name + " is fitted by computing similarities (DirectFit.fitEpoch), not by "
                + "gradient descent; it has no loss");
    }

    /** {@code users [B]}, {@code items [B]} -> {@code [B]}: the summed similarities. */
    @Override
    public Tensor predict(Batch batch) {
        long[] u = Models.users(name, batch, schema);
        long[] it = Models.items(name, batch, schema);
        if (u.length != it.length) {
            throw new IllegalArgumentException(name + ".predict: " + u.length + " users but " + it.length + " items");
        }
        float[] out = new float[u.length];
        for (int b = 0; b < out.length; b++) {
            out[b] = score((int) u[b], (int) it[b]);
        }
        return Tensor.of(out, out.length);
    }

    /** {@code users [U]} -> {@code [U, N]}. */
    @Override
    public Tensor fullSortPredict(Tensor users) {
        long[] u = Models.fullSortUsers(name, users, schema);
        int n = schema.numItems();
        float[] out = new float[Math.multiplyExact(u.length, n)];
        java.util.stream.IntStream.range(0, u.length).parallel().forEach(r -> {
            float[] row = new float[n];
            scoreAll((int) u[r], row);
            System.arraycopy(row, 0, out, r * n, n);
        });
        return Tensor.of(out, u.length, n);
    }

    @Override
    public Map<String, Tensor> stateDict() {
        Neighbours nb = neighbours;
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("neighbours", Tensor.ofInts(nb.ids.clone(), nb.rows, nb.k));
        m.put("similarities", Tensor.of(nb.sims.clone(), nb.rows, nb.k));
        history.putState(m, "history", false);
        return m;
    }

    @Override
    public void loadState(Map<String, Tensor> state) {
        Models.expectKeys(name, state, Set.of("neighbours", "similarities", "history.offsets", "history.columns"));
        int rows = rows();
        int[] ids = Models.expect(name, state, "neighbours", DType.I32, rows, k).toIntArray();
        float[] sims = Models.expect(name, state, "similarities", DType.F32, rows, k).toFloatArray();
        for (int x = 0; x < ids.length; x++) {
            if (ids[x] < -1 || ids[x] >= rows || !Float.isFinite(sims[x])) {
                throw new IllegalArgumentException(name + ".loadState: neighbour " + ids[x] + " with similarity " + sims[x] + " at "
                        + (x / k) + "," + (x % k) + " is not an index in [-1, " + rows + ") with a finite similarity");
            }
        }
        Csr h = Csr.fromState(name, state, "history", schema.numUsers(), schema.numItems(), false);
        neighbours = new Neighbours(rows, k, ids, sims);
        history = h;
    }
}
