package io.panrec.models.behaviour;

import io.panrec.autograd.Autograd;
import io.panrec.models.data.Interactions;
import io.panrec.models.data.ItemCatalog;
import io.panrec.models.data.Vocabulary;
import io.panrec.models.spi.Batch;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.EmbeddingRecommender;
import io.panrec.models.spi.ModelProvider;
import io.panrec.models.spi.Recommender;
import io.panrec.models.spi.Settings;
import io.panrec.models.train.Trainer;
import io.panrec.ops.Losses;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The behaviour models' own parts against hand-computed values: the pooling setting of YouTube-DNN (mean,
 * max, Lp, sum, with empty and length-1 histories), the time order and truncation of histories, DIN's
 * attention weights and masks, the popularity-corrected InfoNCE, the two-tower item CNN, and the vectors
 * exported for retrieval. (Training, shapes and save/load of every model: AllModelsTest.)
 */
class BehaviourModelsTest {
    /**
     * Users u0: items i2 (t=1) then i1 (t=2), listed in the file in the other order; u1: i0; u2: nothing.
     * Items i0 (Comedy), i1 (Drama, Comedy), i2 (no genre), i3 (Drama).
     */
    static Interactions tiny() {
        Vocabulary users = Vocabulary.of("users", List.of("u0", "u1", "u2"));
        Vocabulary items = Vocabulary.of("items", List.of("i0", "i1", "i2", "i3"));
        Interactions.Builder b = Interactions.builder(users, items, false, true);
        b.add("u0", "i1", 1, 2);
        b.add("u0", "i2", 1, 1);
        b.add("u1", "i0", 1, 5);
        return b.build();
    }

    static ItemCatalog tinyCatalog(Vocabulary items) {
        ItemCatalog.Builder c = ItemCatalog.builder(items);
        c.put("i0", "zero", List.of("Comedy"));
        c.put("i1", "one", List.of("Drama", "Comedy"));
        c.put("i2", "two", List.of());
        c.put("i3", "three", List.of("Drama"));
        return c.build();
    }

    static Settings settings(ModelProvider p, Map<String, Object> overrides) {
        Settings s = p.defaultSettings();
        for (Map.Entry<String, Object> e : overrides.entrySet()) {
            s = s.with(e.getKey(), e.getValue());
        }
        return s;
    }

    /** A YouTube-DNN on the tiny data, item embeddings i0 = (1, -2), i1 = (3, 4), i2 = (-1, 0.5), i3 = (0, 0). */
    static YouTubeDNN youTube(String pooling, int historyLength) {
        Interactions data = tiny();
        YouTubeDNN m = (YouTubeDNN) new YouTubeDNN.Provider().create(settings(new YouTubeDNN.Provider(),
                Map.of("embeddingSize", 2, "pooling", pooling, "lpNorm", 3.0, "historyLength", historyLength, "layers", List.of(4))),
                data.schema());
        m.beforeTraining(data);
        float[][] e = {{1, -2}, {3, 4}, {-1, 0.5f}, {0, 0}};
        try (var _ = Autograd.noGrad()) {
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 2; j++) {
                    m.net.items.weight().set(e[i][j], i, j);
                }
            }
        }
        return m;
    }

    static float[] pooled(YouTubeDNN m, long user) {
        try (var _ = Scope.open("t"); var _ = Autograd.noGrad()) {
            return m.pooledHistory(new long[] {user}).contiguous().toFloatArray();
        }
    }

    @Test
    void youTubePoolingSettingMatchesHandValues() {
        float lp0 = (float) Math.cbrt(1 + 27);            // |-1|^3 + |3|^3
        float lp1 = (float) Math.cbrt(0.125 + 64);        // |0.5|^3 + |4|^3
        Object[][] cases = {
                // pooling, u0 {i2, i1}, u1 {i0}, u2 {}
                {"mean", new float[] {1, 2.25f}, new float[] {1, -2}},
                {"max", new float[] {3, 4}, new float[] {1, -2}},
                {"sum", new float[] {2, 4.5f}, new float[] {1, -2}},
                {"lp", new float[] {lp0, lp1}, new float[] {1, 2}},
        };
        for (Object[] c : cases) {
            YouTubeDNN m = youTube((String) c[0], 50);
            assertArrayEquals((float[]) c[1], pooled(m, 0), 1e-4f, c[0] + " of two items");
            assertArrayEquals((float[]) c[2], pooled(m, 1), 1e-4f, c[0] + " of one item");
            assertArrayEquals(new float[] {0, 0}, pooled(m, 2), 1e-6f, c[0] + " of an empty history");
        }
        // historyLength 1 keeps the latest item only (i1 at t=2, though listed first in the file)
        assertArrayEquals(new float[] {3, 4}, pooled(youTube("mean", 1), 0), 1e-6f);
        assertThrows(IllegalArgumentException.class, () -> youTube("median", 5));
    }

    @Test
    void historiesAreTimeOrderedAndExcludeTheTarget() {
        UserHistories h = UserHistories.of(tiny(), 3, 4, "test");
        Bag recent = h.recent(new long[] {0, 1, 2}, 5);
        assertArrayEquals(new long[] {2, 1}, recent.row(0));
        assertArrayEquals(new long[] {0}, recent.row(1));
        assertArrayEquals(new long[] {}, recent.row(2));
        Bag before = h.before(new long[] {0, 0, 1, 2}, new long[] {1, 2, 0, 3}, 5);
        assertArrayEquals(new long[] {2}, before.row(0), "i1 came after i2");
        assertArrayEquals(new long[] {}, before.row(1), "i2 was u0's first item");
        assertArrayEquals(new long[] {}, before.row(2));
        assertArrayEquals(new long[] {}, before.row(3), "a pair outside the training data: the latest items (none)");
        assertEquals(1, before.width(), "padded to the longest row");
        assertEquals(1, h.before(new long[] {2}, new long[] {0}, 5).width(), "at least 1");
    }

    @Test
    void genrePoolingFromCountsEqualsTheBagOfGenres() {
        Interactions data = tiny();
        ItemCatalog catalog = tinyCatalog(data.items());
        for (String pooling : List.of("mean", "max", "lp", "sum")) {
            YouTubeDNN m = (YouTubeDNN) new YouTubeDNN.Provider().create(settings(new YouTubeDNN.Provider(),
                    Map.of("embeddingSize", 3, "pooling", pooling, "layers", List.of(4))), data.schema());
            m.beforeTraining(data);
            m.useItemCatalog(catalog);
            try (var _ = Scope.open("t"); var _ = Autograd.noGrad()) {
                Bag history = m.histories.recent(new long[] {0, 1, 2}, 50);
                Bag multiset = m.genres.ofHistories(history);
                assertArrayEquals(new long[] {0, 1}, multiset.row(0), "i2 has none, i1 Comedy(0) and Drama(1)");
                float[] viaBag = m.net.genres.forward(multiset.idsTensor(io.panrec.tensor.Device.CPU), multiset.lengthsTensor(io.panrec.tensor.Device.CPU)).contiguous().toFloatArray();
                float[] viaCounts = m.pooledGenres(history).contiguous().toFloatArray();
                assertArrayEquals(viaBag, viaCounts, 1e-5f, pooling);
            }
        }
    }

    @Test
    void catalogsWithTooManyGenresOrAnotherVocabularyAreRejected() {
        Interactions data = tiny();
        YouTubeDNN m = (YouTubeDNN) new YouTubeDNN.Provider().create(settings(new YouTubeDNN.Provider(),
                Map.of("genreVocabulary", 1)), data.schema());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.useItemCatalog(tinyCatalog(data.items())));
        assertTrue(e.getMessage().contains("genreVocabulary"), e.getMessage());
        Vocabulary other = Vocabulary.of("items", List.of("a"));
        YouTubeDNN m2 = (YouTubeDNN) new YouTubeDNN.Provider().create(new YouTubeDNN.Provider().defaultSettings(), data.schema());
        assertThrows(IllegalArgumentException.class, () -> m2.useItemCatalog(ItemCatalog.empty(other)));
    }

    @Test
    void dinAttentionWeightsSumToOneOverRealPositionsAndIgnorePadding() {
        Interactions data = tiny();
        for (String norm : List.of("softmax", "none")) {
            DIN m = (DIN) new DIN.Provider().create(settings(new DIN.Provider(),
                    Map.of("embeddingSize", 3, "attentionNormalization", norm, "layers", List.of(8))), data.schema());
            m.setTraining(false);
            SplittableRandom r = new SplittableRandom(5);
            float[] hv = new float[3 * 4 * 6];
            for (int i = 0; i < hv.length; i++) {
                hv[i] = (float) r.nextGaussian();
            }
            float[] cv = new float[3 * 2 * 6];
            for (int i = 0; i < cv.length; i++) {
                cv[i] = (float) r.nextGaussian();
            }
            long[] lengths = {4, 2, 0};
            try (var _ = Scope.open("t"); var _ = Autograd.noGrad()) {
                Tensor c = Tensor.of(cv, 3, 2, 6);
                float[] w = m.attentionWeights(Tensor.of(hv, 3, 4, 6), lengths, c).contiguous().toFloatArray(); // [3, 2, 4]
                // other values in the padding positions change nothing
                float[] hv2 = hv.clone();
                for (int t = 2; t < 4; t++) {
                    for (int j = 0; j < 6; j++) {
                        hv2[(1 * 4 + t) * 6 + j] = 100;
                        hv2[(2 * 4 + t) * 6 + j] = -7;
                    }
                }
                float[] w2 = m.attentionWeights(Tensor.of(hv2, 3, 4, 6), lengths, c).contiguous().toFloatArray();
                assertArrayEquals(w, w2, 0f, norm + ": padding must not matter");
                for (int b = 0; b < 3; b++) {
                    for (int k = 0; k < 2; k++) {
                        double sum = 0;
                        for (int t = 0; t < 4; t++) {
                            float v = w[(b * 2 + k) * 4 + t];
                            if (t >= lengths[b]) {
                                assertEquals(0f, v, 0f, norm + " weight past the length, row " + b);
                            } else if (norm.equals("softmax")) {
                                assertTrue(v > 0 && v < 1, "softmax weight " + v);
                            }
                            sum += v;
                        }
                        if (norm.equals("softmax") && lengths[b] > 0) {
                            assertEquals(1.0, sum, 1e-5, "row " + b + " candidate " + k);
                        }
                    }
                }
                // the weights depend on the candidate (the local activation): two candidates, two distributions
                assertTrue(w[0] != w[4] || w[1] != w[5], "candidates 0 and 1 of row 0 got the same weights");
            }
        }
    }

    @Test
    void dinActivationsAreTheDocumentedFunctions() {
        UnitActivation prelu = new UnitActivation(UnitActivation.Kind.PRELU, 2);
        UnitActivation dice = new UnitActivation(UnitActivation.Kind.DICE, 2);
        try (var _ = Scope.open("t"); var _ = Autograd.noGrad()) {
            Tensor x = Tensor.of(new float[] {-2, 3, 1, -1}, 2, 2);
            assertArrayEquals(new float[] {-0.5f, 3, 1, -0.25f}, prelu.forward(x).toFloatArray(), 1e-6f);
            // Dice in training, alpha = 0: x * sigmoid((x - mean) / sqrt(var + eps)), statistics per column
            float[] got = dice.forward(x).toFloatArray();
            double[] col0 = {-2, 1};
            double[] col1 = {3, -1};
            double m0 = -0.5, v0 = 2.25, m1 = 1, v1 = 4;
            double[] expected = {
                    col0[0] / (1 + Math.exp(-(col0[0] - m0) / Math.sqrt(v0 + 1e-8))),
                    col1[0] / (1 + Math.exp(-(col1[0] - m1) / Math.sqrt(v1 + 1e-8))),
                    col0[1] / (1 + Math.exp(-(col0[1] - m0) / Math.sqrt(v0 + 1e-8))),
                    col1[1] / (1 + Math.exp(-(col1[1] - m1) / Math.sqrt(v1 + 1e-8)))};
            for (int i = 0; i < 4; i++) {
                assertEquals(expected[i], got[i], 1e-5);
            }
        }
    }

    @Test
    void infoNcePopularityCorrectionOnAHandCase() {
        try (var _ = Scope.open("t"); var _ = Autograd.noGrad()) {
            Tensor q = Tensor.of(new float[] {1, 0, 0, 1}, 2, 2);
            Tensor k = Tensor.of(new float[] {1, 0, 1, 1}, 2, 2);
            // logits q k^T = [[1, 1], [0, 1]]; minus log q = [log 2, log 4] per column
            double a = 1 + Math.log(2), b = 1 + Math.log(4), c = Math.log(2), d = 1 + Math.log(4);
            double expected = ((-a + Math.log(Math.exp(a) + Math.exp(b))) + (-d + Math.log(Math.exp(c) + Math.exp(d)))) / 2;
            float got = Contrastive.infoNce(q, k, new long[] {7, 8}, new double[] {Math.log(0.5), Math.log(0.25)}, 1f, false).item();
            assertEquals(expected, got, 1e-5);
            // without correction: core's infoNce; a uniform correction changes nothing
            float plain = Losses.infoNce(q, k, 0.5f, true).item();
            assertEquals(plain, Contrastive.infoNce(q, k, null, null, 0.5f, true).item(), 1e-6);
            assertEquals(plain, Contrastive.infoNce(q, k, new long[] {1, 2}, new double[] {-3, -3}, 0.5f, true).item(), 1e-5);
            // the same item in both rows is no negative of either: each row's softmax has one class left
            assertEquals(0f, Contrastive.infoNce(q, k, new long[] {4, 4}, null, 1f, false).item(), 1e-6);
        }
    }

    @Test
    void twoTowerWithItemCnnTrainsAndReloadsExactly() {
        Interactions data = io.panrec.models.general.ToyData.generate(30, 40, 10, 3);
        ItemCatalog.Builder cb = ItemCatalog.builder(data.items());
        String[] names = {"Action", "Comedy", "Drama", "Horror", "Sci-Fi"};
        for (int i = 0; i < data.numItems(); i++) {
            cb.put(data.items().id(i), "t" + i, List.of(names[i % 5], names[(i / 2) % 5]));
        }
        ItemCatalog catalog = cb.build();
        ModelProvider p = new TwoTower.Provider();
        Settings s = settings(p, Map.of("itemCnn", true, "embeddingSize", 8, "genreVocabulary", 6, "channels", 3, "epochs", 4,
                "batchSize", 64, "learningRate", 0.01, "layers", List.of(16)));
        TwoTower m = (TwoTower) p.create(s, data.schema());
        m.useItemCatalog(catalog);
        m.beforeTraining(data);
        long[] users = new long[64];
        long[] items = new long[64];
        for (int r = 0; r < 64; r++) {
            users[r] = data.user(r);
            items[r] = data.item(r);
        }
        Batch fixed = new Batch().put(Batch.USERS, Tensor.ofLongs(users)).put(Batch.ITEMS, Tensor.ofLongs(items));
        float before;
        try (var _ = Scope.open("b"); var _ = Autograd.noGrad()) {
            before = m.calculateLoss(fixed).item();
            assertArrayEquals(new int[] {5, 8}, m.cnn(new long[] {0, 1, 2, 3, 4}).shape(), "CNN branch [B, d]");
        }
        Trainer.builder(m, data).output(null).build().fit();
        m.setTraining(true);
        float after;
        try (var _ = Scope.open("a"); var _ = Autograd.noGrad()) {
            after = m.calculateLoss(fixed).item();
        }
        m.setTraining(false);
        assertTrue(after < before, "loss " + before + " -> " + after);
        assertTrue(m.stateDict().containsKey("conv.weight"), m.stateDict().keySet().toString());

        Recommender loaded = p.load(s, data.schema(), m.stateDict());
        try (var _ = Scope.open("c"); var _ = Autograd.noGrad()) {
            assertArrayEquals(m.fullSortPredict(new int[] {0, 5}).contiguous().toFloatArray(),
                    loaded.fullSortPredict(new int[] {0, 5}).contiguous().toFloatArray());
        }
    }

    @Test
    void exportedVectorsReproduceThePredictions() {
        Interactions data = io.panrec.models.general.ToyData.generate(20, 30, 8, 4);
        for (ModelProvider p : List.of(new YouTubeDNN.Provider(), new TwoTower.Provider())) {
            Recommender r = p.create(settings(p, Map.of("embeddingSize", 8, "layers", List.of(16), "epochs", 1, "batchSize", 64)),
                    data.schema());
            Trainer.builder(r, data).output(null).build().fit();
            EmbeddingRecommender e = (EmbeddingRecommender) r;
            float[] items = e.itemVectors();
            assertEquals(data.numItems() * e.dimension(), items.length);
            float[] u = e.userVector(3);
            assertEquals(8, u.length);
            float[] scores;
            try (var _ = Scope.open("s"); var _ = Autograd.noGrad()) {
                scores = r.predict(new Batch().put(Batch.USERS, Tensor.ofLongs(new long[] {3, 3})).put(Batch.ITEMS,
                        Tensor.ofLongs(new long[] {0, 17}))).toFloatArray();
            }
            for (int k = 0; k < 2; k++) {
                int item = k == 0 ? 0 : 17;
                double dot = 0;
                for (int j = 0; j < 8; j++) {
                    dot += u[j] * items[item * 8 + j];
                }
                assertEquals(dot, scores[k], 1e-4, p.name() + " item " + item);
            }
            assertThrows(IllegalArgumentException.class, () -> e.userVector(data.numUsers()));
        }
    }

    @Test
    void aStateFromAnotherModelIsRejected() {
        Interactions data = tiny();
        Recommender yt = new YouTubeDNN.Provider().create(new YouTubeDNN.Provider().defaultSettings(), data.schema());
        Recommender tt = new TwoTower.Provider().create(new TwoTower.Provider().defaultSettings(), data.schema());
        assertThrows(IllegalArgumentException.class, () -> tt.loadState(yt.stateDict()));
        Map<String, Tensor> state = new java.util.HashMap<>(yt.stateDict());
        state.remove(BehaviourModel.HISTORY_ITEMS);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> yt.loadState(state));
        assertTrue(e.getMessage().contains("history.items"), e.getMessage());
        DatasetSchema other = DatasetSchema.implicit(5, 4);
        Recommender bigger = new YouTubeDNN.Provider().create(new YouTubeDNN.Provider().defaultSettings(), other);
        assertThrows(IllegalArgumentException.class, () -> bigger.loadState(yt.stateDict()));
    }
}
