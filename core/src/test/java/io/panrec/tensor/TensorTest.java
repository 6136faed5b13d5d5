package io.panrec.tensor;

import io.panrec.ops.Indexing;
import io.panrec.ops.Linalg;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TensorTest {

    @Test
    void viewsShareMemory() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor t = x.t();
        Tensor r = x.reshape(3, 2);
        Tensor s = x.slice(1, 1, 3);
        x.set(42, 1, 2);
        assertEquals(42, t.get(2, 1));
        assertEquals(42, r.get(2, 1));
        assertEquals(42, s.get(1, 1));
        assertArrayEquals(new int[] {2, 2}, s.shape());
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 42}, t.toFloatArray());
        assertTrue(!t.isContiguous() && x.isContiguous());
    }

    @Test
    void errorsNameTheOpAndTheShapes() {
        Tensor a = Tensor.zeros(2, 3);
        Tensor b = Tensor.zeros(4, 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Linalg.matmul(a, b));
        assertTrue(e.getMessage().contains("matmul") && e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4, 5]"),
                e.getMessage());
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> a.add(b));
        assertTrue(e2.getMessage().contains("add") && e2.getMessage().contains("broadcast"), e2.getMessage());
        assertThrows(IllegalArgumentException.class, () -> a.reshape(4, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> a.slice(1, 2, 5));
        IllegalArgumentException e3 = assertThrows(IllegalArgumentException.class,
                () -> a.add(Tensor.ofInts(new int[] {1, 2, 3}, 3)));
        assertTrue(e3.getMessage().contains("floating"), e3.getMessage());
    }

    @Test
    void outOfRangeIndicesAreRejectedBeforeAnyKernel() {
        Tensor table = Tensor.zeros(5, 2);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> Indexing.gatherRows(table, Tensor.ofLongs(new long[] {0, 5}, 2)));
        assertTrue(e.getMessage().contains("index 5") && e.getMessage().contains("[0, 5)"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> Indexing.gatherRows(table, Tensor.ofInts(new int[] {-1}, 1)));
        assertThrows(IllegalArgumentException.class, () -> Indexing.gatherRows(table, Tensor.of(new float[] {0}, 1)));
    }

    @Test
    void viewsOutsideTheStorageAreRejected() {
        Tensor x = Tensor.zeros(4);
        assertThrows(IllegalArgumentException.class, () -> x.view(new int[] {5}, new long[] {1}, 0));
        assertThrows(IllegalArgumentException.class, () -> x.view(new int[] {2}, new long[] {1}, 3));
        assertThrows(IllegalArgumentException.class, () -> x.view(new int[] {2}, new long[] {-1}, 0));
    }

    @Test
    void dtypesRoundTrip() {
        assertArrayEquals(new long[] {1, -2, 1L << 40}, Tensor.ofLongs(new long[] {1, -2, 1L << 40}, 3).toLongArray());
        long hashed = (1L << 62) + 12345; // a 64-bit hashed id: exact, not rounded through double
        assertArrayEquals(new long[] {hashed}, Tensor.ofLongs(new long[] {hashed}, 1).toLongArray());
        assertArrayEquals(new int[] {7, -1}, Tensor.ofInts(new int[] {7, -1}, 2).toIntArray());
        assertArrayEquals(new double[] {0.1, 1e300}, Tensor.ofDoubles(new double[] {0.1, 1e300}, 2).toDoubleArray());
        assertArrayEquals(new int[] {2, 0}, Tensor.of(new float[] {2.7f, 0.2f}, 2).to(DType.I32).toIntArray());
    }
}
