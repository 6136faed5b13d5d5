package io.panrec.models.general;

import io.panrec.autograd.Autograd;
import io.panrec.models.data.Interactions;
import io.panrec.models.spi.Batch;
import io.panrec.models.spi.ModelProvider;
import io.panrec.models.spi.Recommender;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * NCF models score a batch of one repeated user (a rerank) by looking the user up once and broadcasting
 * it ({@link NcfModel#oneUserIfRepeated}): the scores must be those of the same pairs in a mixed batch.
 */
class NcfOneUserTest {

    @Test
    void oneUserManyItemsScoresAsTheSamePairsInAMixedBatch() {
        Interactions data = ToyData.generate(12, 23, 5, 3);
        for (ModelProvider p : List.of(new GMF.Provider(), new MLP.Provider(), new NeuMF.Provider())) {
            Recommender m = p.create(p.defaultSettings(), data.schema());
            m.setTraining(false);
            int n = 23;
            long[] items = new long[n];
            long[] sameUser = new long[n];
            long[] mixed = new long[n];
            for (int i = 0; i < n; i++) {
                items[i] = (i * 7) % n;
                sameUser[i] = 5;
                mixed[i] = i % 3 == 0 ? 5 : i % 12;
            }
            float[] one = scores(m, sameUser, items);
            float[] reference = scores(m, mixed, items);
            assertEquals(n, one.length);
            for (int i = 0; i < n; i++) {
                if (mixed[i] == 5) {
                    assertEquals(reference[i], one[i], 1e-6f * Math.max(1, Math.abs(reference[i])), p.name() + " item " + items[i]);
                }
            }
            for (int i = 0; i < n; i++) { // and every pair alone, where nothing is shared
                float alone = scores(m, new long[] {5}, new long[] {items[i]})[0];
                assertEquals(alone, one[i], 1e-6f * Math.max(1, Math.abs(alone)), p.name() + " alone, item " + items[i]);
            }
            // a user batch that does not match the items is still an error, not a silent broadcast
            assertThrows(RuntimeException.class, () -> scores(m, new long[] {5, 5, 5}, new long[] {1, 2}), p.name());
        }
    }

    private static float[] scores(Recommender m, long[] users, long[] items) {
        try (var _ = Scope.open("s"); var _ = Autograd.noGrad()) {
            return m.predict(new Batch().put(Batch.USERS, Tensor.ofLongs(users)).put(Batch.ITEMS, Tensor.ofLongs(items))).toFloatArray();
        }
    }
}
