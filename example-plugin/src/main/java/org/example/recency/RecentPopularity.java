package org.example.recency;

import io.panrec.models.data.Interactions;
import io.panrec.models.spi.Batch;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.Recommender;
import io.panrec.models.spi.Settings;
import io.panrec.tensor.DType;
import io.panrec.tensor.Tensor;

import java.util.List;
import java.util.Map;

/**
 * Popularity by recency: an item's score is its number of training interactions, each weighted by
 * {@code 2^(-age / halfLife)} where {@code age} is the time from the interaction to the latest
 * interaction of the training data. Yesterday's hit outranks last year's; with a very long half-life it
 * is plain popularity. The same for every user: a non-personalised baseline, and a sensible prior for
 * cold-start users.
 *
 * <p>Fitted in one pass over the interactions ({@link #fitEpoch}), not by gradient descent: it has no
 * parameters and {@link #calculateLoss} throws. State: {@code scores} F32 [N].
 *
 * <p>Thread-safe for scoring: the scores are replaced as a whole, never changed in place.
 */
public final class RecentPopularity implements Recommender {
    public static final String NAME = "RecentPop";

    private final Settings settings;
    private final DatasetSchema schema;
    private final double halfLife;
    private volatile float[] scores;
    private volatile boolean training = true;

    RecentPopularity(Settings settings, DatasetSchema schema, double halfLife) {
        this.settings = settings;
        this.schema = schema;
        this.halfLife = halfLife;
        this.scores = new float[schema.numItems()];
    }

    /**
     * Fits the scores on {@code train} (the same result at every epoch): what a trainer calls for a model
     * fitted by its own algorithm.
     *
     * @return NaN: there is no training loss
     * @throws IllegalArgumentException if the data has no timestamps, or more items than the model
     */
    public double fitEpoch(Interactions train, int epoch) {
        if (!train.hasTimestamps()) {
            throw new IllegalArgumentException(NAME + " weights interactions by age and needs timestamps; this data has none "
                    + "(use plain popularity, or data with a timestamp column)");
        }
        if (train.numItems() > schema.numItems()) {
            throw new IllegalArgumentException(NAME + " was built for " + schema.numItems() + " items but the data has " + train.numItems());
        }
        long latest = Long.MIN_VALUE;
        for (int r = 0; r < train.size(); r++) {
            latest = Math.max(latest, train.timestamp(r));
        }
        double[] sum = new double[schema.numItems()];
        for (int r = 0; r < train.size(); r++) {
            double age = (double) latest - train.timestamp(r);
            sum[train.item(r)] += Math.pow(2, -age / halfLife);
        }
        float[] s = new float[sum.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) sum[i];
        }
        scores = s;
        return Double.NaN;
    }

    @Override
    public Tensor calculateLoss(Batch batch) {
        throw new UnsupportedOperationException(NAME + " is fitted in one pass over the interactions (fitEpoch), not by gradient descent");
    }

    /** {@code items [B]} (users are not needed) -> {@code [B]}: the items' decayed counts. */
    @Override
    public Tensor predict(Batch batch) {
        long[] items = batch.get(Batch.ITEMS).toLongArray();
        float[] s = scores;
        float[] out = new float[items.length];
        for (int k = 0; k < items.length; k++) {
            long i = items[k];
            if (i < 0 || i >= s.length) {
                throw new IllegalArgumentException(NAME + ".predict: item index " + i + " at row " + k + " is outside [0, " + s.length + ")");
            }
            out[k] = s[(int) i];
        }
        return Tensor.of(out, out.length);
    }

    /** {@code users [U]} -> {@code [U, N]}: the same row for every user. */
    @Override
    public Tensor fullSortPredict(Tensor users) {
        int u = users.shape(0);
        float[] s = scores;
        float[] out = new float[u * s.length];
        for (int r = 0; r < u; r++) {
            System.arraycopy(s, 0, out, r * s.length, s.length);
        }
        return Tensor.of(out, u, s.length);
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
        return List.of();
    }

    @Override
    public void setTraining(boolean on) {
        training = on;
    }

    @Override
    public boolean isTraining() {
        return training;
    }

    @Override
    public Map<String, Tensor> stateDict() {
        return Map.of("scores", Tensor.of(scores.clone()));
    }

    @Override
    public void loadState(Map<String, Tensor> state) {
        Tensor t = state.get("scores");
        if (t == null || state.size() != 1) {
            throw new IllegalArgumentException(NAME + ".loadState: expected exactly the tensor 'scores', got " + state.keySet());
        }
        if (t.dtype() != DType.F32 || t.rank() != 1 || t.shape(0) != schema.numItems()) {
            throw new IllegalArgumentException(NAME + ".loadState: 'scores' must be F32 [" + schema.numItems() + "], got " + t.describe());
        }
        scores = t.toFloatArray();
    }
}
