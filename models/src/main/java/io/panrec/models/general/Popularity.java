package io.panrec.models.general;

import io.panrec.models.data.Interactions;
import io.panrec.models.spi.Batch;
import io.panrec.models.spi.AbstractModelProvider;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.Family;
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
 * Popularity ("ItemPop"): every user gets the items with the most training interactions first. The
 * non-personalised baseline of the NCF paper's comparison (X. He, L. Liao, H. Zhang, L. Nie, X. Hu,
 * T.-S. Chua, "Neural Collaborative Filtering", WWW 2017, section 4.1) and of RecBole's {@code Pop}.
 *
 * <p>Score of (user, item): the item's number of training interactions, the same for every user.
 * Fitted by counting in one epoch ({@link DirectFit}); no settings.
 *
 * <p>State: {@code itemCounts} F32 [N].
 */
public final class Popularity extends DirectFitModel {
    public static final String NAME = "Pop";

    private volatile float[] counts;

    Popularity(Settings settings, DatasetSchema schema) {
        super(NAME, settings, schema);
        this.counts = new float[schema.numItems()];
    }

    /** Registered in {@code META-INF/services}. */
    public static final class Provider extends AbstractModelProvider {
        public Provider() {
            super(NAME, Family.GENERAL, "items ranked by their number of training interactions (the non-personalised baseline of He et al. 2017)",
                    Popularity::new);
        }

        @Override
        public List<Setting> defaults() {
            return List.of();
        }
    }

    @Override
    public TrainingPlan trainingPlan() {
        return TrainingPlan.direct(1);
    }

    @Override
    public double fitEpoch(Interactions train, int epoch) {
        int[] c = train.itemCounts();
        float[] f = new float[schema.numItems()];
        for (int i = 0; i < f.length; i++) {
            f[i] = c[i];
        }
        counts = f;
        return Double.NaN;
    }

    @Override
    public Tensor calculateLoss(Batch batch) {
        throw new UnsupportedOperationException(NAME + " is fitted by counting (DirectFit.fitEpoch), not by gradient descent; it has no loss");
    }

    /** {@code users [B]}, {@code items [B]} -> {@code [B]}: the items' counts. */
    @Override
    public Tensor predict(Batch batch) {
        Models.users(NAME, batch, schema);
        long[] items = Models.items(NAME, batch, schema);
        float[] c = counts;
        float[] out = new float[items.length];
        for (int k = 0; k < out.length; k++) {
            out[k] = c[(int) items[k]];
        }
        return Tensor.of(out, out.length);
    }

    /** {@code users [U]} -> {@code [U, N]}: the counts, one row per user. */
    @Override
    public Tensor fullSortPredict(Tensor users) {
        long[] u = Models.fullSortUsers(NAME, users, schema);
        return Models.repeatRows(counts, u.length);
    }

    @Override
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("itemCounts", Tensor.of(counts.clone(), counts.length));
        return m;
    }

    @Override
    public void loadState(Map<String, Tensor> state) {
        Models.expectKeys(NAME, state, Set.of("itemCounts"));
        float[] c = Models.expect(NAME, state, "itemCounts", DType.F32, schema.numItems()).toFloatArray();
        for (float v : c) {
            if (!(v >= 0) || Float.isInfinite(v)) {
                throw new IllegalArgumentException(NAME + ".loadState: 'itemCounts' holds " + v + "; counts are finite and >= 0");
            }
        }
        counts = c;
    }
}
