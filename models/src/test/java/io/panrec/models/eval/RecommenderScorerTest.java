package io.panrec.models.eval;

import io.panrec.models.data.Interactions;
import io.panrec.models.data.Split;
import io.panrec.models.data.Splits;
import io.panrec.models.data.Vocabulary;
import io.panrec.models.spi.Batch;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.Recommender;
import io.panrec.models.spi.Setting;
import io.panrec.models.spi.Settings;
import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecommenderScorerTest {
    /** A fixed-score model without parameters: score(u, i) = table[u][i]. */
    static final class TableModel implements Recommender {
        final float[][] table;
        boolean training = true;
        int predictCalls;
        int fullCalls;
        boolean wrongShape;

        TableModel(float[][] table) {
            this.table = table;
        }

        @Override
        public Settings settings() {
            return Settings.of("Table", List.of(Setting.of("unused", 1, "nothing")));
        }

        @Override
        public DatasetSchema schema() {
            return DatasetSchema.implicit(table.length, table[0].length);
        }

        @Override
        public Tensor calculateLoss(Batch batch) {
            throw new UnsupportedOperationException("fixed scores");
        }

        @Override
        public Tensor predict(Batch batch) {
            assertFalse(training, "scored in training mode");
            predictCalls++;
            long[] u = batch.get(Batch.USERS).toLongArray();
            long[] i = batch.get(Batch.ITEMS).toLongArray();
            float[] s = new float[wrongShape ? u.length + 1 : u.length];
            for (int k = 0; k < u.length; k++) {
                s[k] = table[(int) u[k]][(int) i[k]];
            }
            return Tensor.of(s);
        }

        @Override
        public Tensor fullSortPredict(Tensor users) {
            assertFalse(training, "scored in training mode");
            fullCalls++;
            long[] u = users.toLongArray();
            int n = table[0].length;
            float[] s = new float[u.length * n];
            for (int k = 0; k < u.length; k++) {
                System.arraycopy(table[(int) u[k]], 0, s, k * n, n);
            }
            return wrongShape ? Tensor.of(s) : Tensor.of(s, u.length, n);
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
            return Map.of();
        }

        @Override
        public void loadState(Map<String, Tensor> state) {
            if (!state.isEmpty()) {
                throw new IllegalArgumentException("unexpected " + state.keySet());
            }
        }
    }

    private static float[][] table(int users, int items) {
        float[][] t = new float[users][items];
        for (int u = 0; u < users; u++) {
            for (int i = 0; i < items; i++) {
                t[u][i] = (float) Math.sin(u * 31 + i * 7);
            }
        }
        return t;
    }

    @Test
    void batchesPairsAndRestoresTheMode() {
        TableModel m = new TableModel(table(5, 8));
        RecommenderScorer s = new RecommenderScorer(m);
        float[][] out = s.score(new int[] {3, 0, 4}, new int[][] {{1, 2}, {}, {7, 0, 5}});
        assertEquals(1, m.predictCalls);
        assertArrayEquals(new float[] {m.table[3][1], m.table[3][2]}, out[0]);
        assertEquals(0, out[1].length);
        assertArrayEquals(new float[] {m.table[4][7], m.table[4][0], m.table[4][5]}, out[2]);
        assertTrue(m.training, "the previous mode is restored");
        float[][] all = s.scoreAll(new int[] {2, 1}, 8);
        assertEquals(1, m.fullCalls);
        assertArrayEquals(m.table[2], all[0]);
        assertArrayEquals(m.table[1], all[1]);
        assertThrows(IllegalArgumentException.class, () -> s.scoreAll(new int[] {0}, 9));
    }

    @Test
    void wrongShapesAreReportedWithTheModelName() {
        TableModel m = new TableModel(table(3, 4));
        m.wrongShape = true;
        RecommenderScorer s = new RecommenderScorer(m);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.score(0, new int[] {1, 2}));
        assertTrue(e.getMessage().contains("Table.predict returned"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> s.scoreAll(new int[] {0, 1}, 4));
        assertTrue(m.training);
    }

    @Test
    void protocolsGiveTheSameResultsThroughTheModelAsThroughAPlainScorer() {
        int nu = 30;
        int ni = 150;
        Vocabulary users = new Vocabulary("users");
        Vocabulary items = new Vocabulary("items");
        for (int i = 0; i < ni; i++) {
            items.add("i" + i);
        }
        Interactions.Builder b = Interactions.builder(users, items, true, true);
        for (int u = 0; u < nu; u++) {
            for (int k = 0; k < 6; k++) {
                b.add("u" + u, "i" + ((u * 13 + k * 17) % ni), 1 + (u + k) % 5, k);
            }
        }
        Split split = Splits.leaveOneOut(b.build(), true);
        TableModel m = new TableModel(table(nu, ni));
        Scorer plain = (u, it) -> {
            float[] s = new float[it.length];
            for (int i = 0; i < it.length; i++) {
                s[i] = m.table[u][it[i]];
            }
            return s;
        };
        RecommenderScorer viaModel = new RecommenderScorer(m);
        SampledRankingProtocol sampled = SampledRankingProtocol.test(split, 50, 5, 5, 10);
        assertEquals(sampled.evaluate(plain).metrics(), sampled.evaluate(viaModel).metrics());
        FullRankingProtocol full = FullRankingProtocol.test(split, 5, 10);
        assertEquals(full.evaluate(plain).metrics(), full.evaluate(viaModel).metrics());
        RatingProtocol rating = new RatingProtocol(split.test());
        assertEquals(rating.evaluate(plain).metrics(), rating.evaluate(viaModel).metrics());
    }
}
