package io.panrec.models.general;

import io.panrec.autograd.Autograd;
import io.panrec.models.data.Interactions;
import io.panrec.models.data.Vocabulary;
import io.panrec.models.spi.Batch;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.ModelProvider;
import io.panrec.models.spi.Recommender;
import io.panrec.models.spi.Settings;
import io.panrec.models.train.DirectFit;
import io.panrec.models.train.Trainable;
import io.panrec.models.train.TrainingPlan;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Model-specific behaviour on hand-computed cases, beside the smoke test of {@link AllModelsTest}. */
class GeneralModelsTest {
    /** u0: {a, b}; u1: {a, b, c}; u2: {c}. */
    static Interactions tiny() {
        Interactions.Builder b = Interactions.builder(new Vocabulary("users"), new Vocabulary("items"), true, false);
        String[][] rows = {{"u0", "a"}, {"u0", "b"}, {"u1", "a"}, {"u1", "b"}, {"u1", "c"}, {"u2", "c"}};
        for (String[] r : rows) {
            b.add(r[0], r[1], 4, 0);
        }
        return b.build();
    }

    static Recommender fitted(ModelProvider p, Interactions data, Object... kv) {
        Settings s = p.defaultSettings();
        for (int i = 0; i < kv.length; i += 2) {
            s = s.with((String) kv[i], kv[i + 1]);
        }
        Recommender m = p.create(s, data.schema());
        DirectFit f = (DirectFit) m;
        for (int e = 0; e < f.trainingPlan().epochs(); e++) {
            f.fitEpoch(data, e);
        }
        m.setTraining(false);
        return m;
    }

    static float[] scores(Recommender m, long[] users, long[] items) {
        try (var _ = Scope.open("s"); var _ = Autograd.noGrad()) {
            return m.predict(new Batch().put(Batch.USERS, Tensor.ofLongs(users)).put(Batch.ITEMS, Tensor.ofLongs(items))).toFloatArray();
        }
    }

    static float[] all(Recommender m, int... users) {
        try (var _ = Scope.open("s"); var _ = Autograd.noGrad()) {
            return m.fullSortPredict(users).contiguous().toFloatArray();
        }
    }

    @Test
    void popularityCountsInteractions() {
        Recommender pop = fitted(new Popularity.Provider(), tiny());
        assertArrayEquals(new float[] {2, 2, 2, 2, 2, 2}, all(pop, 0, 2));
        Interactions data = ToyData.generate(20, 30, 5, 3);
        Recommender p2 = fitted(new Popularity.Provider(), data);
        int[] counts = data.itemCounts();
        float[] row = all(p2, 7);
        for (int i = 0; i < counts.length; i++) {
            assertEquals(counts[i], row[i]);
        }
    }

    @Test
    void itemKnnOnAHandComputedExample() {
        // item users: a {u0,u1}, b {u0,u1}, c {u1,u2}; with shrink 1: sim(a,b) = 2/(2+1), sim(a,c) = sim(b,c) = 1/3
        Recommender k1 = fitted(new ItemKNN.Provider(), tiny(), "neighbours", 1, "shrink", 1.0);
        // k = 1: a -> b, b -> a, c -> a (tie with b, the smaller index wins)
        assertArrayEquals(new float[] {0, 0, 1 / 3f}, scores(k1, new long[] {2, 2, 0}, new long[] {0, 1, 2}), 1e-6f);
        Recommender k2 = fitted(new ItemKNN.Provider(), tiny(), "neighbours", 2, "shrink", 1.0);
        assertArrayEquals(new float[] {1 / 3f, 1 / 3f, 2 / 3f}, scores(k2, new long[] {2, 2, 0}, new long[] {0, 1, 2}), 1e-6f);
        assertArrayEquals(new float[] {2 / 3f, 2 / 3f, 2 / 3f}, all(k2, 0), 1e-6f);
        Map<String, Tensor> state = k2.stateDict();
        assertArrayEquals(new int[] {1, 2, 0, 2, 0, 1}, state.get("neighbours").toIntArray());
    }

    @Test
    void userKnnOnAHandComputedExample() {
        // user items: u0 {a,b}, u1 {a,b,c}, u2 {c}; shrink 0: sim(u0,u1) = 2/sqrt(6), sim(u1,u2) = 1/sqrt(3), sim(u0,u2) = 0
        Recommender k1 = fitted(new UserKNN.Provider(), tiny(), "neighbours", 1, "shrink", 0.0);
        float s01 = (float) (2 / Math.sqrt(6));
        float s12 = (float) (1 / Math.sqrt(3));
        assertArrayEquals(new float[] {s01, s01, s01, s12, s12, s12}, all(k1, 0, 2), 1e-6f);
        Recommender k2 = fitted(new UserKNN.Provider(), tiny(), "neighbours", 2, "shrink", 0.0);
        // u1's neighbours: u0 (a, b) and u2 (c)
        assertArrayEquals(new float[] {s01, s01, s12}, all(k2, 1), 1e-6f);
    }

    @Test
    void neighbourhoodStateIsChecked() {
        Recommender k = fitted(new ItemKNN.Provider(), tiny(), "neighbours", 2);
        Map<String, Tensor> state = new java.util.LinkedHashMap<>(k.stateDict());
        state.put("neighbours", Tensor.ofInts(new int[] {1, 2, 0, 2, 0, 7}, 3, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> k.loadState(state));
        assertTrue(e.getMessage().contains("neighbour 7"), e.getMessage());
        state.remove("neighbours");
        e = assertThrows(IllegalArgumentException.class, () -> k.loadState(state));
        assertTrue(e.getMessage().contains("missing [neighbours]"), e.getMessage());
    }

    @Test
    void ratingModelsNeedRatingsAndClipInEvaluation() {
        DatasetSchema implicit = DatasetSchema.implicit(3, 3);
        for (ModelProvider p : List.of(new BiasedMF.Provider(), new IAutoRec.Provider(), new UAutoRec.Provider())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.create(p.defaultSettings(), implicit));
            assertTrue(e.getMessage().contains("predicts ratings"), e.getMessage());
        }
        Interactions data = ToyData.generate(20, 30, 5, 3);
        BiasedMF mf = (BiasedMF) new BiasedMF.Provider().create(new BiasedMF.Provider().defaultSettings().with("initStd", 3.0),
                data.schema());
        mf.beforeTraining(data);
        assertEquals(data.meanRating(), mf.stateDict().get("globalMean").item(), 1e-5);
        mf.setTraining(false);
        for (float v : all(mf, 0, 1, 2)) {
            assertTrue(v >= 1 && v <= 5, "clipped to the rating range: " + v);
        }
    }

    @Test
    void biasedMfTakesKorensSgdStepPerRating() {
        // one rating of 5 by u0 for a: the update of Koren et al. (2009), by hand from the initial state
        Interactions.Builder b = Interactions.builder(new Vocabulary("users"), new Vocabulary("items"), true, false);
        b.add("u0", "a", 5, 0);
        b.add("u1", "a", 1, 0);
        Interactions data = b.build().select(new int[] {0, 1});
        BiasedMF.Provider provider = new BiasedMF.Provider();
        Settings s = provider.defaultSettings().with("embeddingSize", 3).with("initStd", 0.5).with("learningRate", 0.1)
                .with("regularization", 0.2).with("biasRegularization", 0.05);
        BiasedMF mf = (BiasedMF) provider.create(s, data.schema());
        mf.beforeTraining(data);
        float[] p = mf.stateDict().get("userFactors").toFloatArray();
        float[] q = mf.stateDict().get("itemFactors").toFloatArray();
        float mu = mf.stateDict().get("globalMean").item();
        assertEquals(3, mu, 1e-6);
        // train on u0's rating only: one row, so the order does not matter
        Interactions one = data.select(new int[] {0});
        double objective = mf.fitEpoch(one, 0);
        double dot = p[0] * q[0] + p[1] * q[1] + p[2] * q[2];
        double e = 5 - (mu + dot);
        assertEquals(e * e + 0.2 * (p[0] * p[0] + p[1] * p[1] + p[2] * p[2] + q[0] * q[0] + q[1] * q[1] + q[2] * q[2]), objective, 1e-5);
        float[] p1 = mf.stateDict().get("userFactors").toFloatArray();
        float[] q1 = mf.stateDict().get("itemFactors").toFloatArray();
        for (int a = 0; a < 3; a++) {
            assertEquals(p[a] + 0.1 * (e * q[a] - 0.2 * p[a]), p1[a], 1e-5);
            assertEquals(q[a] + 0.1 * (e * p[a] - 0.2 * q[a]), q1[a], 1e-5);
            assertEquals(p[3 + a], p1[3 + a], "u1 had no rating in this epoch");
        }
        assertEquals(0.1 * e, mf.stateDict().get("userBias").toFloatArray()[0], 1e-6);
        assertEquals(0.1 * e, mf.stateDict().get("itemBias").toFloatArray()[0], 1e-6);
        assertEquals(0, mf.stateDict().get("userBias").toFloatArray()[1]);
        mf.setTraining(false);
        float expected = (float) Math.clamp(3 + 0.1 * e + 0.1 * e + (p1[0] * q1[0] + p1[1] * q1[1] + p1[2] * q1[2]), 1, 5);
        assertEquals(expected, scores(mf, new long[] {0}, new long[] {0})[0], 1e-5);
        assertEquals(expected, all(mf, 0)[0], 1e-5);
    }

    @Test
    void biasedMfResumedFromItsStateContinuesAsAnUninterruptedRun() {
        Interactions data = ToyData.generate(20, 30, 5, 3);
        BiasedMF.Provider provider = new BiasedMF.Provider();
        Settings s = provider.defaultSettings().with("embeddingSize", 4).with("epochs", 3);
        BiasedMF straight = (BiasedMF) provider.create(s, data.schema());
        straight.beforeTraining(data);
        double first = straight.fitEpoch(data, 0);
        Map<String, Tensor> after1 = straight.stateDict();
        straight.fitEpoch(data, 1);
        double third = straight.fitEpoch(data, 2);
        assertTrue(third < first, "the objective falls: " + first + " -> " + third);

        BiasedMF resumed = (BiasedMF) provider.create(s, data.schema());
        resumed.loadState(after1);
        resumed.fitEpoch(data, 1);
        resumed.fitEpoch(data, 2);
        for (String k : List.of("userFactors", "itemFactors", "userBias", "itemBias", "globalMean")) {
            assertArrayEquals(straight.stateDict().get(k).toFloatArray(), resumed.stateDict().get(k).toFloatArray(), k);
        }
        Map<String, Tensor> bad = new java.util.LinkedHashMap<>(after1);
        bad.put("itemBias", Tensor.of(new float[30], 30));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> resumed.loadState(bad));
        assertTrue(e.getMessage().contains("itemBias"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> provider.create(s.with("learningRateDecay", 1.5), data.schema()));
        assertTrue(e.getMessage().contains("learningRateDecay"), e.getMessage());
    }

    @Test
    void settingsOutOfRangeAreRejected() {
        DatasetSchema schema = DatasetSchema.implicit(5, 5);
        ConvNCF.Provider conv = new ConvNCF.Provider();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> conv.create(conv.defaultSettings().with("embeddingSize", 12), schema));
        assertTrue(e.getMessage().contains("power of two"), e.getMessage());
        MLP.Provider mlp = new MLP.Provider();
        e = assertThrows(IllegalArgumentException.class, () -> mlp.create(mlp.defaultSettings().with("layers", List.of(7, 3)), schema));
        assertTrue(e.getMessage().contains("first even"), e.getMessage());
        GMF.Provider gmf = new GMF.Provider();
        e = assertThrows(IllegalArgumentException.class, () -> gmf.create(new BPRMF.Provider().defaultSettings(), schema));
        assertTrue(e.getMessage().contains("cannot be built from the settings of BPRMF"), e.getMessage());
        IALS.Provider als = new IALS.Provider();
        e = assertThrows(IllegalArgumentException.class, () -> als.create(als.defaultSettings().with("cgSteps", 0), schema));
        assertTrue(e.getMessage().contains("cgSteps"), e.getMessage());
    }

    /** On the reference backend, so that the separately trained BPRMF matches the one ConvNCF trained. */
    @Test
    void convNcfPretrainingStartsFromRescaledBprmfFactors() {
        try (var _ = io.panrec.backend.Backends.use("reference")) {
            Interactions data = ToyData.generate(30, 40, 8, 4);
            ConvNCF.Provider p = new ConvNCF.Provider();
            Settings s = p.defaultSettings().with("embeddingSize", 4).with("channels", 3).with("initStd", 0.5).with("pretrainEpochs", 2);
            ConvNCF conv = (ConvNCF) p.create(s, data.schema());
            conv.beforeTraining(data);
            BPRMF bpr = new BPRMF(new BPRMF.Provider().defaultSettings().with("embeddingSize", 4).with("epochs", 2)
                    .with("seed", s.getLong("seed") + 1), data.schema());
            io.panrec.models.train.Trainer.builder(bpr, data).output(null).build().fit();
            Map<String, Tensor> mf = bpr.stateDict();
            Map<String, Tensor> cn = conv.stateDict();
            for (String[] pair : new String[][] {{"userFactors.weight", "userEmbedding.weight"}, {"itemFactors.weight", "itemEmbedding.weight"}}) {
                float[] f = mf.get(pair[0]).toFloatArray();
                float[] e = cn.get(pair[1]).toFloatArray();
                double ss = 0;
                for (float v : e) {
                    ss += v * v;
                }
                assertEquals(0.5, Math.sqrt(ss / e.length), 1e-4, pair[1] + ": root-mean-square entry initStd");
                double c = e[0] / f[0];
                assertTrue(c > 0, pair[1] + " is a positive multiple of " + pair[0]);
                for (int k = 0; k < f.length; k++) {
                    assertEquals(c * f[k], e[k], 1e-5, pair[1] + "[" + k + "] is " + pair[0] + " rescaled");
                }
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> p.create(p.defaultSettings().with("pretrainEpochs", -1), data.schema()));
            assertTrue(e.getMessage().contains("pretrainEpochs"), e.getMessage());
        }
    }

    /** On the reference backend, so that the separately trained parts match NeuMF's bit for bit. */
    @Test
    void neuMfPretrainingStartsFromTrainedParts() {
        try (var _ = io.panrec.backend.Backends.use("reference")) {
            Interactions data = ToyData.generate(30, 40, 8, 4);
            NeuMF.Provider p = new NeuMF.Provider();
            Settings s = p.defaultSettings().with("layers", List.of(8, 4)).with("embeddingSize", 4).with("batchSize", 128)
                    .with("pretrain", true).with("pretrainEpochs", 2).with("pretrainLearningRate", 0.01).with("optimizer", "sgd");
            NeuMF neumf = (NeuMF) p.create(s, data.schema());
            neumf.beforeTraining(data);
            GMF gmf = new GMF(neumf.gmfSettings(), data.schema());
            MLP mlp = new MLP(neumf.mlpSettings(), data.schema());
            assertEquals("adam", gmf.settings().getString("optimizer"), "the parts train with Adam whatever NeuMF uses");
            for (NcfModel part : List.of(gmf, mlp)) {
                io.panrec.models.train.Trainer.builder(part, data).output(null).build().fit();
            }
            Map<String, Tensor> n = neumf.stateDict();
            Map<String, Tensor> g = gmf.stateDict();
            Map<String, Tensor> m = mlp.stateDict();
            assertArrayEquals(g.get("userEmbedding.weight").toFloatArray(), n.get("gmfUser.weight").toFloatArray());
            assertArrayEquals(g.get("itemEmbedding.weight").toFloatArray(), n.get("gmfItem.weight").toFloatArray());
            assertArrayEquals(m.get("userEmbedding.weight").toFloatArray(), n.get("mlpUser.weight").toFloatArray());
            assertArrayEquals(m.get("tower.layers.0.weight").toFloatArray(), n.get("tower.layers.0.weight").toFloatArray());
            float[] h = n.get("output.weight").toFloatArray();
            float[] hg = g.get("output.weight").toFloatArray();
            float[] hm = m.get("output.weight").toFloatArray();
            assertEquals(hg.length + hm.length, h.length);
            for (int k = 0; k < hg.length; k++) {
                assertEquals(0.5f * hg[k], h[k]);
            }
            for (int k = 0; k < hm.length; k++) {
                assertEquals(0.5f * hm[k], h[hg.length + k]);
            }
            assertEquals(0.5f * g.get("output.bias").item() + 0.5f * m.get("output.bias").item(), n.get("output.bias").item(), 1e-7f);
            // so NeuMF starts where its parts got: its loss is below a fresh NeuMF's
            NeuMF fresh = (NeuMF) p.create(s.with("pretrain", false), data.schema());
            try (var _ = Scope.open("loss"); var _ = Autograd.noGrad()) {
                Batch batch = AllModelsTest.batchFor(fresh.trainingPlan(), data);
                assertTrue(neumf.calculateLoss(batch).item() < fresh.calculateLoss(batch).item());
            }
        }
    }

    @Test
    void autoRecCountsTheObservedRatingsOnly() {
        Interactions data = ToyData.generate(20, 30, 6, 8);
        IAutoRec.Provider p = new IAutoRec.Provider();
        IAutoRec model = (IAutoRec) p.create(p.defaultSettings().with("regularization", 0.0).with("hiddenSize", 4), data.schema());
        model.beforeTraining(data);
        long[] rows = {0, 1, 2};
        double loss;
        try (var _ = Scope.open("l"); var _ = Autograd.noGrad()) {
            loss = model.calculateLoss(new Batch().put(Batch.ITEMS, Tensor.ofLongs(rows))).item();
        }
        float[] rec = model.reconstruction(rows); // items 0..2, each a row over the 20 users
        double sum = 0;
        int observed = 0;
        for (int r = 0; r < data.size(); r++) {
            int i = data.item(r);
            if (i <= 2) {
                double e = rec[i * 20 + data.user(r)] - data.rating(r);
                sum += e * e;
                observed++;
            }
        }
        assertTrue(observed > 3);
        assertEquals(sum / 3, loss, 1e-4 * loss, "squared errors of the observed ratings, per row of the batch");
        IAutoRec regularized = (IAutoRec) p.create(p.defaultSettings().with("regularization", 10.0).with("hiddenSize", 4),
                data.schema());
        regularized.beforeTraining(data);
        try (var _ = Scope.open("l"); var _ = Autograd.noGrad()) {
            assertTrue(regularized.calculateLoss(new Batch().put(Batch.ITEMS, Tensor.ofLongs(rows))).item() > loss);
        }
    }
}
