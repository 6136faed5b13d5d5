package io.panrec.backend.reference;

import io.panrec.backend.Backend;
import io.panrec.backend.BinaryOp;
import io.panrec.backend.ConvSpec;
import io.panrec.backend.PoolSpec;
import io.panrec.backend.ReduceOp;
import io.panrec.backend.UnaryOp;
import io.panrec.tensor.DType;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The reference backend defines every kernel, so it is checked on its own against values worked out by
 * hand (or from closed forms), not against another backend.
 */
class ReferenceBackendTest {
    private static final double EPS = 1e-6;
    private final Backend ref = new ReferenceBackend();
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open("reference test");
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static void assertValues(double[] expected, Tensor actual) {
        assertArrayEquals(expected, actual.toDoubleArray(), EPS, actual.describe());
    }

    private static Tensor f32(int[] shape, float... v) {
        return Tensor.of(v, shape);
    }

    private static int[] s(int... shape) {
        return shape;
    }

    // ------------------------------------------------------------------ matmul

    @Test
    void matmulTwoByTwoWithAlphaBetaTransposeAndBroadcast() {
        Tensor a = f32(s(1, 2, 2), 1, 2, 3, 4);
        Tensor b = f32(s(1, 2, 2), 5, 6, 7, 8);
        Tensor c = f32(s(1, 2, 2), 1, 1, 1, 1);
        ref.matmul(a, b, c, 2f, 0.5f);
        // [[19, 22], [43, 50]] * 2 + 0.5
        assertValues(new double[] {38.5, 44.5, 86.5, 100.5}, c);
        Tensor nan = Tensor.full(Float.NaN, 1, 2, 2);
        ref.matmul(a.transpose(1, 2), b, nan, 1f, 0f);
        // a^T = [[1, 3], [2, 4]]; beta = 0 ignores the NaN
        assertValues(new double[] {26, 30, 38, 44}, nan);
        Tensor batchA = f32(s(2, 1, 2), 1, 0, 0, 1);
        Tensor sharedB = b.view(new int[] {2, 2, 2}, new long[] {0, 2, 1}, 0);
        Tensor out = Tensor.zeros(2, 1, 2);
        ref.matmul(batchA, sharedB, out, 1f, 0f);
        assertValues(new double[] {5, 6, 7, 8}, out);
    }

    @Test
    void matmulAccumulatesInDouble() {
        // 1 + 1e-10 - 1: a float accumulator loses the 1e-10 entirely
        Tensor a = Tensor.ofDoubles(new double[] {1, 1e-10, -1}, 1, 1, 3);
        Tensor b = Tensor.ofDoubles(new double[] {1, 1, 1}, 1, 3, 1);
        Tensor c = Tensor.zeros(DType.F64, 1, 1, 1);
        ref.matmul(a, b, c, 1f, 0f);
        assertEquals(1e-10, c.toDoubleArray()[0], 1e-15);
    }

    // ------------------------------------------------------------------ element-wise

    private double unary(UnaryOp op, float alpha, double x) {
        Tensor t = Tensor.ofDoubles(new double[] {x}, 1);
        Tensor out = Tensor.zeros(DType.F64, 1);
        ref.unary(op, alpha, t, out);
        return out.toDoubleArray()[0];
    }

    private double grad(UnaryOp op, float alpha, double x) {
        Tensor t = Tensor.ofDoubles(new double[] {x}, 1);
        Tensor y = Tensor.zeros(DType.F64, 1);
        ref.unary(op, alpha, t, y);
        Tensor g = Tensor.ofDoubles(new double[] {1}, 1);
        Tensor out = Tensor.zeros(DType.F64, 1);
        ref.unaryBackward(op, alpha, t, y, g, out);
        return out.toDoubleArray()[0];
    }

    @Test
    void unaryValuesAndDerivatives() {
        assertEquals(-2, unary(UnaryOp.NEG, 0, 2), EPS);
        assertEquals(3, unary(UnaryOp.ABS, 0, -3), EPS);
        assertEquals(0, grad(UnaryOp.ABS, 0, 0), EPS);
        assertEquals(-1, grad(UnaryOp.ABS, 0, -3), EPS);
        assertEquals(0, unary(UnaryOp.RELU, 0, -1), EPS);
        assertEquals(0, grad(UnaryOp.RELU, 0, 0), EPS); // the subgradient at 0 is 0
        assertEquals(-0.2, unary(UnaryOp.LEAKY_RELU, 0.1f, -2), EPS);
        assertEquals(0.1, grad(UnaryOp.LEAKY_RELU, 0.1f, -2), EPS);
        assertEquals(0.5, unary(UnaryOp.SIGMOID, 0, 0), EPS);
        assertEquals(0.25, grad(UnaryOp.SIGMOID, 0, 0), EPS);
        assertEquals(0.7310585786, unary(UnaryOp.SIGMOID, 0, 1), 1e-9);
        // stable at the extremes: no NaN from exp overflow
        assertEquals(0, unary(UnaryOp.SIGMOID, 0, -1000), 0);
        assertEquals(1, unary(UnaryOp.SIGMOID, 0, 1000), 0);
        assertEquals(0.7615941560, unary(UnaryOp.TANH, 0, 1), 1e-9);
        assertEquals(1 - 0.7615941560 * 0.7615941560, grad(UnaryOp.TANH, 0, 1), 1e-9);
        assertEquals(Math.E, unary(UnaryOp.EXP, 0, 1), 1e-12);
        assertEquals(1, unary(UnaryOp.LOG, 0, Math.E), 1e-12);
        assertEquals(0.5, grad(UnaryOp.LOG, 0, 2), EPS);
        assertEquals(3, unary(UnaryOp.SQRT, 0, 9), EPS);
        assertEquals(0.25, grad(UnaryOp.SQRT, 0, 4), EPS);
        assertEquals(8, unary(UnaryOp.POW, 3, 2), EPS);
        assertEquals(12, grad(UnaryOp.POW, 3, 2), EPS);
        assertEquals(-8, unary(UnaryOp.POW, 3, -2), EPS);
        assertEquals(0, grad(UnaryOp.POW, 0, 5), EPS);
        assertEquals(Math.log(2), unary(UnaryOp.SOFTPLUS, 0, 0), 1e-12);
        assertEquals(1000, unary(UnaryOp.SOFTPLUS, 0, 1000), 1e-9);
        assertEquals(0, unary(UnaryOp.SOFTPLUS, 0, -1000), 1e-12);
        assertEquals(0.5, grad(UnaryOp.SOFTPLUS, 0, 0), EPS);
        // GELU (tanh form) at 1: 0.5 (1 + tanh(sqrt(2/pi) * 1.044715))
        assertEquals(0.8411919906, unary(UnaryOp.GELU_TANH, 0, 1), 1e-9);
        assertEquals(0, unary(UnaryOp.GELU_TANH, 0, 0), 0);
        assertEquals(0.5, grad(UnaryOp.GELU_TANH, 0, 0), 1e-12);
        // derivative of GELU at 1 against a central difference of the forward
        double h = 1e-6;
        double fd = (unary(UnaryOp.GELU_TANH, 0, 1 + h) - unary(UnaryOp.GELU_TANH, 0, 1 - h)) / (2 * h);
        assertEquals(fd, grad(UnaryOp.GELU_TANH, 0, 1), 1e-8);
    }

    @Test
    void binaryOpsIncludingComparisons() {
        Tensor a = f32(s(4), 1, 2, 3, 4);
        Tensor b = f32(s(4), 4, 2, 1, 8);
        double[][] expected = {
            {5, 4, 4, 12}, {-3, 0, 2, -4}, {4, 4, 3, 32}, {0.25, 1, 3, 0.5}, {4, 2, 3, 8}, {1, 2, 1, 4},
            {0, 1, 0, 0}, {0, 0, 1, 0},
        };
        for (BinaryOp op : BinaryOp.values()) {
            Tensor out = Tensor.zeros(4);
            ref.binary(op, a, b, out);
            assertValues(expected[op.ordinal()], out);
        }
        // broadcast through a stride-0 view, and the output aliasing an input (gradient accumulation)
        Tensor row = f32(s(1, 3), 10, 20, 30);
        Tensor m = f32(s(2, 3), 1, 2, 3, 4, 5, 6);
        ref.binary(BinaryOp.ADD, m, row.view(new int[] {2, 3}, new long[] {0, 1}, 0), m);
        assertValues(new double[] {11, 22, 33, 14, 25, 36}, m);
    }

    // ------------------------------------------------------------------ reductions

    @Test
    void reductionsKeepTheReducedAxesAsOnes() {
        Tensor x = f32(s(2, 3), 1, 2, 3, 4, 5, 6);
        Tensor rows = Tensor.zeros(2, 1);
        ref.reduce(ReduceOp.SUM, x, rows);
        assertValues(new double[] {6, 15}, rows);
        Tensor cols = Tensor.zeros(1, 3);
        ref.reduce(ReduceOp.MEAN, x, cols);
        assertValues(new double[] {2.5, 3.5, 4.5}, cols);
        Tensor all = Tensor.zeros(1, 1);
        ref.reduce(ReduceOp.MAX, x, all);
        assertValues(new double[] {6}, all);
        ref.reduce(ReduceOp.MIN, x.t(), all);
        assertValues(new double[] {1}, all);
    }

    @Test
    void emptyReductionsGiveTheIdentities() {
        Tensor empty = Tensor.zeros(2, 0);
        double[][] expected = {{0, 0}, {Double.NaN, Double.NaN},
            {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY}, {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY}};
        for (ReduceOp op : ReduceOp.values()) {
            Tensor out = Tensor.zeros(2, 1);
            ref.reduce(op, empty, out);
            assertArrayEquals(expected[op.ordinal()], out.toDoubleArray(), 0, op.name());
        }
    }

    // ------------------------------------------------------------------ softmax

    @Test
    void softmaxAndLogSoftmaxValues() {
        Tensor x = f32(s(1, 3), 1, 2, 3);
        Tensor y = Tensor.zeros(1, 3);
        ref.softmax(x, 1, false, y);
        assertValues(new double[] {0.0900305732, 0.2447284711, 0.6652409558}, y);
        Tensor ly = Tensor.zeros(1, 3);
        ref.softmax(x, 1, true, ly);
        assertValues(new double[] {-2.4076059644, -1.4076059644, -0.4076059644}, ly);
        // shifted by the maximum: huge logits do not overflow
        Tensor big = Tensor.zeros(1, 2);
        ref.softmax(f32(s(1, 2), 1000, 1000), 1, false, big);
        assertValues(new double[] {0.5, 0.5}, big);
        // along axis 0 of [[0, 0], [ln 3, 0]]: columns [1/4, 3/4] and [1/2, 1/2]
        Tensor col = Tensor.zeros(2, 2);
        ref.softmax(f32(s(2, 2), 0, 0, (float) Math.log(3), 0), 0, false, col);
        assertValues(new double[] {0.25, 0.5, 0.75, 0.5}, col);
    }

    @Test
    void softmaxBackwardIsTheJacobianTransposeProduct() {
        Tensor x = f32(s(1, 3), 1, 2, 3);
        Tensor y = Tensor.zeros(1, 3);
        ref.softmax(x, 1, false, y);
        Tensor g = f32(s(1, 3), 1, 0, 0);
        Tensor gi = Tensor.zeros(1, 3);
        ref.softmaxBackward(y, g, 1, false, gi);
        double y0 = 0.0900305732, y1 = 0.2447284711, y2 = 0.6652409558;
        // d y0 / d x = y0 (delta - y)
        assertValues(new double[] {y0 * (1 - y0), -y0 * y1, -y0 * y2}, gi);
        Tensor ly = Tensor.zeros(1, 3);
        ref.softmax(x, 1, true, ly);
        ref.softmaxBackward(ly, g, 1, true, gi);
        // d log y0 / d x = delta - y
        assertValues(new double[] {1 - y0, -y1, -y2}, gi);
    }

    // ------------------------------------------------------------------ memory

    @Test
    void copyConvertsAndFillSetsEveryElement() {
        Tensor f = f32(s(2, 2), 2.7f, -2.7f, 3f, 1e9f);
        Tensor i = Tensor.zeros(DType.I64, 2, 2);
        ref.copy(f.t(), i);
        assertArrayEquals(new long[] {2, 3, -2, 1_000_000_000}, i.toLongArray()); // truncation toward 0
        Tensor back = Tensor.zeros(2, 2);
        ref.copy(i, back);
        assertValues(new double[] {2, 3, -2, 1e9}, back);
        Tensor big = Tensor.ofLongs(new long[] {(1L << 40) + 1}, 1);
        Tensor big2 = Tensor.zeros(DType.I64, 1);
        ref.copy(big, big2); // integer to integer copies are exact, not through double
        assertEquals((1L << 40) + 1, big2.toLongArray()[0]);
        Tensor base = Tensor.zeros(DType.I32, 2, 4);
        ref.fill(base.slice(1, 1, 3), 7); // the middle columns only
        assertArrayEquals(new int[] {0, 7, 7, 0, 0, 7, 7, 0}, base.toIntArray());
    }

    @Test
    void gatherAndScatterAddRows() {
        Tensor table = f32(s(3, 2), 1, 2, 3, 4, 5, 6);
        Tensor ids = Tensor.ofInts(new int[] {2, 0, 2}, 3);
        Tensor out = Tensor.zeros(3, 2);
        ref.gatherRows(table, ids, out);
        assertValues(new double[] {5, 6, 1, 2, 5, 6}, out);
        Tensor target = Tensor.zeros(3, 2);
        ref.scatterAddRows(f32(s(3, 2), 1, 1, 2, 2, 3, 3), Tensor.ofLongs(new long[] {2, 0, 2}, 3), target);
        // row 2 receives rows 0 and 2 of the source: repeated indices add up
        assertValues(new double[] {2, 2, 0, 0, 4, 4}, target);
    }

    // ------------------------------------------------------------------ convolution

    /** x[0, 0] = 1..9 on a 3 x 3 image. */
    private static Tensor image3x3() {
        return f32(s(1, 1, 3, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }

    @Test
    void conv2dTwoByTwoKernelWithBias() {
        Tensor w = f32(s(1, 1, 2, 2), 1, 0, 0, -1);
        Tensor out = Tensor.zeros(1, 1, 2, 2);
        ref.conv2d(image3x3(), w, f32(s(1), 1), out, ConvSpec.of(1, 0));
        // x[i, j] - x[i + 1, j + 1] + 1 = -4 + 1 everywhere
        assertValues(new double[] {-3, -3, -3, -3}, out);
    }

    @Test
    void conv2dPaddingStrideDilationAndGroups() {
        Tensor ones = f32(s(1, 1, 3, 3), 1, 1, 1, 1, 1, 1, 1, 1, 1);
        Tensor padded = Tensor.zeros(1, 1, 2, 2);
        // padding 1, stride 2: windows centred on the corners see 4 of their 9 taps
        ref.conv2d(image3x3(), ones, null, padded, ConvSpec.of(2, 1));
        assertValues(new double[] {1 + 2 + 4 + 5, 2 + 3 + 5 + 6, 4 + 5 + 7 + 8, 5 + 6 + 8 + 9}, padded);
        Tensor dilated = Tensor.zeros(1, 1, 1, 1);
        ref.conv2d(image3x3(), f32(s(1, 1, 2, 2), 1, 10, 100, 1000), null, dilated, new ConvSpec(1, 1, 0, 0, 2, 2, 1));
        // dilation 2 reaches the corners: 1 + 10 * 3 + 100 * 7 + 1000 * 9
        assertValues(new double[] {1 + 30 + 700 + 9000}, dilated);
        // two groups of one channel: each output sees only its own channel
        Tensor x2 = f32(s(1, 2, 1, 1), 3, 5);
        Tensor w2 = f32(s(2, 1, 1, 1), 2, 7);
        Tensor y2 = Tensor.zeros(1, 2, 1, 1);
        ref.conv2d(x2, w2, null, y2, new ConvSpec(1, 1, 0, 0, 1, 1, 2));
        assertValues(new double[] {6, 35}, y2);
    }

    @Test
    void conv2dGradientsByHand() {
        Tensor w = f32(s(1, 1, 2, 2), 1, 0, 0, -1);
        Tensor gradOut = f32(s(1, 1, 2, 2), 1, 1, 1, 1);
        Tensor gradIn = Tensor.full(Float.NaN, 1, 1, 3, 3); // overwritten, NaN or not
        ref.conv2dBackwardData(gradOut, w, gradIn, ConvSpec.of(1, 0));
        // each pixel collects w[tap] from every window that covers it
        assertValues(new double[] {1, 1, 0, 1, 0, -1, 0, -1, -1}, gradIn);
        Tensor gradW = Tensor.zeros(1, 1, 2, 2);
        Tensor gradB = Tensor.zeros(1);
        ref.conv2dBackwardWeights(image3x3(), gradOut, gradW, gradB, ConvSpec.of(1, 0));
        // gradW[a, b] = sum of the 2 x 2 block of x starting at (a, b)
        assertValues(new double[] {12, 16, 24, 28}, gradW);
        assertValues(new double[] {4}, gradB);
    }

    // ------------------------------------------------------------------ pooling

    private static Tensor image4x4() {
        float[] v = new float[16];
        for (int i = 0; i < 16; i++) {
            v[i] = i + 1;
        }
        return Tensor.of(v, 1, 1, 4, 4);
    }

    @Test
    void maxAndAveragePoolingWindows() {
        Tensor out = Tensor.zeros(1, 1, 2, 2);
        ref.pool2d(new PoolSpec(PoolSpec.Kind.MAX, 2, 2, 2, 2, 0, 0, false), image4x4(), out);
        assertValues(new double[] {6, 8, 14, 16}, out);
        ref.pool2d(new PoolSpec(PoolSpec.Kind.AVG, 2, 2, 2, 2, 0, 0, false), image4x4(), out);
        assertValues(new double[] {3.5, 5.5, 11.5, 13.5}, out);
        // kernel 3, stride 2, padding 1: the corner window holds 1, 2, 5, 6 and five padded positions
        ref.pool2d(new PoolSpec(PoolSpec.Kind.AVG, 3, 3, 2, 2, 1, 1, true), image4x4(), out);
        assertEquals(14.0 / 9, out.toDoubleArray()[0], EPS);
        ref.pool2d(new PoolSpec(PoolSpec.Kind.AVG, 3, 3, 2, 2, 1, 1, false), image4x4(), out);
        assertEquals(14.0 / 4, out.toDoubleArray()[0], EPS);
        // max pooling ignores padding even where every real value is negative
        Tensor neg = Tensor.zeros(1, 1, 4, 4);
        ref.unary(UnaryOp.NEG, 0f, image4x4(), neg);
        ref.pool2d(new PoolSpec(PoolSpec.Kind.MAX, 3, 3, 2, 2, 1, 1, false), neg, out);
        assertValues(new double[] {-1, -2, -5, -6}, out);
    }

    @Test
    void poolingGradients() {
        // ties: the whole gradient goes to the first maximum in row-major order
        Tensor flat = Tensor.zeros(1, 1, 2, 2);
        Tensor g = f32(s(1, 1, 1, 1), 5);
        Tensor gi = Tensor.zeros(1, 1, 2, 2);
        PoolSpec max2 = new PoolSpec(PoolSpec.Kind.MAX, 2, 2, 2, 2, 0, 0, false);
        ref.pool2dBackward(max2, flat, Tensor.zeros(1, 1, 1, 1), g, gi);
        assertValues(new double[] {5, 0, 0, 0}, gi);
        Tensor gi4 = Tensor.zeros(1, 1, 4, 4);
        ref.pool2dBackward(max2, image4x4(), Tensor.zeros(1, 1, 2, 2), f32(s(1, 1, 2, 2), 1, 2, 3, 4), gi4);
        assertValues(new double[] {0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4}, gi4);
        // average with padding excluded: the corner window shares its gradient among 4 real pixels
        PoolSpec avg = new PoolSpec(PoolSpec.Kind.AVG, 3, 3, 2, 2, 1, 1, false);
        ref.pool2dBackward(avg, image4x4(), Tensor.zeros(1, 1, 2, 2), f32(s(1, 1, 2, 2), 4, 0, 0, 0), gi4);
        assertValues(new double[] {1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, gi4);
    }

    // ------------------------------------------------------------------ layer norm

    @Test
    void layerNormValuesAndGradients() {
        Tensor x = f32(s(1, 4), 1, 2, 3, 4);
        Tensor out = Tensor.zeros(1, 4), mean = Tensor.zeros(1), rstd = Tensor.zeros(1);
        ref.layerNorm(x, f32(s(4), 2, 2, 2, 2), f32(s(4), 1, 1, 1, 1), 0f, out, mean, rstd);
        // mean 2.5, biased variance 1.25
        double r = 1 / Math.sqrt(1.25);
        assertValues(new double[] {2.5}, mean);
        assertValues(new double[] {r}, rstd);
        assertValues(new double[] {1 - 3 * r, 1 - r, 1 + r, 1 + 3 * r}, out);
        Tensor gradIn = Tensor.zeros(1, 4), gg = Tensor.zeros(4), gb = Tensor.zeros(4);
        ref.layerNormBackward(x, null, mean, rstd, f32(s(1, 4), 1, 0, 0, 0), gradIn, gg, gb);
        // dx_j = rstd (dy_j - mean(dy) - xhat_j mean(dy xhat)), with xhat = (-1.5, -0.5, 0.5, 1.5) r
        double[] xhat = {-1.5 * r, -0.5 * r, 0.5 * r, 1.5 * r};
        double[] dx = new double[4];
        for (int j = 0; j < 4; j++) {
            dx[j] = r * ((j == 0 ? 1 : 0) - 0.25 - xhat[j] * xhat[0] / 4);
        }
        assertValues(dx, gradIn);
        assertValues(new double[] {xhat[0], 0, 0, 0}, gg);
        assertValues(new double[] {1, 0, 0, 0}, gb);
        // a gradient that only shifts all outputs equally changes nothing upstream
        ref.layerNormBackward(x, null, mean, rstd, f32(s(1, 4), 1, 1, 1, 1), gradIn, null, null);
        assertValues(new double[] {0, 0, 0, 0}, gradIn);
    }
}
