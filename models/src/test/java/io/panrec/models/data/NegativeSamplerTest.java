package io.panrec.models.data;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NegativeSamplerTest {
    private static final long SEED = 20260101L;

    @Test
    void neverReturnsAPositiveEvenForUsersWhoSawAlmostEverything() {
        // user 0 saw 2 items of 50, user 1 saw 48 of 50 (the exact fallback path), user 2 saw 49
        Vocabulary u = new Vocabulary("users");
        Vocabulary iv = new Vocabulary("items");
        for (int i = 0; i < 50; i++) {
            iv.add("i" + i);
        }
        Interactions.Builder b = Interactions.builder(u, iv, false, false);
        b.add("a", "i3", 1, 0).add("a", "i40", 1, 0);
        for (int i = 0; i < 50; i++) {
            if (i != 7 && i != 31) {
                b.add("b", "i" + i, 1, 0);
            }
            if (i != 49) {
                b.add("c", "i" + i, 1, 0);
            }
        }
        UserItemIndex pos = b.build().byUser();
        int[] counts = new int[50];
        for (int i = 0; i < 50; i++) {
            counts[i] = 1 + i;
        }
        for (NegativeSampler s : new NegativeSampler[] {NegativeSampler.uniform(pos), NegativeSampler.popularity(pos, counts, 1.0)}) {
            SplittableRandom r = new SplittableRandom(SEED);
            int seen7 = 0;
            for (int k = 0; k < 2000; k++) {
                int a = s.sample(0, r);
                assertFalse(pos.contains(0, a), "user 0 got positive " + a);
                int bb = s.sample(1, r);
                assertTrue(bb == 7 || bb == 31, "user 1 got " + bb);
                if (bb == 7) {
                    seen7++;
                }
                assertEquals(49, s.sample(2, r));
            }
            // both free items of user 1 come out, in proportion to their weight (uniform 1:1, popularity 8:32)
            double expected = s instanceof NegativeSampler.Uniform ? 0.5 : 8.0 / 40;
            assertEquals(expected, seen7 / 2000.0, 0.05, s.getClass().getSimpleName());
        }
    }

    @Test
    void exhaustedUserThrows() {
        Interactions x = Toy.table(new int[][] {{0, 0, 1, 0}, {0, 1, 1, 0}, {1, 0, 1, 0}});
        UserItemIndex pos = x.byUser();
        SplittableRandom r = new SplittableRandom(SEED);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> NegativeSampler.uniform(pos).sample(0, r));
        assertTrue(e.getMessage().contains("user 0"), e.getMessage());
        assertEquals(1, NegativeSampler.uniform(pos).sample(1, r));
        // popularity: item 1 has count 0 (weight 0), so user 1 has nothing to draw
        assertThrows(IllegalStateException.class, () -> NegativeSampler.popularity(pos, new int[] {3, 0}, 1).sample(1, r));
        assertEquals(1, NegativeSampler.popularity(pos, new int[] {3, 0}, 0).sample(1, r));
    }

    @Test
    void popularityFollowsCountsRoughly() {
        int n = 20;
        Vocabulary iv = new Vocabulary("items");
        for (int i = 0; i < n; i++) {
            iv.add("i" + i);
        }
        Interactions.Builder b = Interactions.builder(new Vocabulary("users"), iv, false, false);
        b.add("a", "i0", 1, 0); // user a has item 0, which must then never come out
        b.add("z", "i1", 1, 0);
        UserItemIndex pos = b.build().byUser();
        int[] counts = new int[n];
        double total = 0;
        for (int i = 0; i < n; i++) {
            counts[i] = i == 5 ? 0 : (i + 1) * (i + 1);
            total += i == 0 ? 0 : counts[i];
        }
        NegativeSampler s = NegativeSampler.popularity(pos, counts, 1.0);
        SplittableRandom r = new SplittableRandom(SEED);
        int draws = 200_000;
        int[] hist = new int[n];
        for (int k = 0; k < draws; k++) {
            hist[s.sample(0, r)]++;
        }
        assertEquals(0, hist[0]);
        assertEquals(0, hist[5]);
        for (int i = 1; i < n; i++) {
            double expected = counts[i] / total;
            double got = hist[i] / (double) draws;
            // generous: 5 standard deviations plus a little
            double sd = Math.sqrt(expected * (1 - expected) / draws);
            assertEquals(expected, got, 5 * sd + 1e-4, "item " + i + " (seed " + SEED + ")");
        }
        // the exponent flattens: with 0.5 the most popular item is drawn less often than with 1
        NegativeSampler flat = NegativeSampler.popularity(pos, counts, 0.5);
        int top1 = 0;
        int top05 = 0;
        SplittableRandom r2 = new SplittableRandom(SEED);
        for (int k = 0; k < 50_000; k++) {
            top1 += s.sample(0, r2) == n - 1 ? 1 : 0;
            top05 += flat.sample(0, r2) == n - 1 ? 1 : 0;
        }
        assertTrue(top05 < top1 * 0.8, top05 + " vs " + top1);
    }

    @Test
    void uniformIsUniformAndSeeded() {
        Interactions x = Toy.random(10, 30, 10, 1);
        UserItemIndex pos = x.byUser();
        NegativeSampler s = NegativeSampler.uniform(pos);
        int[] a = new int[500];
        int[] b = new int[500];
        s.sample(3, new SplittableRandom(SEED), a, 0, 500);
        s.sample(3, new SplittableRandom(SEED), b, 0, 500);
        assertArrayEquals(a, b);
        int[] hist = new int[30];
        SplittableRandom r = new SplittableRandom(SEED);
        int draws = 100_000;
        for (int k = 0; k < draws; k++) {
            hist[s.sample(3, r)]++;
        }
        double p = 1.0 / (30 - pos.count(3));
        for (int i = 0; i < 30; i++) {
            if (pos.contains(3, i)) {
                assertEquals(0, hist[i]);
            } else {
                assertEquals(p, hist[i] / (double) draws, 5 * Math.sqrt(p * (1 - p) / draws), "item " + i);
            }
        }
    }

    @Test
    void validation() {
        UserItemIndex pos = Toy.table(new int[][] {{0, 0, 1, 0}, {0, 1, 1, 0}}).byUser();
        assertThrows(IllegalArgumentException.class, () -> NegativeSampler.popularity(pos, new int[] {1}, 1));
        assertThrows(IllegalArgumentException.class, () -> NegativeSampler.popularity(pos, new int[] {1, -1}, 1));
        assertThrows(IllegalArgumentException.class, () -> NegativeSampler.popularity(pos, new int[] {0, 0}, 1));
        assertThrows(IllegalArgumentException.class, () -> NegativeSampler.popularity(pos, new int[] {1, 1}, -1));
    }
}
