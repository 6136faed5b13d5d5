package io.panrec.models.spi;

import io.panrec.tensor.DType;
import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchTest {
    @Test
    void holdsTypedFieldsOfOneBatchSize() {
        Tensor users = Tensor.ofLongs(new long[] {0, 1, 2});
        Tensor items = Tensor.ofLongs(new long[] {5, 6, 7});
        Tensor negs = Tensor.ofLongs(new long[6], 3, 2);
        Batch b = new Batch().put(Batch.USERS, users).put(Batch.ITEMS, items).put(Batch.NEGATIVES, negs);
        assertEquals(3, b.size());
        assertSame(users, b.get(Batch.USERS));
        assertTrue(b.has(Batch.NEGATIVES));
        assertFalse(b.has(Batch.LABELS));
        assertTrue(b.find(Batch.LABELS).isEmpty());
        assertEquals(List.of(Batch.USERS, Batch.ITEMS, Batch.NEGATIVES), b.keys());
        assertEquals("Batch[B=3] users=I64[3] items=I64[3] negatives=I64[3, 2]", b.toString().replace("i64", "I64"));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> b.get(Batch.LABELS));
        assertTrue(missing.getMessage().contains("no field labels") && missing.getMessage().contains("users"), missing.getMessage());
        assertEquals(0, new Batch().size());
    }

    @Test
    void rejectsWrongDtypeRankAndSize() {
        Batch b = new Batch().put(Batch.USERS, Tensor.ofLongs(new long[] {0, 1}));
        IllegalArgumentException dtype = assertThrows(IllegalArgumentException.class, () -> b.put(Batch.ITEMS, Tensor.ofInts(new int[] {1, 2})));
        assertTrue(dtype.getMessage().contains("must be I64"), dtype.getMessage());
        assertThrows(IllegalArgumentException.class, () -> b.put(Batch.LABELS, Tensor.of(new float[] {1, 0, 1})));
        assertThrows(IllegalArgumentException.class, () -> b.put(Batch.NEGATIVES, Tensor.ofLongs(new long[] {1, 2})));
        // replacing the only field may change the size; replacing one of several may not
        b.put(Batch.USERS, Tensor.ofLongs(new long[] {0, 1, 2}));
        assertEquals(3, b.size());
        b.put(Batch.ITEMS, Tensor.ofLongs(new long[] {0, 1, 2}));
        assertThrows(IllegalArgumentException.class, () -> b.put(Batch.USERS, Tensor.ofLongs(new long[] {0})));
        Batch.Key clash = new Batch.Key("users", DType.I32, 1, "[B] other");
        assertThrows(IllegalArgumentException.class, () -> b.put(clash, Tensor.ofInts(new int[] {0, 1, 2})));
        assertThrows(IllegalArgumentException.class, () -> new Batch.Key("x", DType.F32, 0, "scalar"));
    }
}
