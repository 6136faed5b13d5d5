package io.panrec.onednn;

import io.panrec.autograd.GradCheck;
import io.panrec.autograd.GradientCases;
import io.panrec.backend.Backend;
import io.panrec.backend.BinaryOp;
import io.panrec.backend.Backends;
import io.panrec.backend.ConvSpec;
import io.panrec.backend.PoolSpec;
import io.panrec.backend.ReduceOp;
import io.panrec.backend.UnaryOp;
import io.panrec.ops.Elementwise;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import io.panrec.testing.Rand;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every oneDNN kernel against the reference backend on random inputs of odd sizes and unusual strides.
 * These run in CI: the library comes from the Maven Central jar, so they must not skip.
 */
class OneDnnBackendTest {
    private static final int[] SIZES = {1, 3, 17, 129};
    private final Rand rand = new Rand();
    private final Backend ref = Backends.named("reference");
    private OneDnnBackend dnn;
    private Scope scope;

    @BeforeEach
    void open() {
        assertTrue(OneDnnLibrary.availability().available(), "oneDNN must load in CI: " + OneDnnLibrary.availability());
        // small test tensors must still reach oneDNN, not the small-op shortcut to the fallback
        dnn = ((OneDnnBackend) Backends.named("onednn")).minElements(0);
        scope = Scope.open("onednn test");
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor like(Tensor t) {
        return Tensor.zeros(t.dtype(), t.shape());
    }

    @Test
    void isTheDefaultBackendAndReportsItsVersion() {
        assertEquals("onednn", Backends.defaultBackend().name());
        assertTrue(OneDnnLibrary.version().startsWith("3."), OneDnnLibrary.version());
    }

    @Test
    void matmulOddSizesTransposedBroadcastAlphaBeta() {
        int[][] shapes = {{1, 1, 1}, {7, 13, 5}, {65, 129, 33}, {17, 3, 129}};
        for (int[] s : shapes) {
            int m = s[0], k = s[1], n = s[2];
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    for (float[] ab : new float[][] {{1, 0}, {0.5f, 2f}}) {
                        Tensor a = ta ? rand.f32(1, k, m).transpose(1, 2) : rand.f32(1, m, k);
                        Tensor b = tb ? rand.f32(1, n, k).transpose(1, 2) : rand.f32(1, k, n);
                        Tensor c0 = rand.f32(1, m, n);
                        Tensor c1 = c0.copy();
                        ref.matmul(a, b, c0, ab[0], ab[1]);
                        dnn.matmul(a, b, c1, ab[0], ab[1]);
                        rand.assertClose("matmul " + m + "x" + k + "x" + n + " ta=" + ta + " tb=" + tb + " alpha,beta="
                                + ab[0] + "," + ab[1], c0, c1, k);
                    }
                }
            }
        }
        Tensor a = rand.f32(3, 9, 11);
        Tensor b = rand.f32(1, 11, 19).view(new int[] {3, 11, 19}, new long[] {0, 19, 1}, 0);
        Tensor c0 = Tensor.full(Float.NaN, 3, 9, 19), c1 = Tensor.full(Float.NaN, 3, 9, 19);
        ref.matmul(a, b, c0, 1f, 0f);
        dnn.matmul(a, b, c1, 1f, 0f);
        rand.assertClose("batched matmul with a broadcast operand", c0, c1, 11);
    }

    @Test
    void fusedLinearMatchesMatmulBiasRelu() {
        Tensor x = rand.f32(37, 29), w = rand.f32(13, 29), bias = rand.f32(13);
        Tensor out = Tensor.zeros(37, 13);
        dnn.linear(x, w, bias, true, out);
        Tensor expected;
        try (var r = Backends.use("reference")) {
            expected = Elementwise.relu(io.panrec.ops.Linalg.linear(x, w, bias));
        }
        rand.assertClose("linear+bias+relu", expected, out, 29);
    }

    @Test
    void eltwiseForwardAndBackward() {
        for (UnaryOp op : UnaryOp.values()) {
            for (int n : SIZES) {
                Tensor x = rand.f32(n, 3);
                if (op == UnaryOp.LOG || op == UnaryOp.SQRT || op == UnaryOp.POW) {
                    x = Elementwise.abs(x).add(0.1f);
                }
                Tensor xt = x.t(); // unusual strides
                Tensor o0 = like(xt), o1 = like(xt);
                ref.unary(op, 0.3f, xt, o0);
                dnn.unary(op, 0.3f, xt, o1);
                rand.assertClose(op + " n=" + n, o0, o1, 1);
                Tensor g = rand.f32(3, n);
                Tensor g0 = like(xt), g1 = like(xt);
                ref.unaryBackward(op, 0.3f, xt, o0, g, g0);
                dnn.unaryBackward(op, 0.3f, xt, o0, g, g1);
                rand.assertClose(op + " backward n=" + n, g0, g1, 1);
            }
        }
    }

    @Test
    void binaryWithBroadcastSecondOperand() {
        for (BinaryOp op : BinaryOp.values()) {
            for (int n : SIZES) {
                Tensor a = rand.f32(5, n);
                Tensor row = rand.f32(1, n).add(op == BinaryOp.DIV ? 3f : 0f);
                Tensor b = row.view(new int[] {5, n}, new long[] {0, 1}, 0);
                Tensor t = rand.f32(n, 5).t();
                for (Tensor[] pair : new Tensor[][] {{a, b}, {t, a}, {a, a}}) {
                    Tensor o0 = Tensor.zeros(5, n), o1 = Tensor.zeros(5, n);
                    ref.binary(op, pair[0], pair[1], o0);
                    dnn.binary(op, pair[0], pair[1], o1);
                    rand.assertClose(op + " n=" + n, o0, o1, 1);
                }
            }
        }
    }

    @Test
    void reductionsAndSoftmax() {
        Tensor x = rand.f32(3, 17, 5);
        int[][] outs = {{3, 17, 1}, {3, 1, 1}, {1, 1, 1}, {1, 17, 5}, {3, 1, 5}};
        for (ReduceOp op : ReduceOp.values()) {
            for (int[] os : outs) {
                Tensor o0 = Tensor.zeros(os), o1 = Tensor.zeros(os);
                ref.reduce(op, x, o0);
                dnn.reduce(op, x, o1);
                rand.assertClose(op + " to " + java.util.Arrays.toString(os), o0, o1, 255);
            }
        }
        for (int n : SIZES) {
            for (boolean log : new boolean[] {false, true}) {
                for (int axis : new int[] {0, 1}) {
                    Tensor s = rand.f32(4, n).mul(4f);
                    Tensor y0 = like(s), y1 = like(s);
                    ref.softmax(s, axis, log, y0);
                    dnn.softmax(s, axis, log, y1);
                    rand.assertClose("softmax n=" + n + " log=" + log, y0, y1, n);
                    Tensor g = rand.f32(4, n);
                    Tensor g0 = like(s), g1 = like(s);
                    ref.softmaxBackward(y0, g, axis, log, g0);
                    dnn.softmaxBackward(y0, g, axis, log, g1);
                    rand.assertClose("softmax backward n=" + n + " log=" + log, g0, g1, n);
                }
            }
        }
    }

    @Test
    void convolutionForwardAndBackward() {
        ConvSpec[] specs = {ConvSpec.of(1, 0), ConvSpec.of(2, 1), new ConvSpec(1, 2, 2, 0, 2, 1, 1), new ConvSpec(1, 1, 1, 1, 1, 1, 3),
                new ConvSpec(2, 2, 0, 0, 1, 1, 1)};
        for (ConvSpec s : specs) {
            int c = 6, o = 9;
            Tensor x = rand.f32(2, c, 11, 7);
            Tensor w = rand.f32(o, c / s.groups(), 3, 3);
            Tensor bias = rand.f32(o);
            int oh = ConvSpec.outputSize(11, 3, s.strideH(), s.padH(), s.dilationH());
            int ow = ConvSpec.outputSize(7, 3, s.strideW(), s.padW(), s.dilationW());
            Tensor y0 = Tensor.zeros(2, o, oh, ow), y1 = Tensor.zeros(2, o, oh, ow);
            ref.conv2d(x, w, bias, y0, s);
            dnn.conv2d(x, w, bias, y1, s);
            rand.assertClose("conv2d " + s, y0, y1, 54);
            Tensor g = rand.f32(2, o, oh, ow);
            Tensor gx0 = like(x), gx1 = like(x);
            ref.conv2dBackwardData(g, w, gx0, s);
            dnn.conv2dBackwardData(g, w, gx1, s);
            rand.assertClose("conv2d backward data " + s, gx0, gx1, 81);
            Tensor gw0 = like(w), gw1 = like(w), gb0 = like(bias), gb1 = like(bias);
            ref.conv2dBackwardWeights(x, g, gw0, gb0, s);
            dnn.conv2dBackwardWeights(x, g, gw1, gb1, s);
            rand.assertClose("conv2d backward weights " + s, gw0, gw1, 2 * oh * ow);
            rand.assertClose("conv2d backward bias " + s, gb0, gb1, 2 * oh * ow);
        }
    }

    @Test
    void poolingForwardAndBackward() {
        PoolSpec[] specs = {new PoolSpec(PoolSpec.Kind.MAX, 2, 2, 2, 2, 0, 0, false), new PoolSpec(PoolSpec.Kind.MAX, 3, 3, 2, 2, 1, 1, false),
                new PoolSpec(PoolSpec.Kind.AVG, 3, 2, 1, 2, 1, 1, true), new PoolSpec(PoolSpec.Kind.AVG, 3, 3, 2, 2, 1, 1, false)};
        for (PoolSpec p : specs) {
            Tensor x = rand.f32(2, 3, 9, 8);
            Tensor y0 = Tensor.zeros(2, 3, p.outputH(9), p.outputW(8)), y1 = like(y0);
            ref.pool2d(p, x, y0);
            dnn.pool2d(p, x, y1);
            rand.assertClose("pool2d " + p, y0, y1, 9);
            Tensor g = rand.f32(y0.shape());
            Tensor g0 = like(x), g1 = like(x);
            ref.pool2dBackward(p, x, y0, g, g0);
            dnn.pool2dBackward(p, x, y0, g, g1);
            rand.assertClose("pool2d backward " + p, g0, g1, 9);
        }
    }

    @Test
    void layerNormForwardAndBackward() {
        for (int d : SIZES) {
            Tensor x = rand.f32(5, d).mul(3f);
            Tensor gamma = rand.f32(d), beta = rand.f32(d);
            Tensor y0 = like(x), y1 = like(x), m0 = Tensor.zeros(5), m1 = Tensor.zeros(5), r0 = Tensor.zeros(5), r1 = Tensor.zeros(5);
            ref.layerNorm(x, gamma, beta, 1e-5f, y0, m0, r0);
            dnn.layerNorm(x, gamma, beta, 1e-5f, y1, m1, r1);
            rand.assertClose("layerNorm d=" + d, y0, y1, d);
            rand.assertClose("layerNorm mean d=" + d, m0, m1, d);
            rand.assertClose("layerNorm rstd d=" + d, r0, r1, d);
            Tensor g = rand.f32(5, d);
            Tensor gi0 = like(x), gi1 = like(x), gg0 = like(gamma), gg1 = like(gamma), gb0 = like(beta), gb1 = like(beta);
            ref.layerNormBackward(x, gamma, m0, r0, g, gi0, gg0, gb0);
            dnn.layerNormBackward(x, gamma, m0, r0, g, gi1, gg1, gb1);
            rand.assertClose("layerNorm backward d=" + d, gi0, gi1, d);
            rand.assertClose("layerNorm gamma gradient d=" + d, gg0, gg1, 5);
            rand.assertClose("layerNorm beta gradient d=" + d, gb0, gb1, 5);
        }
    }

    @Test
    void aRepeatedCallCreatesNoPrimitive() {
        Tensor a = rand.f32(1, 31, 17), b = rand.f32(1, 17, 23), c = Tensor.zeros(1, 31, 23);
        dnn.matmul(a, b, c, 1f, 0f);
        long created = dnn.primitivesCreated();
        for (int i = 0; i < 5; i++) {
            dnn.matmul(rand.f32(1, 31, 17), rand.f32(1, 17, 23), c, 1f, 0f);
        }
        assertEquals(created, dnn.primitivesCreated());
    }

    @Test
    void badInputIsRejectedInJavaBeforeAnyNativeCall() {
        Tensor a = rand.f32(1, 4, 5), b = rand.f32(1, 6, 7), c = Tensor.zeros(1, 4, 7);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> dnn.matmul(a, b, c, 1f, 0f));
        assertTrue(e.getMessage().contains("matmul"), e.getMessage());
        Tensor closed;
        try (Scope s = Scope.open("short")) {
            closed = rand.f32(1, 4, 5);
        }
        Tensor finalClosed = closed;
        assertThrows(IllegalStateException.class, () -> dnn.matmul(finalClosed, rand.f32(1, 5, 7), c, 1f, 0f));
        assertThrows(IllegalArgumentException.class,
                () -> dnn.conv2d(rand.f32(1, 3, 5, 5), rand.f32(2, 4, 3, 3), null, Tensor.zeros(1, 2, 3, 3), ConvSpec.of(1, 0)));
        assertThrows(IllegalArgumentException.class, () -> dnn.linear(rand.f32(3, 4), rand.f32(2, 5), null, false, Tensor.zeros(3, 2)));
    }

    @Test
    void manyThreadsGiveWhatOneThreadGives() throws Exception {
        Tensor w = rand.f32(1, 64, 48);
        Tensor cw = rand.f32(8, 4, 3, 3);
        Tensor[] inputs = new Tensor[8];
        Tensor[] images = new Tensor[8];
        float[][] single = new float[8][];
        float[][] singleConv = new float[8][];
        for (int i = 0; i < 8; i++) {
            inputs[i] = rand.f32(1, 33, 64);
            images[i] = rand.f32(2, 4, 9, 9);
            Tensor o = Tensor.zeros(1, 33, 48);
            dnn.matmul(inputs[i], w, o, 1f, 0f);
            single[i] = o.toFloatArray();
            Tensor oc = Tensor.zeros(2, 8, 9, 9);
            dnn.conv2d(images[i], cw, null, oc, ConvSpec.of(1, 1));
            singleConv[i] = oc.toFloatArray();
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int rep = 0; rep < 25; rep++) {
                for (int i = 0; i < 8; i++) {
                    int k = i;
                    fs.add(pool.submit(() -> {
                        Tensor o = Tensor.zeros(1, 33, 48);
                        dnn.matmul(inputs[k], w, o, 1f, 0f);
                        assertArrayEquals(single[k], o.toFloatArray());
                        Tensor oc = Tensor.zeros(2, 8, 9, 9);
                        dnn.conv2d(images[k], cw, null, oc, ConvSpec.of(1, 1));
                        assertArrayEquals(singleConv[k], oc.toFloatArray());
                    }));
                }
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void everyBoundPrimitiveIsReallyBuiltByOneDnn() {
        convolutionForwardAndBackward();
        poolingForwardAndBackward();
        layerNormForwardAndBackward();
        eltwiseForwardAndBackward();
        binaryWithBroadcastSecondOperand();
        reductionsAndSoftmax();
        matmulOddSizesTransposedBroadcastAlphaBeta();
        fusedLinearMatchesMatmulBiasRelu();
        var kinds = dnn.primitiveKinds();
        for (String k : List.of("matmul", "linear", "eltwise", "eltwise_bwd", "binary", "reduction", "softmax", "softmax_bwd",
                "conv_fwd", "conv_bwd_data", "conv_bwd_weights", "pool_fwd", "pool_bwd", "lnorm_fwd", "lnorm_bwd")) {
            assertTrue(kinds.get("built").contains(k), k + " never ran on oneDNN: " + kinds);
        }
        System.out.println("oneDNN primitive kinds: " + kinds);
    }

    @TestFactory
    List<DynamicTest> gradientCasesAgreeWithTheReference() {
        List<DynamicTest> tests = new ArrayList<>();
        for (GradientCases.Case c : GradientCases.all(rand.seed)) {
            tests.add(DynamicTest.dynamicTest(c.name(), () -> {
                try {
                    GradCheck.agreesWithReference(c.name(), "onednn", c.f(), c.inputs());
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + rand.note(), e);
                }
            }));
        }
        return tests;
    }
}
