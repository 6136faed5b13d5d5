package io.panrec.models.data;

import io.panrec.models.spi.Batch;
import io.panrec.tensor.DType;
import io.panrec.tensor.Scope;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchesTest {
    private final Interactions data = Toy.random(20, 30, 6, 11);

    private static List<long[]> collect(Iterator<Batch> it, Batch.Key key) {
        List<long[]> out = new ArrayList<>();
        while (it.hasNext()) {
            out.add(it.next().get(key).toLongArray());
        }
        return out;
    }

    @Test
    void plainBatchesCoverEveryRowOnceWithRatings() {
        Batches b = Batches.over(data).batchSize(32).seed(5).build();
        assertEquals(4, b.batchesPerEpoch());
        assertEquals(120, b.samplesPerEpoch());
        try (var _ = Scope.open("test")) {
            Iterator<Batch> it = b.epoch(0);
            int[] seen = new int[data.size()];
            List<Integer> sizes = new ArrayList<>();
            while (it.hasNext()) {
                Batch batch = it.next();
                sizes.add(batch.size());
                assertEquals(DType.I64, batch.get(Batch.USERS).dtype());
                assertEquals(DType.F32, batch.get(Batch.RATINGS).dtype());
                assertFalse(batch.has(Batch.LABELS));
                long[] u = batch.get(Batch.USERS).toLongArray();
                long[] i = batch.get(Batch.ITEMS).toLongArray();
                float[] r = batch.get(Batch.RATINGS).toFloatArray();
                for (int k = 0; k < u.length; k++) {
                    // find the row this pair came from (pairs are unique in the toy data)
                    int row = -1;
                    for (int q = 0; q < data.size(); q++) {
                        if (data.user(q) == u[k] && data.item(q) == i[k]) {
                            row = q;
                        }
                    }
                    assertTrue(row >= 0);
                    assertEquals(data.rating(row), r[k]);
                    seen[row]++;
                }
            }
            assertEquals(List.of(32, 32, 32, 24), sizes);
            assertTrue(Arrays.stream(seen).allMatch(c -> c == 1));
            assertThrows(NoSuchElementException.class, it::next);
        }
        assertEquals(3, Batches.over(data).batchSize(32).dropLast(true).build().batchesPerEpoch());
    }

    @Test
    void epochsAreReproducibleAndDiffer() {
        Batches b = Batches.over(data).batchSize(50).seed(9).build();
        List<long[]> e0 = collect(b.epoch(0), Batch.ITEMS);
        List<long[]> again = collect(Batches.over(data).batchSize(50).seed(9).build().epoch(0), Batch.ITEMS);
        List<long[]> e1 = collect(b.epoch(1), Batch.ITEMS);
        for (int k = 0; k < e0.size(); k++) {
            assertArrayEquals(e0.get(k), again.get(k));
        }
        assertNotEquals(Arrays.toString(e0.get(0)), Arrays.toString(e1.get(0)));
        List<long[]> unshuffled = collect(Batches.over(data).batchSize(200).shuffle(false).build().epoch(3), Batch.ITEMS);
        long[] expected = Arrays.stream(data.itemColumn()).asLongStream().toArray();
        assertArrayEquals(expected, unshuffled.getFirst());
    }

    @Test
    void pairwiseBatchesCarryNegativesThatAreNeverPositives() {
        UserItemIndex pos = data.byUser();
        Batches b = Batches.over(data).batchSize(16).seed(3).pairwise(NegativeSampler.uniform(pos), 4).build();
        Iterator<Batch> it = b.epoch(0);
        int rows = 0;
        while (it.hasNext()) {
            Batch batch = it.next();
            assertArrayEquals(new int[] {batch.size(), 4}, batch.get(Batch.NEGATIVES).shape());
            long[] u = batch.get(Batch.USERS).toLongArray();
            long[] i = batch.get(Batch.ITEMS).toLongArray();
            long[] n = batch.get(Batch.NEGATIVES).toLongArray();
            for (int k = 0; k < u.length; k++) {
                assertTrue(pos.contains((int) u[k], (int) i[k]));
                for (int s = 0; s < 4; s++) {
                    assertFalse(pos.contains((int) u[k], (int) n[k * 4 + s]));
                }
            }
            rows += u.length;
        }
        assertEquals(data.size(), rows);
    }

    @Test
    void pointwiseBatchesHaveOnePositivePerRowAndFourNegatives() {
        UserItemIndex pos = data.byUser();
        Batches b = Batches.over(data).batchSize(64).seed(3).pointwise(NegativeSampler.uniform(pos), 4).build();
        assertEquals(data.size() * 5, b.samplesPerEpoch());
        Iterator<Batch> it = b.epoch(2);
        int positives = 0;
        int negatives = 0;
        while (it.hasNext()) {
            Batch batch = it.next();
            long[] u = batch.get(Batch.USERS).toLongArray();
            long[] i = batch.get(Batch.ITEMS).toLongArray();
            float[] y = batch.get(Batch.LABELS).toFloatArray();
            for (int k = 0; k < u.length; k++) {
                assertEquals(y[k] == 1f, pos.contains((int) u[k], (int) i[k]), "row " + k);
                if (y[k] == 1f) {
                    positives++;
                } else {
                    negatives++;
                }
            }
        }
        assertEquals(data.size(), positives);
        assertEquals(4 * data.size(), negatives);
        assertThrows(IllegalArgumentException.class, () -> Batches.over(data).pointwise(NegativeSampler.uniform(pos), 0));
        assertThrows(IllegalArgumentException.class, () -> Batches.over(data).batchSize(0));
    }
}
