package io.panrec.models.eval;

import io.panrec.models.data.Interactions;
import io.panrec.models.data.Split;
import io.panrec.models.data.Splits;
import io.panrec.models.data.UserItemIndex;
import io.panrec.models.data.Vocabulary;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProtocolsTest {
    private static final double EPS = 1e-12;

    /** 40 users, 300 items, 12 interactions each with increasing timestamps. */
    private static Interactions data() {
        SplittableRandom r = new SplittableRandom(99);
        Vocabulary users = new Vocabulary("users");
        Vocabulary items = new Vocabulary("items");
        for (int i = 0; i < 300; i++) {
            items.add("i" + i);
        }
        Interactions.Builder b = Interactions.builder(users, items, true, true);
        for (int u = 0; u < 40; u++) {
            Set<Integer> taken = new HashSet<>();
            for (int k = 0; k < 12; k++) {
                int item;
                do {
                    item = r.nextInt(300);
                } while (!taken.add(item));
                b.add("u" + u, "i" + item, 1 + r.nextInt(5), 1000L * u + k);
            }
        }
        return b.build();
    }

    /** Scores 1 for the items of {@code target} per user, {@code other} for the rest. */
    private static Scorer scorer(Interactions target, float hit, float other) {
        UserItemIndex idx = UserItemIndex.of(target);
        return (user, items) -> {
            float[] s = new float[items.length];
            for (int i = 0; i < items.length; i++) {
                s[i] = idx.contains(user, items[i]) ? hit : other;
            }
            return s;
        };
    }

    @Test
    void sampledOracleScoresOneAndReverseOracleZero() {
        Split split = Splits.leaveOneOut(data(), true);
        SampledRankingProtocol p = SampledRankingProtocol.test(split, 99, 7, 1, 10);
        assertEquals(40, p.cases());
        EvaluationResult best = p.evaluate(scorer(split.test(), 1, 0));
        assertEquals(1, best.metric("HR@1"), EPS);
        assertEquals(1, best.metric("HR@10"), EPS);
        assertEquals(1, best.metric("NDCG@10"), EPS);
        assertEquals(1, best.metric("MRR@10"), EPS);
        assertEquals(40, best.cases());
        EvaluationResult worst = p.evaluate(scorer(split.test(), -1, 0));
        assertEquals(0, worst.metric("HR@10"), EPS);
        assertEquals(0, worst.metric("NDCG@10"), EPS);
        // constant scores: ties go against the held-out item
        EvaluationResult constant = p.evaluate((u, items) -> new float[items.length]);
        assertEquals(0, constant.metric("HR@10"), EPS);
        assertEquals(Arrays.asList("HR@1", "HR@10", "NDCG@1", "NDCG@10", "MRR@1", "MRR@10"),
                constant.metrics().keySet().stream().toList());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> best.metric("Recall@10"));
        assertTrue(e.getMessage().contains("HR@10"), e.getMessage());
    }

    @Test
    void sampledRankByHand() {
        // the held-out item ranked 3rd among its candidates: HR@2 = 0, HR@3 = 1, NDCG@3 = 1/log2(4) = 0.5, MRR@3 = 1/3
        Split split = Splits.leaveOneOut(data(), false);
        SampledRankingProtocol p = SampledRankingProtocol.test(split, 9, 3, 2, 3);
        Scorer third = new Scorer() {
            @Override
            public float[] score(int user, int[] items) {
                throw new AssertionError("the protocol calls the batched method");
            }

            @Override
            public float[][] score(int[] users, int[][] items) {
                float[][] out = new float[users.length][];
                for (int c = 0; c < users.length; c++) {
                    out[c] = new float[items[c].length];
                    for (int i = 0; i < items[c].length; i++) {
                        out[c][i] = -i;   // candidate order: the held-out item (index 0) first ...
                    }
                    out[c][0] = -2.5f;    // ... moved behind two negatives (-1, -2)
                }
                return out;
            }
        };
        EvaluationResult r = p.evaluate(third);
        assertEquals(0, r.metric("HR@2"), EPS);
        assertEquals(1, r.metric("HR@3"), EPS);
        assertEquals(0.5, r.metric("NDCG@3"), EPS);
        assertEquals(1.0 / 3, r.metric("MRR@3"), EPS);
    }

    @Test
    void sampledNegativesAreFreshDistinctAndSeeded() {
        Interactions all = data();
        Split split = Splits.leaveOneOut(all, true);
        UserItemIndex everything = all.byUser();
        SampledRankingProtocol p = SampledRankingProtocol.test(split, 99, 42, 10);
        SampledRankingProtocol same = SampledRankingProtocol.test(split, 99, 42, 10);
        SampledRankingProtocol other = SampledRankingProtocol.test(split, 99, 43, 10);
        boolean anyDiffers = false;
        for (int c = 0; c < p.cases(); c++) {
            int[] cand = p.candidates(c);
            assertEquals(100, cand.length);
            assertEquals(split.test().item(c), cand[0]);
            assertEquals(100, Arrays.stream(cand).distinct().count());
            for (int k = 1; k < cand.length; k++) {
                assertFalse(everything.contains(p.user(c), cand[k]), "case " + c + " negative " + cand[k] + " was interacted with");
            }
            assertArrayEquals(cand, same.candidates(c));
            anyDiffers |= !Arrays.equals(cand, other.candidates(c));
        }
        assertTrue(anyDiffers);
        // a user with fewer free items than negatives
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SampledRankingProtocol.test(split, 289, 1, 10));
        assertTrue(e.getMessage().contains("fewer than the 289 negatives"), e.getMessage());
        // exactly as many free items as needed: the dense path takes them all
        SampledRankingProtocol full = SampledRankingProtocol.test(split, 288, 1, 10);
        int[] cand = full.candidates(0);
        assertEquals(289, Arrays.stream(cand).distinct().count());
    }

    @Test
    void fullRankingByHand() {
        // one user, 6 items; training item 0, test items 2 and 4
        Vocabulary users = Vocabulary.of("users", java.util.List.of("u"));
        Vocabulary items = Vocabulary.of("items", java.util.List.of("a", "b", "c", "d", "e", "f"));
        Interactions train = Interactions.of(users, items, new int[] {0}, new int[] {0}, null, null);
        Interactions test = Interactions.of(users, items, new int[] {0, 0}, new int[] {2, 4}, null, null);
        Split split = new Split(train, train.select(new int[0]), test);
        FullRankingProtocol p = FullRankingProtocol.test(split, 3, 10);
        EvaluationResult r = p.evaluate((u, it) -> {
            float[] s = new float[it.length];
            for (int i = 0; i < it.length; i++) {
                s[i] = it[i] == 0 ? 9 : 6 - it[i]; // item 0 best (but known), then 1 > 2 > 3 > 4 > 5
            }
            return s;
        });
        // ranking without item 0: b c d e f -> relevance F T F T F
        double l3 = Math.log(3) / Math.log(2);
        double l5 = Math.log(5) / Math.log(2);
        assertEquals(1, r.metric("HR@3"), EPS);
        assertEquals(0.5, r.metric("MRR@3"), EPS);
        assertEquals(0.5, r.metric("Recall@3"), EPS);
        assertEquals(1.0 / 3, r.metric("Precision@3"), EPS);
        assertEquals((1 / l3) / (1 + 1 / l3), r.metric("NDCG@3"), EPS);
        assertEquals((1 / l3 + 1 / l5) / (1 + 1 / l3), r.metric("NDCG@10"), EPS);
        assertEquals(1, r.metric("Recall@10"), EPS);
        assertEquals(0.2, r.metric("Precision@10"), EPS);
        assertEquals(0.5, r.metric("Coverage@3"), EPS);       // b c d of 6
        assertEquals(5.0 / 6, r.metric("Coverage@10"), EPS);  // everything but the known item
        assertEquals(1, r.cases());
    }

    @Test
    void fullRankingOracleAndReverse() {
        Split split = Splits.leaveOneOut(data(), true);
        FullRankingProtocol p = FullRankingProtocol.test(split, 10);
        // the oracle also scores known items highest: they must be removed, not ranked
        Interactions known = split.known();
        UserItemIndex test = UserItemIndex.of(split.test());
        UserItemIndex knownIdx = UserItemIndex.of(known);
        Scorer oracle = (u, items) -> {
            float[] s = new float[items.length];
            for (int i = 0; i < items.length; i++) {
                s[i] = knownIdx.contains(u, items[i]) ? 100 : test.contains(u, items[i]) ? 1 : 0;
            }
            return s;
        };
        EvaluationResult best = p.evaluate(oracle);
        assertEquals(1, best.metric("HR@10"), EPS);
        assertEquals(1, best.metric("NDCG@10"), EPS);
        assertEquals(1, best.metric("Recall@10"), EPS);
        assertEquals(0.1, best.metric("Precision@10"), EPS);
        EvaluationResult worst = p.evaluate(scorer(split.test(), -1, 0));
        assertEquals(0, worst.metric("HR@10"), EPS);
        assertEquals(0, worst.metric("NDCG@10"), EPS);
        assertThrows(IllegalArgumentException.class, () -> p.evaluate((u, items) -> new float[items.length - 1]));
        float[] nan = new float[300];
        nan[5] = Float.NaN;
        assertThrows(IllegalArgumentException.class, () -> p.evaluate((u, items) -> nan.clone()));
    }

    @Test
    void ratingProtocolByHandWithClipping() {
        Vocabulary users = Vocabulary.of("users", java.util.List.of("a", "b"));
        Vocabulary items = Vocabulary.of("items", java.util.List.of("x", "y"));
        Interactions test = Interactions.of(users, items, new int[] {1, 0, 1}, new int[] {0, 1, 1}, new float[] {4, 2, 5}, null);
        // predictions: (b,x) 3, (a,y) 2, (b,y) 6 -> errors -1, 0, +1; clipped to 5: -1, 0, 0
        Scorer s = (u, it) -> {
            float[] out = new float[it.length];
            for (int i = 0; i < it.length; i++) {
                out[i] = u == 1 && it[i] == 0 ? 3 : u == 0 ? 2 : 6;
            }
            return out;
        };
        EvaluationResult r = new RatingProtocol(test).evaluate(s);
        assertEquals(Math.sqrt(2.0 / 3), r.metric("RMSE"), EPS);
        assertEquals(2.0 / 3, r.metric("MAE"), EPS);
        assertEquals(3, r.cases());
        EvaluationResult c = new RatingProtocol(test).clipped(1, 5).evaluate(s);
        assertEquals(Math.sqrt(1.0 / 3), c.metric("RMSE"), EPS);
        assertEquals(1.0 / 3, c.metric("MAE"), EPS);
        assertThrows(IllegalArgumentException.class, () -> new RatingProtocol(test.implicit(0)));
        assertThrows(IllegalArgumentException.class, () -> new RatingProtocol(test).evaluate((u, it) -> new float[] {Float.NaN, 1}));
    }
}
