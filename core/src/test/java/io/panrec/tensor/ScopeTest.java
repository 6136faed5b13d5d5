package io.panrec.tensor;

import io.panrec.backend.Backends;
import io.panrec.ops.Elementwise;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScopeTest {

    @Test
    void closingFreesTheBytesOfTheScopeAndItsChildren() {
        long before = MemoryStats.scopedLiveBytes();
        Scope outer = Scope.open("outer");
        Tensor a = Tensor.zeros(1000);                 // 4000 bytes in outer
        Scope kept = outer.child("kept");
        Tensor b = Tensor.zeros(kept, DType.I64, 10, 10); // 800 bytes in the child
        assertEquals(4000, outer.allocatedBytes());
        assertEquals(800, kept.allocatedBytes());
        assertEquals(before + 4800, MemoryStats.scopedLiveBytes());
        outer.close();
        assertEquals(before, MemoryStats.scopedLiveBytes());
        assertFalse(kept.isAlive(), "closing a scope closes its children");
        assertFalse(a.isAlive());
        assertFalse(b.isAlive());
        outer.close(); // twice is a no-op
        assertEquals(before, MemoryStats.scopedLiveBytes());
    }

    @Test
    void useAfterCloseThrowsAndNamesTheScope() {
        Tensor t;
        try (Scope s = Scope.open("step-42")) {
            t = Tensor.of(new float[] {1, 2, 3}, 3);
            assertSame(s, Scope.current());
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, t::toFloatArray);
        assertTrue(e.getMessage().contains("step-42"), e.getMessage());
        IllegalStateException e2 = assertThrows(IllegalStateException.class, () -> Elementwise.add(t, t));
        assertTrue(e2.getMessage().contains("closed"), e2.getMessage());
        assertThrows(IllegalStateException.class, () -> t.segment());
    }

    @Test
    void openRestoresThePreviousCurrentScope() {
        Scope before = Scope.current();
        try (Scope a = Scope.open("a")) {
            try (Scope b = Scope.open("b")) {
                assertSame(b, Scope.current());
                assertEquals(before.path() + "/a/b", b.path());
            }
            assertSame(a, Scope.current());
        }
        assertSame(before, Scope.current());
    }

    @Test
    void allocationsAreAlignedAndZeroed() {
        try (Scope s = Scope.open("align")) {
            for (int n : new int[] {1, 3, 17, 129}) {
                Tensor t = Tensor.zeros(n);
                assertEquals(0, t.segment().address() % Scope.ALIGNMENT);
                for (float v : t.toFloatArray()) {
                    assertEquals(0f, v);
                }
            }
        }
    }

    @Test
    void manyStepsDoNotGrowLiveMemory() {
        long before = MemoryStats.scopedLiveBytes();
        for (int i = 0; i < 200; i++) {
            try (Scope s = Scope.open("step")) {
                Tensor x = Tensor.full(1f, 64, 64);
                Elementwise.mul(x, x);
            }
        }
        assertEquals(before, MemoryStats.scopedLiveBytes());
        assertTrue(Backends.current() != null);
    }

    /** Runs {@code body} on a new thread and returns what it threw, or null. */
    private static Throwable onOtherThread(Runnable body) throws InterruptedException {
        Throwable[] thrown = new Throwable[1];
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                thrown[0] = e;
            }
        }, "other-thread");
        t.start();
        t.join();
        return thrown[0];
    }

    @Test
    void anOpenedScopeBelongsToItsThreadAndSaysSoToOthers() throws Exception {
        try (Scope s = Scope.open("rerank-7")) {
            Tensor t = Tensor.of(new float[] {1, 2, 3}, 3);
            Throwable read = onOtherThread(t::toFloatArray);
            assertTrue(read instanceof IllegalStateException, String.valueOf(read));
            assertTrue(read.getMessage().contains("rerank-7") && read.getMessage().contains("openShared"), read.getMessage());
            Throwable op = onOtherThread(() -> Elementwise.add(t, t));
            assertTrue(op instanceof IllegalStateException, String.valueOf(op));
            Throwable close = onOtherThread(s::close);
            assertTrue(close instanceof IllegalStateException && close.getMessage().contains("confined"), String.valueOf(close));
            assertTrue(s.isAlive(), "a refused close leaves the scope open");
            assertEquals(6f, Elementwise.add(t, t).toFloatArray()[2], "the owner still uses it");
        }
    }

    @Test
    void sharedScopesAndChildrenAreReadByOtherThreads() throws Exception {
        try (Scope s = Scope.openShared("batch")) {
            Tensor t = Tensor.of(new float[] {1, 2, 3}, 3);
            float[][] seen = new float[1][];
            assertEquals(null, onOtherThread(() -> seen[0] = t.toFloatArray()));
            assertEquals(3f, seen[0][2]);
        }
        try (Scope s = Scope.open("step")) {
            Scope params = s.child("parameters");
            Tensor w = Tensor.zeros(params, DType.F32, 4);
            w.segment().setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, 3, 2f);
            float[][] seen = new float[1][];
            assertEquals(null, onOtherThread(() -> seen[0] = w.toFloatArray()));
            assertEquals(2f, seen[0][3]);
        }
    }

    @Test
    void workerViewsReachTheMemoryOfAConfinedScope() throws Exception {
        try (Scope s = Scope.open("kernel")) {
            Tensor t = Tensor.zeros(8);
            java.lang.foreign.MemorySegment view = Scope.forWorkers(t.segment());
            assertEquals(null, onOtherThread(() -> view.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, 5, 4.5f)));
            assertEquals(4.5f, t.toFloatArray()[5]);
        }
    }
}
