package io.panrec.models.eval;

import io.panrec.testing.Rand;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MetricsTest {
    private static final double EPS = 1e-12;
    private static final double L2 = Math.log(2);

    @Test
    void rmseAndMaeByHand() {
        float[] p = {3, 4, 2.5f, 5};
        float[] y = {4, 4, 1.5f, 3};
        // errors -1, 0, 1, 2: squares 1 0 1 4 -> mean 1.5; absolutes 1 0 1 2 -> mean 1
        assertEquals(Math.sqrt(1.5), Metrics.rmse(p, y), EPS);
        assertEquals(1.0, Metrics.mae(p, y), EPS);
        assertEquals(0, Metrics.rmse(y, y), EPS);
        assertThrows(IllegalArgumentException.class, () -> Metrics.rmse(new float[0], new float[0]));
        assertThrows(IllegalArgumentException.class, () -> Metrics.mae(new float[1], new float[2]));
    }

    @Test
    void aucByHandWithTies() {
        // positives 0.9, 0.5; negatives 0.5, 0.1: pairs (0.9>0.5) (0.9>0.1) (0.5=0.5 half) (0.5>0.1) -> 3.5 / 4
        assertEquals(0.875, Metrics.auc(new float[] {0.9f, 0.5f, 0.5f, 0.1f}, new float[] {1, 1, 0, 0}), EPS);
        assertEquals(1.0, Metrics.auc(new float[] {2, 1}, new float[] {1, 0}), EPS);
        assertEquals(0.0, Metrics.auc(new float[] {2, 1}, new float[] {0, 1}), EPS);
        assertEquals(0.5, Metrics.auc(new float[] {7, 7, 7}, new float[] {0, 1, 0}), EPS);
        assertThrows(IllegalArgumentException.class, () -> Metrics.auc(new float[] {1, 2}, new float[] {1, 1}));
        assertThrows(IllegalArgumentException.class, () -> Metrics.auc(new float[] {1, 2}, new float[] {1, 2}));
        assertThrows(IllegalArgumentException.class, () -> Metrics.auc(new float[] {Float.NaN, 2}, new float[] {1, 0}));
    }

    @Test
    void aucAgreesWithPairCountingOnRandomData() {
        Rand rand = new Rand();
        SplittableRandom r = rand.random();
        for (int trial = 0; trial < 50; trial++) {
            int n = 2 + r.nextInt(60);
            float[] s = new float[n];
            float[] y = new float[n];
            for (int i = 0; i < n; i++) {
                s[i] = r.nextInt(8); // many ties
                y[i] = r.nextBoolean() ? 1 : 0;
            }
            y[0] = 1;
            y[1] = 0;
            double pairs = 0;
            double wins = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    if (y[i] == 1 && y[j] == 0) {
                        pairs++;
                        wins += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
                    }
                }
            }
            assertEquals(wins / pairs, Metrics.auc(s, y), 1e-12, "seed " + rand.seed + " trial " + trial);
        }
    }

    @Test
    void logLossByHandAndClipped() {
        double expected = -(Math.log(0.8) + Math.log(1 - 0.3)) / 2;
        assertEquals(expected, Metrics.logLoss(new float[] {0.8f, 0.3f}, new float[] {1, 0}), 1e-7);
        // a certain mistake costs -log(eps), not infinity
        assertEquals(-Math.log(1e-7), Metrics.logLoss(new float[] {0f}, new float[] {1}), 1e-9);
        assertEquals(-Math.log(1e-3), Metrics.logLoss(new float[] {1f}, new float[] {0}, 1e-3), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> Metrics.logLoss(new float[] {1.5f}, new float[] {1}));
        assertThrows(IllegalArgumentException.class, () -> Metrics.logLoss(new float[] {0.5f}, new float[] {0.5f}));
        assertThrows(IllegalArgumentException.class, () -> Metrics.logLoss(new float[] {0.5f}, new float[] {1}, 0));
    }

    @Test
    void rankingMetricsByHand() {
        // ranked list: relevant at ranks 2 and 4, user has 3 relevant items in all
        boolean[] ranked = {false, true, false, true, false};
        assertEquals(0, Metrics.hit(ranked, 1), EPS);
        assertEquals(1, Metrics.hit(ranked, 2), EPS);
        assertEquals(0.5, Metrics.mrr(ranked, 5), EPS);
        assertEquals(0, Metrics.mrr(ranked, 1), EPS);
        double dcg = 1 / (Math.log(3) / L2) + 1 / (Math.log(5) / L2);
        double idcg3 = 1 + 1 / (Math.log(3) / L2) + 1 / (Math.log(4) / L2);
        assertEquals(dcg / idcg3, Metrics.ndcg(ranked, 3, 5), EPS);
        double idcg2 = 1 + 1 / (Math.log(3) / L2);          // K = 2 < R: the ideal list has 2 hits
        assertEquals((1 / (Math.log(3) / L2)) / idcg2, Metrics.ndcg(ranked, 3, 2), EPS);
        assertEquals(2.0 / 3, Metrics.recall(ranked, 3, 5), EPS);
        assertEquals(1.0 / 3, Metrics.recall(ranked, 3, 3), EPS);
        assertEquals(2.0 / 5, Metrics.precision(ranked, 5), EPS);
        assertEquals(1.0 / 3, Metrics.precision(ranked, 3), EPS);
    }

    @Test
    void kLargerThanTheList() {
        boolean[] ranked = {true, false};
        assertEquals(1, Metrics.hit(ranked, 10), EPS);
        assertEquals(1, Metrics.ndcg(ranked, 1, 10), EPS);
        assertEquals(1, Metrics.mrr(ranked, 10), EPS);
        assertEquals(1, Metrics.recall(ranked, 1, 10), EPS);
        assertEquals(0.1, Metrics.precision(ranked, 10), EPS);       // divided by K, as RecBole
        double idcg = 1 + 1 / (Math.log(3) / L2);
        assertEquals(1 / idcg, Metrics.ndcg(ranked, 2, 10), EPS);    // the second relevant item was not ranked
        assertEquals(0, Metrics.hit(new boolean[0], 5), EPS);
    }

    @Test
    void singleItemRanks() {
        assertEquals(1, Metrics.ndcgAtRank(1, 10), EPS);
        assertEquals(1 / (Math.log(4) / L2), Metrics.ndcgAtRank(3, 10), EPS);
        assertEquals(0, Metrics.ndcgAtRank(11, 10), EPS);
        assertEquals(1, Metrics.hitAtRank(10, 10), EPS);
        assertEquals(0, Metrics.hitAtRank(11, 10), EPS);
        assertEquals(0.25, Metrics.mrrAtRank(4, 10), EPS);
        assertEquals(0, Metrics.mrrAtRank(4, 3), EPS);
        // the list form agrees with the rank form
        boolean[] ranked = {false, false, true};
        assertEquals(Metrics.ndcgAtRank(3, 5), Metrics.ndcg(ranked, 1, 5), EPS);
        assertThrows(IllegalArgumentException.class, () -> Metrics.hitAtRank(0, 10));
        assertThrows(IllegalArgumentException.class, () -> Metrics.hitAtRank(1, 0));
        assertThrows(IllegalArgumentException.class, () -> Metrics.ndcg(ranked, 0, 5));
        assertThrows(IllegalArgumentException.class, () -> Metrics.recall(new boolean[] {true, true}, 1, 5));
    }

    @Test
    void coverage() {
        int[][] tops = {{0, 1, 2}, {1, 2, 3}, {0, 5}};
        assertEquals(2.0 / 10, Metrics.itemCoverage(tops, 1, 10), EPS);   // {0, 1}
        assertEquals(4.0 / 10, Metrics.itemCoverage(tops, 2, 10), EPS);   // {0, 1, 2, 5}
        assertEquals(5.0 / 10, Metrics.itemCoverage(tops, 3, 10), EPS);   // {0, 1, 2, 3, 5}
        assertThrows(IllegalArgumentException.class, () -> Metrics.itemCoverage(new int[][] {{10}}, 1, 10));
    }
}
