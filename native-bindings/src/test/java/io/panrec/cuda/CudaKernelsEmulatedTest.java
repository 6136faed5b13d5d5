package io.panrec.cuda;

import io.panrec.backend.Backend;
import io.panrec.backend.Backends;
import io.panrec.backend.BinaryOp;
import io.panrec.backend.ReduceOp;
import io.panrec.backend.UnaryOp;
import io.panrec.ops.Elementwise;
import io.panrec.tensor.DType;
import io.panrec.tensor.Device;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import io.panrec.testing.Rand;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The NVRTC kernels against the reference backend without a GPU: {@link HostEmulator} builds the same CUDA
 * source with the host C++ compiler, and "device" tensors are views over host memory tagged cuda:0, so
 * every index computation, merged geometry and argument the Java side passes is checked on odd sizes,
 * transposed and broadcast views. Skips (with the reason) where no C++ compiler is installed.
 */
class CudaKernelsEmulatedTest {
    static final int[] SIZES = {1, 3, 17, 129};
    final Rand rand = new Rand();
    final Backend ref = Backends.named("reference");
    HostEmulator emu;
    CudaKernels k;
    Scope scope;

    @BeforeEach
    void setUp() {
        emu = HostEmulator.create();
        assumeTrue(emu != null, HostEmulator.unavailableReason());
        k = new CudaKernels(emu);
        scope = Scope.open("emulated kernels");
    }

    @AfterEach
    void tearDown() {
        if (scope != null) {
            scope.close();
        }
        if (emu != null) {
            assertEquals(0, emu.liveTemps(), "temporary device memory leaked");
        }
    }

    /** The same memory and view, tagged as a CUDA tensor (the emulator's device memory is host memory). */
    static Tensor dev(Tensor h) {
        long elements = h.segment().byteSize() / h.dtype().byteSize();
        return Tensor.onDevice(h.segment(), h.scope(), Device.cuda(0), h.dtype(), (int) elements)
                .view(h.shape(), h.strides(), h.offset());
    }

    static Tensor like(Tensor t) {
        return Tensor.zeros(t.dtype(), t.shape());
    }

    @Test
    void unaryAndItsGradientOnTransposedViews() {
        for (UnaryOp op : UnaryOp.values()) {
            for (int n : SIZES) {
                Tensor x = rand.f32(n, 3);
                if (op == UnaryOp.LOG || op == UnaryOp.SQRT || op == UnaryOp.POW) {
                    x = Elementwise.abs(x).add(0.1f);
                }
                Tensor xt = x.t();
                Tensor o0 = like(xt);
                Tensor o1 = like(xt);
                ref.unary(op, 0.3f, xt, o0);
                k.unary(op, 0.3f, dev(xt), dev(o1));
                rand.assertClose(op + " n=" + n, o0, o1, 1);
                Tensor g = rand.f32(3, n);
                Tensor g0 = like(xt);
                Tensor g1 = like(xt);
                ref.unaryBackward(op, 0.3f, xt, o0, g, g0);
                k.unaryBackward(op, 0.3f, dev(xt), dev(o0), dev(g), dev(g1));
                rand.assertClose(op + " backward n=" + n, g0, g1, 1);
            }
        }
        // in place: out is x
        Tensor x = rand.f32(4, 5);
        Tensor expected = like(x);
        ref.unary(UnaryOp.TANH, 0, x, expected);
        k.unary(UnaryOp.TANH, 0, dev(x), dev(x));
        rand.assertClose("tanh in place", expected, x, 1);
    }

    @Test
    void binaryWithBroadcastStridesAndInPlace() {
        for (BinaryOp op : BinaryOp.values()) {
            for (int n : SIZES) {
                Tensor a = rand.f32(5, n);
                Tensor b = rand.f32(1, n).view(new int[] {5, n}, new long[] {0, 1}, 0);
                Tensor c = rand.f32(5, 1).add(op == BinaryOp.DIV ? 2f : 0f).view(new int[] {5, n}, new long[] {1, 0}, 0);
                Tensor t = rand.f32(n, 5).t();
                Tensor eq = a.copy(); // EQ must see equal elements too
                for (Tensor[] pair : new Tensor[][] {{a, b}, {a, c}, {b, a}, {t, a}, {a, eq}}) {
                    Tensor o0 = Tensor.zeros(5, n);
                    Tensor o1 = Tensor.zeros(5, n);
                    ref.binary(op, pair[0], pair[1], o0);
                    k.binary(op, dev(pair[0]), dev(pair[1]), dev(o1));
                    rand.assertClose(op + " n=" + n, o0, o1, 1);
                }
            }
        }
        Tensor acc = rand.f32(6, 7);
        Tensor add = rand.f32(6, 7);
        Tensor expected = like(acc);
        ref.binary(BinaryOp.ADD, acc, add, expected);
        k.binary(BinaryOp.ADD, dev(acc), dev(add), dev(acc));
        rand.assertClose("gradient accumulation in place", expected, acc, 1);
    }

    @Test
    void binaryFollowsJavaOnNaNAndSignedZero() {
        Tensor a = Tensor.of(new float[] {Float.NaN, 1f, -0f, 0f, 2f}, 5);
        Tensor b = Tensor.of(new float[] {1f, Float.NaN, 0f, -0f, 2f}, 5);
        for (BinaryOp op : new BinaryOp[] {BinaryOp.MAX, BinaryOp.MIN, BinaryOp.EQ, BinaryOp.GT}) {
            Tensor o0 = Tensor.zeros(5);
            Tensor o1 = Tensor.zeros(5);
            ref.binary(op, a, b, o0);
            k.binary(op, dev(a), dev(b), dev(o1));
            float[] e = o0.toFloatArray();
            float[] g = o1.toFloatArray();
            for (int i = 0; i < e.length; i++) {
                assertEquals(Float.floatToIntBits(e[i]), Float.floatToIntBits(g[i]), op + " element " + i + ": " + e[i] + " vs " + g[i]);
            }
        }
    }

    @Test
    void reductionsOverEveryAxisPatternLongOnesAndEmptyOnes() {
        Tensor x = rand.f32(3, 17, 5);
        int[][] outs = {{3, 17, 1}, {3, 1, 1}, {1, 1, 1}, {1, 17, 5}, {1, 1, 5}, {3, 1, 5}, {1, 17, 1}, {3, 17, 5}};
        for (ReduceOp op : ReduceOp.values()) {
            for (int[] os : outs) {
                Tensor o0 = Tensor.zeros(os);
                Tensor o1 = Tensor.zeros(os);
                ref.reduce(op, x, o0);
                k.reduce(op, dev(x), dev(o1));
                rand.assertClose(op + " to " + Arrays.toString(os), o0, o1, 255);
            }
            Tensor t = x.transpose(0, 2);
            Tensor o0 = Tensor.zeros(5, 17, 1);
            Tensor o1 = Tensor.zeros(5, 17, 1);
            ref.reduce(op, t, o0);
            k.reduce(op, dev(t), dev(o1));
            rand.assertClose(op + " of a transposed view", o0, o1, 3);
            // long enough for several chunks per output in the first pass
            Tensor big = rand.f32(1031, 3);
            for (int[] os : new int[][] {{1, 3}, {1, 1}}) {
                Tensor b0 = Tensor.zeros(os);
                Tensor b1 = Tensor.zeros(os);
                ref.reduce(op, big, b0);
                k.reduce(op, dev(big), dev(b1));
                rand.assertClose(op + " over 1031 rows to " + Arrays.toString(os), b0, b1, 3093);
            }
            // an empty reduction: 0, NaN, -inf, +inf
            Tensor empty = Tensor.zeros(3, 0, 2);
            Tensor e0 = Tensor.full(7f, 3, 1, 2);
            Tensor e1 = Tensor.full(7f, 3, 1, 2);
            ref.reduce(op, empty, e0);
            k.reduce(op, dev(empty), dev(e1));
            assertArrayEquals(e0.toFloatArray(), e1.toFloatArray(), op + " of nothing");
        }
        // the output may be strided too
        Tensor out = Tensor.zeros(5, 3).t().unsqueeze(1); // [3, 1, 5] with strides (1, _, 3)
        Tensor expected = Tensor.zeros(3, 1, 5);
        ref.reduce(ReduceOp.SUM, x, expected);
        k.reduce(ReduceOp.SUM, dev(x), dev(out));
        rand.assertClose("sum into a strided output", expected, out, 17);
    }

    @Test
    void copyConvertsDtypesAndKeepsIdsExact() {
        for (int d : SIZES) {
            Tensor table = rand.f32(40, d);
            Tensor c0 = Tensor.zeros(d, 40);
            Tensor c1 = Tensor.zeros(d, 40);
            ref.copy(table.t(), c0);
            k.copy(dev(table.t()), dev(c1));
            rand.assertClose("copy transposed d=" + d, c0, c1, 1);
        }
        Tensor f = rand.f32(7, 3).mul(1000f);
        for (DType to : DType.values()) {
            for (DType from : DType.values()) {
                Tensor src = Tensor.zeros(from, 7, 3);
                ref.copy(f, src);
                Tensor e = Tensor.zeros(to, 3, 7);
                Tensor g = Tensor.zeros(to, 3, 7);
                ref.copy(src.t(), e);
                k.copy(dev(src.t()), dev(g));
                assertArrayEquals(e.toDoubleArray(), g.toDoubleArray(), from + " -> " + to);
            }
        }
        long big = (1L << 53) + 1; // not representable as a double
        Tensor ids = Tensor.ofLongs(new long[] {big, -big, 3}, 3);
        Tensor out = Tensor.zeros(DType.I64, 3);
        k.copy(dev(ids), dev(out));
        assertArrayEquals(new long[] {big, -big, 3}, out.toLongArray());
        // saturation and NaN as Java casts do
        Tensor odd = Tensor.ofDoubles(new double[] {Double.NaN, 1e20, -1e20, -2.7}, 4);
        Tensor i0 = Tensor.zeros(DType.I32, 4);
        Tensor i1 = Tensor.zeros(DType.I32, 4);
        ref.copy(odd, i0);
        k.copy(dev(odd), dev(i1));
        assertArrayEquals(i0.toIntArray(), i1.toIntArray());
    }

    @Test
    void fillEveryDtypeAndOnlyTheView() {
        for (DType t : DType.values()) {
            Tensor base = Tensor.zeros(t, 4, 6);
            Tensor expected = Tensor.zeros(t, 4, 6);
            Tensor view = base.slice(1, 1, 4).t();
            ref.fill(expected.slice(1, 1, 4).t(), 2.5);
            k.fill(dev(view), 2.5);
            assertArrayEquals(expected.toDoubleArray(), base.toDoubleArray(), t.toString());
        }
    }

    @Test
    void gatherAndScatterAddWithBothIdTypesAndStridedTables() {
        for (int d : SIZES) {
            Tensor table = rand.f32(d, 40).t(); // [40, d], column-major
            Tensor ids = Tensor.ofLongs(rand.ids(23, 40), 23);
            for (Tensor idx : new Tensor[] {ids, ids.to(DType.I32)}) {
                Tensor o0 = Tensor.zeros(23, d);
                Tensor o1 = Tensor.zeros(23, d);
                ref.gatherRows(table, idx, o0);
                k.gatherRows(dev(table), dev(idx), dev(o1));
                rand.assertClose("gather d=" + d + " " + idx.dtype(), o0, o1, 1);
                Tensor t0 = table.contiguous();
                Tensor t1 = table.contiguous();
                ref.scatterAddRows(o0, idx, t0);
                k.scatterAddRows(dev(o0), dev(idx), dev(t1));
                rand.assertClose("scatterAdd d=" + d + " " + idx.dtype(), t0, t1, 23);
            }
        }
    }

    @Test
    void anIndexOutOfRangeIsNamedWithItsPositionAndNothingIsWrittenForIt() {
        Tensor table = rand.f32(10, 4);
        Tensor ids = Tensor.ofLongs(new long[] {1, 2, 3, 4, 5, 10, 0}, 7);
        Tensor out = Tensor.zeros(7, 4);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> k.gatherRows(dev(table), dev(ids), dev(out)));
        assertTrue(e.getMessage().contains("index 10 at position 5"), e.getMessage());
        assertArrayEquals(new float[4], out.slice(0, 5, 6).contiguous().toFloatArray());
        Tensor neg = Tensor.ofInts(new int[] {0, -1}, 2);
        Tensor target = Tensor.zeros(10, 4);
        e = assertThrows(IndexOutOfBoundsException.class, () -> k.scatterAddRows(dev(rand.f32(2, 4)), dev(neg), dev(target)));
        assertTrue(e.getMessage().contains("index -1 at position 1") && e.getMessage().contains("scatterAddRows"), e.getMessage());
    }

    @Test
    void layerNormForwardAndBackwardWithAndWithoutAffineParameters() {
        for (int d : SIZES) {
            for (boolean affine : new boolean[] {true, false}) {
                Tensor x = rand.f32(d, 5).mul(3f).t(); // strided [5, d]
                Tensor gamma = affine ? rand.f32(d) : null;
                Tensor beta = affine ? rand.f32(d) : null;
                Tensor y0 = Tensor.zeros(5, d), y1 = Tensor.zeros(5, d);
                Tensor m0 = Tensor.zeros(5), m1 = Tensor.zeros(5), r0 = Tensor.zeros(5), r1 = Tensor.zeros(5);
                ref.layerNorm(x, gamma, beta, 1e-5f, y0, m0, r0);
                k.layerNorm(dev(x), gamma == null ? null : dev(gamma), beta == null ? null : dev(beta), 1e-5f, dev(y1), dev(m1), dev(r1));
                rand.assertClose("layerNorm d=" + d, y0, y1, d);
                rand.assertClose("layerNorm mean d=" + d, m0, m1, d);
                rand.assertClose("layerNorm rstd d=" + d, r0, r1, d);
                Tensor g = rand.f32(5, d);
                Tensor gi0 = Tensor.zeros(5, d), gi1 = Tensor.zeros(5, d);
                Tensor gg0 = Tensor.zeros(d), gg1 = Tensor.zeros(d), gb0 = Tensor.zeros(d), gb1 = Tensor.zeros(d);
                ref.layerNormBackward(x, gamma, m0, r0, g, gi0, affine ? gg0 : null, gb0);
                k.layerNormBackward(dev(x), gamma == null ? null : dev(gamma), dev(m0), dev(r0), dev(g), dev(gi1),
                        affine ? dev(gg1) : null, dev(gb1));
                rand.assertClose("layerNorm backward d=" + d, gi0, gi1, d);
                rand.assertClose("layerNorm gamma gradient d=" + d, gg0, gg1, 5);
                rand.assertClose("layerNorm beta gradient d=" + d, gb0, gb1, 5);
            }
        }
    }

    @Test
    void contiguousDimensionsMergeAndTooManyUnmergeableOnesAreRefused() {
        Tensor x = rand.f32(2, 3, 4);
        assertEquals(1, CudaKernels.merge("t", x.shape(), x).length);
        assertEquals(3, CudaKernels.merge("t", new int[] {4, 3, 2}, x.permute(2, 1, 0)).length);
        Tensor t = x.transpose(1, 2);
        long[][] dims = CudaKernels.merge("t", t.shape(), t, x.reshape(2, 4, 3));
        // dimension 0 folds with nothing (t steps 12 over 2, then 1 over 4): three dims, none merged
        assertEquals(3, dims.length);
        // a size-1 dimension is dropped; a broadcast (stride 0) dimension stays
        Tensor b = rand.f32(1, 5).view(new int[] {3, 1, 5}, new long[] {0, 5, 1}, 0);
        assertEquals(2, CudaKernels.merge("t", b.shape(), b).length);
        int[] nine = new int[9];
        long[] reversed = new long[9];
        Arrays.fill(nine, 2);
        for (int i = 0; i < 9; i++) {
            reversed[i] = 1L << i;
        }
        Tensor weird = Tensor.zeros(nine).view(nine, reversed, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> k.unary(UnaryOp.NEG, 0, dev(weird),
                dev(Tensor.zeros(nine))));
        assertTrue(e.getMessage().contains("at most 8"), e.getMessage());
    }

    @Test
    void kernelArgumentsAreCheckedBeforeAnyLaunch() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> emu.launch(CudaKernels.FILL, 1, 0));
        assertTrue(e.getMessage().contains("pr_fill takes 4 arguments"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> emu.launch(CudaKernels.FILL, 1, 0, 1L, 2L, 3.0));
        assertTrue(e.getMessage().contains("argument 1"), e.getMessage());
    }
}
