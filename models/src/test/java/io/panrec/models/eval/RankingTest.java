package io.panrec.models.eval;

import io.panrec.testing.Rand;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RankingTest {
    @Test
    void pessimisticRankCountsTiesAgainstTheTarget() {
        float[] s = {0.5f, 0.9f, 0.5f, 0.1f, 0.5f};
        assertEquals(4, Ranking.pessimisticRank(s, 0)); // 0.9 and two tied 0.5s rank before it
        assertEquals(1, Ranking.pessimisticRank(s, 1));
        assertEquals(5, Ranking.pessimisticRank(s, 3));
        assertEquals(3, Ranking.pessimisticRank(new float[] {7, 7, 7}, 0)); // constant scores: last, never first
        assertEquals(1, Ranking.pessimisticRank(new float[] {Float.POSITIVE_INFINITY, 1}, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Ranking.pessimisticRank(new float[] {1, Float.NaN}, 0));
        assertTrue(e.getMessage().contains("item 1 is NaN"), e.getMessage());
    }

    @Test
    void topKOrdersByScoreThenIndexAndSkipsExcluded() {
        float[] s = {0.2f, 0.9f, 0.5f, 0.9f, 0.5f, -1f};
        assertArrayEquals(new int[] {1, 3, 2}, Ranking.topK(s, 3, null));
        assertArrayEquals(new int[] {3, 2, 4}, Ranking.topK(s, 3, new boolean[] {false, true, false, false, false, false}));
        assertArrayEquals(new int[] {1, 3, 2, 4, 0, 5}, Ranking.topK(s, 100, null));
        assertArrayEquals(new int[0], Ranking.topK(s, 2, new boolean[] {true, true, true, true, true, true}));
        assertThrows(IllegalArgumentException.class, () -> Ranking.topK(s, 0, null));
        assertThrows(IllegalArgumentException.class, () -> Ranking.topK(s, 1, new boolean[2]));
    }

    @Test
    void pessimisticTopKPutsRelevantItemsAfterTiedOthers() {
        float[] s = {0.5f, 0.5f, 0.5f, 0.1f};
        boolean[] rel = {true, false, false, false};
        assertArrayEquals(new boolean[] {false, false, true}, Ranking.pessimisticTopK(s, 3, rel, null));
        assertArrayEquals(new boolean[] {false, false}, Ranking.pessimisticTopK(s, 2, rel, null));
        boolean[] excl = {false, true, false, false};
        assertArrayEquals(new boolean[] {false, true}, Ranking.pessimisticTopK(s, 2, rel, excl));
    }

    @Test
    void heapSelectionAgreesWithAFullSort() {
        Rand rand = new Rand();
        SplittableRandom r = rand.random();
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + r.nextInt(300);
            int k = 1 + r.nextInt(n + 5);
            float[] s = new float[n];
            boolean[] excl = new boolean[n];
            for (int i = 0; i < n; i++) {
                s[i] = r.nextInt(20) / 4f;
                excl[i] = r.nextInt(5) == 0;
            }
            int[] expected = IntStream.range(0, n).filter(i -> !excl[i]).boxed()
                    .sorted(Comparator.<Integer>comparingDouble(i -> -s[i]).thenComparingInt(i -> i))
                    .limit(k).mapToInt(Integer::intValue).toArray();
            assertArrayEquals(expected, Ranking.topK(s, k, excl), "seed " + rand.seed + " trial " + trial + " " + Arrays.toString(s));
        }
    }
}
