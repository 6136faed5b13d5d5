package io.panrec.models.data;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SplitsTest {
    @Test
    void leaveOneOutTakesTheLatestForTestAndSecondLatestForValidation() {
        Interactions x = Toy.table(new int[][] {
                {0, 0, 5, 30}, {0, 1, 3, 10}, {0, 2, 4, 50}, {0, 3, 4, 20},   // user 0: latest item 2, then item 0
                {1, 4, 1, 7}, {1, 5, 2, 7},                                    // user 1: tie at 7, the later row wins
                {2, 6, 3, 1}});                                                // user 2: one interaction stays in training
        Split s = Splits.leaveOneOut(x, true);
        assertArrayEquals(new int[] {0, 1}, s.test().userColumn());
        assertEquals("i2", x.items().id(s.test().item(0)));
        assertEquals("i5", x.items().id(s.test().item(1)));
        assertArrayEquals(new int[] {0}, s.validation().userColumn()); // user 1 has only two
        assertEquals("i0", x.items().id(s.validation().item(0)));
        assertEquals(4, s.train().size());
        assertArrayEquals(new long[] {10, 20, 7, 1}, s.train().timestampColumn()); // training keeps table order

        Split noValid = Splits.leaveOneOut(x, false);
        assertEquals(0, noValid.validation().size());
        assertEquals(5, noValid.train().size());
    }

    @Test
    void leaveOneOutNeedsTimestamps() {
        Vocabulary u = new Vocabulary("users");
        Vocabulary i = new Vocabulary("items");
        Interactions.Builder b = Interactions.builder(u, i, false, false);
        b.add("a", "x", 1, 0).add("a", "y", 1, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Splits.leaveOneOut(b.build(), true));
        assertTrue(e.getMessage().contains("timestamps"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Splits.temporal(b.build(), 0.2, 0));
    }

    @Test
    void ratioSplitSizesPartitionAndSeed() {
        Interactions x = Toy.random(50, 40, 10, 7);
        Split a = Splits.ratio(x, 0.2, 0.1, 123);
        assertEquals(100, a.test().size());
        assertEquals(50, a.validation().size());
        assertEquals(350, a.train().size());
        // a partition of the rows: every (user, item) pair exactly once (the toy has no repeated pairs)
        Set<Long> seen = new HashSet<>();
        for (Interactions part : new Interactions[] {a.train(), a.validation(), a.test()}) {
            for (int r = 0; r < part.size(); r++) {
                assertTrue(seen.add((long) part.user(r) << 32 | part.item(r)));
            }
        }
        assertEquals(500, seen.size());
        Split b = Splits.ratio(x, 0.2, 0.1, 123);
        assertArrayEquals(a.test().userColumn(), b.test().userColumn());
        assertArrayEquals(a.test().itemColumn(), b.test().itemColumn());
        Split c = Splits.ratio(x, 0.2, 0.1, 124);
        assertFalse(Arrays.equals(a.test().itemColumn(), c.test().itemColumn()) && Arrays.equals(a.test().userColumn(), c.test().userColumn()));
        assertThrows(IllegalArgumentException.class, () -> Splits.ratio(x, 0.6, 0.4, 1));
        assertThrows(IllegalArgumentException.class, () -> Splits.ratio(x, -0.1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> Splits.ratio(x, Double.NaN, 0, 1));
    }

    @Test
    void temporalCutPutsTheLatestRowsInTest() {
        Interactions x = Toy.random(30, 20, 5, 3);
        Split s = Splits.temporal(x, 0.2, 0.2);
        assertEquals(30, s.test().size());
        assertEquals(30, s.validation().size());
        assertEquals(90, s.train().size());
        long maxTrain = Arrays.stream(s.train().timestampColumn()).max().orElseThrow();
        long minValid = Arrays.stream(s.validation().timestampColumn()).min().orElseThrow();
        long maxValid = Arrays.stream(s.validation().timestampColumn()).max().orElseThrow();
        long minTest = Arrays.stream(s.test().timestampColumn()).min().orElseThrow();
        assertTrue(maxTrain <= minValid && maxValid <= minTest, maxTrain + " " + minValid + " " + maxValid + " " + minTest);
    }

    @Test
    void leaveOneOutAgreesWithSortingEachUsersHistory() {
        Interactions x = Toy.random(60, 25, 8, 17);
        // many equal timestamps, to exercise the row tie-break
        long[] ts = x.timestampColumn();
        for (int r = 0; r < ts.length; r++) {
            ts[r] = ts[r] % 5;
        }
        Interactions y = Interactions.of(x.users(), x.items(), x.userColumn(), x.itemColumn(), x.ratingColumn(), ts);
        Split s = Splits.leaveOneOut(y, true);
        for (int u = 0; u < y.numUsers(); u++) {
            final int user = u;
            int[] rows = java.util.stream.IntStream.range(0, y.size()).filter(r -> y.user(r) == user).boxed()
                    .sorted(java.util.Comparator.<Integer>comparingLong(y::timestamp).thenComparingInt(r -> r))
                    .mapToInt(Integer::intValue).toArray();
            int last = rows[rows.length - 1];
            int before = rows[rows.length - 2];
            int t = indexOfUser(s.test(), u);
            int v = indexOfUser(s.validation(), u);
            assertEquals(y.item(last), s.test().item(t), "user " + u);
            assertEquals(y.item(before), s.validation().item(v), "user " + u);
        }
    }

    private static int indexOfUser(Interactions part, int user) {
        int found = -1;
        for (int r = 0; r < part.size(); r++) {
            if (part.user(r) == user) {
                assertEquals(-1, found, "user " + user + " has two rows");
                found = r;
            }
        }
        return found;
    }

    @Test
    void temporalOrderWithAHugeTimestampRange() {
        Interactions x = Toy.table(new int[][] {{0, 0, 1, 0}, {0, 1, 1, 0}, {1, 0, 1, 0}, {1, 1, 1, 0}});
        long[] ts = {Long.MAX_VALUE, Long.MIN_VALUE, 0, Long.MIN_VALUE};
        Interactions y = Interactions.of(x.users(), x.items(), x.userColumn(), x.itemColumn(), x.ratingColumn(), ts);
        assertArrayEquals(new int[] {1, 3, 2, 0}, Splits.timeOrder(y));
        Split s = Splits.temporal(y, 0.25, 0.25);
        assertArrayEquals(new long[] {Long.MAX_VALUE}, s.test().timestampColumn());
        assertArrayEquals(new long[] {0}, s.validation().timestampColumn());
        long[] small = {30, 10, 20, 10};
        Interactions z = Interactions.of(x.users(), x.items(), x.userColumn(), x.itemColumn(), x.ratingColumn(), small);
        assertArrayEquals(new int[] {1, 3, 2, 0}, Splits.timeOrder(z));
    }
}
