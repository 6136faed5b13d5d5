package io.panrec.tensor;

import io.panrec.backend.Backends;
import io.panrec.ops.Elementwise;
import io.panrec.ops.Indexing;
import io.panrec.ops.Linalg;
import io.panrec.ops.Shapes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Scope#allocateUninitialized} / {@link Tensor#empty}: lifetime, accounting, and ops that write all of their outputs. */
class UninitializedAllocationTest {

    @AfterEach
    void poisonOff() {
        Scope.poisonUninitialized(false);
    }

    @Test
    void theTestJvmSkipsTheZeroFill() {
        // surefire runs with --enable-native-access, as panrec's launcher does: the malloc path is the one tested
        assertTrue(Scope.uninitializedAvailable());
    }

    @Test
    void emptyTensorsAreAlignedCountedAndFreedWithTheirScope() {
        long before = MemoryStats.scopedLiveBytes();
        Scope s = Scope.open("empty");
        Tensor a = Tensor.empty(DType.F32, 3, 17);
        Tensor b = Tensor.empty(DType.I64, 5);
        assertEquals(0, a.segment().address() % Scope.ALIGNMENT);
        assertEquals(0, b.segment().address() % Scope.ALIGNMENT);
        assertEquals(3 * 17 * 4 + 5 * 8, s.allocatedBytes());
        assertEquals(before + 3 * 17 * 4 + 5 * 8, MemoryStats.scopedLiveBytes());
        a.fill(2);
        assertEquals(2f, a.toFloatArray()[50]);
        var raw = a.segment();
        s.close();
        assertEquals(before, MemoryStats.scopedLiveBytes());
        IllegalStateException e = assertThrows(IllegalStateException.class, a::toFloatArray);
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
        // the raw segment is tied to the scope's arena: reading it after close throws instead of touching freed memory
        assertThrows(IllegalStateException.class, () -> raw.get(ValueLayout.JAVA_FLOAT, 0));
        assertThrows(IllegalStateException.class, () -> s.allocateUninitialized(16));
    }

    @Test
    void manyScopesOfEmptyTensorsDoNotGrowLiveMemory() {
        long before = MemoryStats.scopedLiveBytes();
        long liveBefore = MemoryStats.liveBytes();
        for (int i = 0; i < 2000; i++) {
            try (Scope s = Scope.open("step")) {
                Tensor x = Tensor.empty(DType.F32, 64, 33);
                Elementwise.add(x.fill(1), x);
            }
        }
        assertEquals(before, MemoryStats.scopedLiveBytes());
        // all live bytes, global scope included, may only fall: the GC frees other tests' global tensors meanwhile
        long liveAfter = MemoryStats.liveBytes();
        assertTrue(liveAfter <= liveBefore, "live bytes grew from " + liveBefore + " to " + liveAfter);
    }

    @Test
    void inTheGlobalScopeEmptyIsZeroedAndCollected() {
        Tensor t = Tensor.empty(Scope.global(), DType.F32, 9);
        assertArrayEquals(new float[9], t.toFloatArray());
    }

    @Test
    void opsOverwriteEveryElementOfTheirOutputs() {
        for (String backend : new String[] {"reference", "vector"}) {
            Scope.poisonUninitialized(true);
            try (var _ = Backends.use(backend); Scope s = Scope.open("poisoned-" + backend)) {
                Tensor poisoned = Tensor.empty(DType.F32, 4);
                assertTrue(Float.isNaN(poisoned.toFloatArray()[3]), "the poison is on");

                float[] a = new float[5 * 7];
                float[] b = new float[7 * 3];
                for (int i = 0; i < a.length; i++) {
                    a[i] = (i % 5) - 1.5f;
                }
                for (int i = 0; i < b.length; i++) {
                    b[i] = (i % 4) * 0.25f;
                }
                Tensor ta = Tensor.of(a, 5, 7);
                Tensor tb = Tensor.of(b, 7, 3);
                float[] c = Linalg.matmul(ta, tb).toFloatArray();
                for (int i = 0; i < 5; i++) {
                    for (int j = 0; j < 3; j++) {
                        float want = 0;
                        for (int p = 0; p < 7; p++) {
                            want += a[i * 7 + p] * b[p * 3 + j];
                        }
                        assertEquals(want, c[i * 3 + j], 1e-5, backend + " matmul");
                    }
                }
                assertArrayEquals(new float[5 * 3], Linalg.matmul(Tensor.of(new float[0], 5, 0), Tensor.of(new float[0], 0, 3)).toFloatArray(),
                        backend + " empty inner dimension");

                Tensor table = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
                assertArrayEquals(new float[] {5, 6, 1, 2, 5, 6}, Indexing.gatherRows(table, Tensor.ofLongs(new long[] {2, 0, 2})).toFloatArray(),
                        backend + " gatherRows");

                Tensor row = Tensor.of(new float[] {10, 20}, 1, 2);
                assertArrayEquals(new float[] {11, 22, 13, 24, 15, 26}, Elementwise.add(table, row).toFloatArray(), backend + " broadcast add");
                assertArrayEquals(new float[] {0, 2, 0, 4, 0, 6}, Elementwise.relu(table.mul(Tensor.of(new float[] {-1, 1}, 2))).toFloatArray(),
                        backend + " relu");

                assertArrayEquals(new float[] {1, 2, 10, 20, 3, 4, 10, 20, 5, 6, 10, 20},
                        Shapes.concat(1, table, row.expand(3, 2)).toFloatArray(), backend + " concat of an expanded view");
                assertArrayEquals(new float[] {1, 3, 5, 2, 4, 6}, table.t().contiguous().toFloatArray(), backend + " contiguous");
                assertArrayEquals(new long[] {1, 2, 3, 4, 5, 6}, table.to(DType.I64).toLongArray(), backend + " cast");
                assertArrayEquals(new long[] {7, -1}, Tensor.ofLongs(new long[] {7, -1}).toLongArray(), backend + " ofLongs");
                assertFalse(Float.isNaN(Tensor.of(new float[] {0.5f}).item()));
            }
        }
    }

    @Test
    void convolutionOutputsAndGradientsAreWrittenWhole() {
        // Convolution.conv2d and its gradient rule allocate their results without the zero-fill: over poisoned
        // memory every backend must still give what it gives over zeros
        float[] xs = new float[2 * 3 * 6 * 7];
        float[] ws = new float[4 * 3 * 2 * 2];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = ((i * 7) % 11) * 0.1f - 0.5f;
        }
        for (int i = 0; i < ws.length; i++) {
            ws[i] = ((i * 5) % 7) * 0.2f - 0.6f;
        }
        float[][] expected = null;
        for (String backend : new String[] {"reference", "vector"}) {
            for (boolean poison : new boolean[] {false, true}) {
                Scope.poisonUninitialized(poison);
                try (var _ = Backends.use(backend); Scope s = Scope.open("conv-" + backend + "-" + poison)) {
                    Tensor x = Tensor.of(xs, 2, 3, 6, 7).requiresGrad(true);
                    Tensor w = Tensor.of(ws, 4, 3, 2, 2).requiresGrad(true);
                    Tensor b = Tensor.of(new float[] {0.1f, -0.2f, 0.3f, 0f}, 4).requiresGrad(true);
                    Tensor y = io.panrec.ops.Convolution.conv2d(x, w, b, io.panrec.backend.ConvSpec.of(2, 0));
                    y.mul(y).mean().backward();
                    float[][] got = {y.toFloatArray(), x.grad().toFloatArray(), w.grad().toFloatArray(), b.grad().toFloatArray()};
                    if (expected == null) {
                        expected = got;
                    }
                    for (int k = 0; k < got.length; k++) {
                        for (int i = 0; i < got[k].length; i++) {
                            assertEquals(expected[k][i], got[k][i], 1e-5, backend + (poison ? " poisoned" : "") + " result " + k + " at " + i);
                        }
                    }
                }
            }
        }
    }
}
