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

    /**
     * MLP and NeuMF score one user's candidates from a cached item half of the tower's first layer: it must
     * give the pairwise scores at odd sizes (a one-layer tower too), and follow the weights when training or a
     * state load changes them.
     */
    @Test
    void theCachedItemSideFollowsTheWeights() {
        Interactions data = ToyData.generate(12, 23, 5, 3);
        for (String layers : List.of("10,7,5", "6,3")) {
            for (ModelProvider p : List.of(new MLP.Provider(), new NeuMF.Provider())) {
                var settings = p.defaultSettings().withText("layers", layers);
                if (p instanceof NeuMF.Provider) {
                    settings = settings.with("embeddingSize", 3);
                }
                Recommender m = p.create(settings, data.schema());
                io.panrec.nn.Module module = (io.panrec.nn.Module) m;
                java.util.SplittableRandom r = new java.util.SplittableRandom(11);
                for (int round = 0; round < 3; round++) {
                    if (round == 1) { // as training does: parameters written while in training mode
                        m.setTraining(true);
                        for (Tensor w : module.parameters()) {
                            perturb(w, r);
                        }
                    } else if (round == 2) { // a state load in eval mode
                        var state = new java.util.LinkedHashMap<String, Tensor>();
                        module.stateDict().forEach((k, v) -> {
                            Tensor c = v.contiguous().detach();
                            Tensor copy = Tensor.of(c.toFloatArray(), c.shape());
                            perturb(copy, r);
                            state.put(k, copy);
                        });
                        m.loadState(state);
                    }
                    m.setTraining(false);
                    int n = 17;
                    long[] items = new long[n];
                    long[] user = new long[n];
                    for (int i = 0; i < n; i++) {
                        items[i] = (i * 5 + round) % 23;
                        user[i] = 4;
                    }
                    float[] cached = scores(m, user, items);
                    float[] full;
                    try (var _ = Scope.open("f"); var _ = Autograd.noGrad()) { // eval: a user at a time, from the cache
                        full = m.fullSortPredict(Tensor.ofLongs(new long[] {2, 4})).toFloatArray();
                    }
                    for (int i = 0; i < n; i++) {
                        float alone = scores(m, new long[] {4}, new long[] {items[i]})[0];
                        assertEquals(alone, cached[i], 1e-5f * Math.max(1, Math.abs(alone)),
                                p.name() + " layers " + layers + " round " + round + " item " + items[i]);
                        assertEquals(alone, full[23 + (int) items[i]], 1e-5f * Math.max(1, Math.abs(alone)),
                                p.name() + " fullSortPredict, round " + round + " item " + items[i]);
                    }
                }
            }
        }
    }

    /** Adds noise of scale 0.5 to every element (the toy weights are too small to tell paths apart). */
    private static void perturb(Tensor w, java.util.SplittableRandom r) {
        try (var _ = Autograd.noGrad()) {
            Tensor t = w.detach();
            float[] v = t.contiguous().toFloatArray();
            for (int i = 0; i < v.length; i++) {
                v[i] += (float) (r.nextGaussian() * 0.5);
            }
            io.panrec.backend.Backends.current().copy(Tensor.of(v, t.shape()), t);
        }
    }

    private static float[] scores(Recommender m, long[] users, long[] items) {
        try (var _ = Scope.open("s"); var _ = Autograd.noGrad()) {
            return m.predict(new Batch().put(Batch.USERS, Tensor.ofLongs(users)).put(Batch.ITEMS, Tensor.ofLongs(items))).toFloatArray();
        }
    }
}
