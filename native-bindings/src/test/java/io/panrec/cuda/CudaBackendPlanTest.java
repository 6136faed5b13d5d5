package io.panrec.cuda;

import io.panrec.backend.Backend;
import io.panrec.backend.Backends;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import io.panrec.testing.Rand;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cuBLAS call a matmul becomes, checked without a GPU: the planned column-major sgemm (operands, transpose
 * flags, leading dimensions, batch strides) is run by a plain Java model of cuBLAS's semantics over the same
 * host memory and compared with the reference backend, for row-major, transposed, column-major, broadcast and
 * odd-sized operands. The leading dimensions must also satisfy cuBLAS's own rules.
 */
class CudaBackendPlanTest {
    final Rand rand = new Rand();
    final Backend ref = Backends.named("reference");
    Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open("gemm plans");
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** cuBLAS sgemm(StridedBatched), column-major, as its documentation defines it. */
    static void cublasModel(CudaBackend.Gemm g, int batch, float alpha, float beta, Tensor c) {
        assertTrue(g.lda() >= Math.max(1, g.transA() ? g.k() : g.m()), "lda " + g);
        assertTrue(g.ldb() >= Math.max(1, g.transB() ? g.n() : g.k()), "ldb " + g);
        assertTrue(g.ldc() >= Math.max(1, g.m()), "ldc " + g);
        MemorySegment a = g.a().dataSegment();
        MemorySegment b = g.b().dataSegment();
        MemorySegment cs = c.dataSegment();
        ValueLayout.OfFloat f = ValueLayout.JAVA_FLOAT;
        for (int q = 0; q < batch; q++) {
            for (int i = 0; i < g.m(); i++) {
                for (int j = 0; j < g.n(); j++) {
                    double s = 0;
                    for (int p = 0; p < g.k(); p++) {
                        double av = a.getAtIndex(f, q * g.strideA() + (g.transA() ? p + (long) i * g.lda() : i + (long) p * g.lda()));
                        double bv = b.getAtIndex(f, q * g.strideB() + (g.transB() ? j + (long) p * g.ldb() : p + (long) j * g.ldb()));
                        s += av * bv;
                    }
                    long ci = q * g.strideC() + i + (long) j * g.ldc();
                    double old = beta == 0 ? 0 : beta * cs.getAtIndex(f, ci);
                    cs.setAtIndex(f, ci, (float) (alpha * s + old));
                }
            }
        }
    }

    /** What the backend does: pack what has no layout, plan, call cuBLAS (here: the model). */
    private void check(String what, Tensor a, Tensor b, Tensor c, float alpha, float beta) {
        Tensor expected = c.contiguous();
        ref.matmul(a, b, expected, alpha, beta);
        Tensor pa = CudaBackend.layoutOrNull(a) != null ? a : a.contiguous();
        Tensor pb = CudaBackend.layoutOrNull(b) != null ? b : b.contiguous();
        Tensor pc = CudaBackend.layoutOrNull(c) != null ? c : c.contiguous();
        CudaBackend.Gemm g = CudaBackend.Gemm.plan(pa, pa.stride(0), pb, pb.stride(0), pc);
        cublasModel(g, c.shape(0), alpha, beta, pc);
        if (pc != c) {
            ref.copy(pc, c);
        }
        rand.assertClose(what, expected, c, a.shape(2));
    }

    @Test
    void everyLayoutOfTheConformanceSuiteMapsToOneCorrectCall() {
        int[][] shapes = {{1, 1, 1}, {7, 13, 5}, {65, 129, 33}, {17, 3, 129}, {1, 9, 4}, {6, 1, 1}, {1, 5, 1}};
        for (int[] s : shapes) {
            int m = s[0];
            int k = s[1];
            int n = s[2];
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    for (boolean colMajorC : new boolean[] {false, true}) {
                        for (float[] ab : new float[][] {{1, 0}, {0.5f, 2f}}) {
                            Tensor a = ta ? rand.f32(1, k, m).transpose(1, 2) : rand.f32(1, m, k);
                            Tensor b = tb ? rand.f32(1, n, k).transpose(1, 2) : rand.f32(1, k, n);
                            Tensor c = colMajorC ? rand.f32(1, n, m).transpose(1, 2) : rand.f32(1, m, n);
                            check(m + "x" + k + "x" + n + " ta=" + ta + " tb=" + tb + " colMajorC=" + colMajorC + " alpha,beta="
                                    + ab[0] + "," + ab[1], a, b, c, ab[0], ab[1]);
                        }
                    }
                }
            }
        }
    }

    @Test
    void batchesBroadcastsPaddedRowsAndStridesNoLayoutFits() {
        Tensor a = rand.f32(3, 9, 11);
        Tensor b = rand.f32(1, 11, 19).view(new int[] {3, 11, 19}, new long[] {0, 19, 1}, 0);
        check("broadcast b", a, b, Tensor.zeros(3, 9, 19), 1, 0);
        check("broadcast a", rand.f32(1, 9, 11).view(new int[] {3, 9, 11}, new long[] {0, 11, 1}, 0), rand.f32(3, 11, 19),
                Tensor.zeros(3, 9, 19), 1, 0);
        // rows padded to 16 floats: a leading dimension larger than the row
        Tensor padded = rand.f32(2, 9, 16).view(new int[] {2, 9, 11}, new long[] {144, 16, 1}, 0);
        check("padded rows", padded, rand.f32(2, 11, 5), rand.f32(2, 9, 5), 1, 1);
        // every other column: no leading dimension describes it
        Tensor strided = rand.f32(1, 9, 2, 7).view(new int[] {1, 9, 7}, new long[] {126, 14, 2}, 0);
        assertNull(CudaBackend.layoutOrNull(strided));
        check("strided columns (packed first)", strided, rand.f32(1, 7, 5), Tensor.zeros(1, 9, 5), 1, 0);
        // a column slice of C: [m, 1] with a row stride of 4
        Tensor wide = Tensor.zeros(1, 6, 4);
        Tensor column = wide.view(new int[] {1, 6, 1}, new long[] {24, 4, 1}, 2);
        check("a column of C", rand.f32(1, 6, 3), rand.f32(1, 3, 1), column, 1, 0);
        assertEquals(0f, wide.get(0, 0, 0));
    }

    @Test
    void layoutsOfViews() {
        Tensor row = rand.f32(1, 4, 5);
        assertEquals(new CudaBackend.Layout(true, 5), CudaBackend.layoutOrNull(row));
        assertEquals(new CudaBackend.Layout(false, 5), CudaBackend.layoutOrNull(row.transpose(1, 2)));
        // a single row or column takes any stride on its size-1 axis
        Tensor oneRow = rand.f32(3, 1, 7).view(new int[] {3, 1, 7}, new long[] {7, 99, 1}, 0);
        assertEquals(new CudaBackend.Layout(true, 7), CudaBackend.layoutOrNull(oneRow));
        Tensor negative = rand.f32(1, 4, 5).view(new int[] {1, 4, 5}, new long[] {20, -5, 1}, 15);
        assertNull(CudaBackend.layoutOrNull(negative));
        assertFalse(CudaBackend.layoutOrNull(rand.f32(1, 3, 3).transpose(1, 2)).trans());
    }
}
