package io.panrec.models.data;

import io.panrec.models.spi.DatasetSchema;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InteractionsTest {
    private final Interactions x = Toy.table(new int[][] {
            {0, 0, 5, 10}, {0, 1, 3, 20}, {1, 1, 4, 15}, {2, 2, 1, 5}, {1, 0, 2, 30}, {0, 0, 4, 40}});

    @Test
    void columnsCountsAndSchema() {
        assertEquals(6, x.size());
        assertEquals(3, x.numUsers());
        assertEquals(3, x.numItems());
        assertArrayEquals(new int[] {3, 2, 1}, x.itemCounts());
        assertArrayEquals(new int[] {3, 2, 1}, x.userCounts());
        assertEquals(1f, x.minRating());
        assertEquals(5f, x.maxRating());
        assertEquals(19.0 / 6, x.meanRating(), 1e-12);
        assertEquals(DatasetSchema.explicit(3, 3, 1, 5), x.schema());
        int[] users = x.userColumn();
        users[0] = 99; // a copy
        assertEquals(0, x.user(0));
    }

    @Test
    void implicitThresholdKeepsRatingsAtOrAbove() {
        Interactions imp = x.implicit(4);
        assertEquals(3, imp.size());
        assertArrayEquals(new int[] {0, 1, 0}, imp.itemColumn());
        assertArrayEquals(new float[] {1, 1, 1}, imp.ratingColumn());
        assertFalse(imp.hasRatings());
        assertTrue(imp.hasTimestamps());
        assertSame(x.items(), imp.items());
        assertEquals(DatasetSchema.implicit(3, 3), imp.schema());
        assertEquals(6, x.implicit(1).size());
        assertSame(imp, imp.implicit(100));
    }

    @Test
    void selectConcatAndUserItemIndex() {
        Interactions a = x.select(new int[] {5, 0});
        assertArrayEquals(new long[] {40, 10}, a.timestampColumn());
        Interactions b = x.select(new int[] {2});
        Interactions ab = a.concat(b);
        assertEquals(3, ab.size());
        UserItemIndex idx = UserItemIndex.of(a, b);
        assertArrayEquals(new int[] {0}, idx.items(0)); // the duplicate pair counted once
        assertArrayEquals(new int[] {1}, idx.items(1));
        assertEquals(0, idx.count(2));
        assertTrue(idx.contains(1, 1));
        assertFalse(idx.contains(1, 0));
        assertFalse(idx.contains(7, 0));
        assertEquals(2, idx.totalPairs());
        UserItemIndex all = x.byUser();
        assertArrayEquals(new int[] {0, 1}, all.items(0));
        assertArrayEquals(new int[] {0, 1}, all.items(1));
        assertArrayEquals(new int[] {2}, all.items(2));
        Interactions other = Toy.table(new int[][] {{0, 0, 1, 1}});
        assertThrows(IllegalArgumentException.class, () -> x.concat(other));
        assertThrows(IllegalArgumentException.class, () -> UserItemIndex.of(x, other));
    }

    @Test
    void ofValidatesColumns() {
        Vocabulary u = Vocabulary.of("users", List.of("a"));
        Vocabulary i = Vocabulary.of("items", List.of("p", "q"));
        Interactions t = Interactions.of(u, i, new int[] {0, 0}, new int[] {1, 0}, null, null);
        assertFalse(t.hasRatings());
        assertEquals(1f, t.rating(1));
        assertThrows(IllegalArgumentException.class, () -> Interactions.of(u, i, new int[] {1}, new int[] {0}, null, null));
        assertThrows(IllegalArgumentException.class, () -> Interactions.of(u, i, new int[] {0}, new int[] {2}, null, null));
        assertThrows(IllegalArgumentException.class, () -> Interactions.of(u, i, new int[] {0}, new int[] {0, 1}, null, null));
        assertThrows(IllegalArgumentException.class, () -> Interactions.of(u, i, new int[] {0}, new int[] {0}, new float[] {Float.NaN}, null));
    }
}
