package io.panrec.models.context;

import io.panrec.autograd.Autograd;
import io.panrec.backend.Backends;
import io.panrec.models.spi.Batch;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.Recommender;
import io.panrec.nn.Module;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * DeepFM scores one user's candidates from per-item terms it caches ({@link DeepFM#oneUserLogits}): the
 * scores must be the pairwise ones, with user and item fields of every kind (ids, a user group, an item genre
 * bag) and with the plain two-field schema, and must follow the weights when training changes them.
 */
class CtrOneUserTest {

    @Test
    void deepFmScoresOneUsersCandidatesAsEachPairAlone() {
        DatasetSchema plain = DatasetSchema.implicit(12, 23);
        for (DatasetSchema schema : List.of(plain, ToyCtr.withSideFields(plain))) {
            DeepFM.Provider p = new DeepFM.Provider();
            Recommender m = p.create(p.defaultSettings().withText("embeddingSize", "5").withText("layers", "7,3")
                    .withText("initStd", "0.5"), schema);
            if (schema.hasFeatures()) {
                ToyCtr.install(m);
            }
            SplittableRandom r = new SplittableRandom(5);
            for (int round = 0; round < 2; round++) {
                if (round == 1) { // parameters written in training mode, as an optimizer step does
                    m.setTraining(true);
                    for (Tensor w : ((Module) m).parameters()) {
                        perturb(w, r);
                    }
                }
                m.setTraining(false);
                int n = 19;
                long[] items = new long[n];
                long[] users = new long[n];
                for (int i = 0; i < n; i++) {
                    items[i] = (i * 4 + round) % 23;
                    users[i] = 7;
                }
                float[] together = scores(m, users, items);
                for (int i = 0; i < n; i++) {
                    float alone = scores(m, new long[] {7}, new long[] {items[i]})[0];
                    assertEquals(alone, together[i], 1e-4f * Math.max(1, Math.abs(alone)),
                            (schema.hasFeatures() ? "side fields" : "ids") + ", round " + round + ", item " + items[i]);
                }
            }
        }
    }

    private static void perturb(Tensor w, SplittableRandom r) {
        try (var _ = Autograd.noGrad()) {
            Tensor t = w.detach();
            float[] v = t.contiguous().toFloatArray();
            for (int i = 0; i < v.length; i++) {
                v[i] += (float) (r.nextGaussian() * 0.3);
            }
            Backends.current().copy(Tensor.of(v, t.shape()), t);
        }
    }

    private static float[] scores(Recommender m, long[] users, long[] items) {
        try (var _ = Scope.open("s"); var _ = Autograd.noGrad()) {
            return m.predict(new Batch().put(Batch.USERS, Tensor.ofLongs(users)).put(Batch.ITEMS, Tensor.ofLongs(items))).toFloatArray();
        }
    }
}
