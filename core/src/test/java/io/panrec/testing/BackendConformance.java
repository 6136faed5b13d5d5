package io.panrec.testing;

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
import io.panrec.tensor.DType;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What every backend must compute: each kernel of the SPI against the reference backend on random inputs
 * of odd sizes (1, 3, 17, 129), transposed and broadcast views, and every gradient case of the autograd
 * suite run end to end on the candidate. A backend's test extends this and names the candidate (vector
 * in core; onednn in native-bindings, through core's test-jar); the seed is printed on failure.
 */
public abstract class BackendConformance {
    protected static final int[] SIZES = {1, 3, 17, 129};
    protected final Rand rand = new Rand();
    protected final Backend ref = Backends.named("reference");
    protected Backend cand;
    private Scope scope;

    /** The backend under test. */
    protected abstract Backend candidate();

    @BeforeEach
    void openConformanceScope() {
        cand = candidate();
        scope = Scope.open(cand.name() + " conformance");
    }

    @AfterEach
    void closeConformanceScope() {
        scope.close();
    }

    protected static Tensor like(Tensor t) {
        return Tensor.zeros(t.dtype(), t.shape());
    }

    @Test
    protected void matmulOddSizesTransposedBroadcastAlphaBeta() {
        int[][] shapes = {{1, 1, 1}, {7, 13, 5}, {65, 129, 33}, {17, 3, 129}, {37, 70, 1}, {4, 33, 1}};
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
                        cand.matmul(a, b, c1, ab[0], ab[1]);
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
        cand.matmul(a, b, c1, 1f, 0f);
        rand.assertClose("batched matmul with a broadcast operand", c0, c1, 11);
    }

    @Test
    protected void eltwiseForwardAndBackward() {
        for (UnaryOp op : UnaryOp.values()) {
            for (int n : SIZES) {
                Tensor x = rand.f32(n, 3);
                if (op == UnaryOp.LOG || op == UnaryOp.SQRT || op == UnaryOp.POW) {
                    x = Elementwise.abs(x).add(0.1f);
                }
                Tensor xt = x.t(); // unusual strides
                Tensor o0 = like(xt), o1 = like(xt);
                ref.unary(op, 0.3f, xt, o0);
                cand.unary(op, 0.3f, xt, o1);
                rand.assertClose(op + " n=" + n, o0, o1, 1);
                Tensor g = rand.f32(3, n);
                Tensor g0 = like(xt), g1 = like(xt);
                ref.unaryBackward(op, 0.3f, xt, o0, g, g0);
                cand.unaryBackward(op, 0.3f, xt, o0, g, g1);
                rand.assertClose(op + " backward n=" + n, g0, g1, 1);
            }
        }
    }

    @Test
    protected void binaryWithBroadcastAndStrides() {
        for (BinaryOp op : BinaryOp.values()) {
            for (int n : SIZES) {
                Tensor a = rand.f32(5, n);
                Tensor row = rand.f32(1, n);
                Tensor b = row.view(new int[] {5, n}, new long[] {0, 1}, 0);
                Tensor col = rand.f32(5, 1).add(op == BinaryOp.DIV ? 2f : 0f);
                Tensor c = col.view(new int[] {5, n}, new long[] {1, 0}, 0);
                Tensor t = rand.f32(n, 5).t();
                for (Tensor[] pair : new Tensor[][] {{a, b}, {a, c}, {b, a}, {t, a}}) {
                    Tensor o0 = Tensor.zeros(5, n), o1 = Tensor.zeros(5, n);
                    ref.binary(op, pair[0], pair[1], o0);
                    cand.binary(op, pair[0], pair[1], o1);
                    rand.assertClose(op + " n=" + n, o0, o1, 1);
                }
            }
        }
    }

    @Test
    protected void reductionsOverEveryAxisPattern() {
        Tensor x = rand.f32(3, 17, 5);
        int[][] outs = {{3, 17, 1}, {3, 1, 1}, {1, 1, 1}, {1, 17, 5}, {1, 1, 5}, {3, 1, 5}, {1, 17, 1}};
        for (ReduceOp op : ReduceOp.values()) {
            for (int[] os : outs) {
                Tensor o0 = Tensor.zeros(os), o1 = Tensor.zeros(os);
                ref.reduce(op, x, o0);
                cand.reduce(op, x, o1);
                rand.assertClose(op + " to " + java.util.Arrays.toString(os), o0, o1, 255);
            }
            Tensor t = x.transpose(0, 2);
            Tensor o0 = Tensor.zeros(5, 17, 1), o1 = Tensor.zeros(5, 17, 1);
            ref.reduce(op, t, o0);
            cand.reduce(op, t, o1);
            rand.assertClose(op + " of a transposed view", o0, o1, 3);
        }
    }

    @Test
    protected void softmaxForwardAndBackward() {
        for (int n : SIZES) {
            for (boolean log : new boolean[] {false, true}) {
                for (int axis : new int[] {0, 1}) {
                    Tensor x = rand.f32(4, n).mul(5f);
                    Tensor y0 = like(x), y1 = like(x);
                    ref.softmax(x, axis, log, y0);
                    cand.softmax(x, axis, log, y1);
                    rand.assertClose("softmax n=" + n + " log=" + log + " axis=" + axis, y0, y1, n);
                    Tensor g = rand.f32(4, n);
                    Tensor g0 = like(x), g1 = like(x);
                    ref.softmaxBackward(y0, g, axis, log, g0);
                    cand.softmaxBackward(y0, g, axis, log, g1);
                    rand.assertClose("softmax backward n=" + n, g0, g1, n);
                }
            }
        }
    }

    @Test
    protected void gatherScatterCopyFill() {
        for (int d : SIZES) {
            Tensor table = rand.f32(40, d);
            Tensor ids = Tensor.ofLongs(rand.ids(23, 40), 23);
            Tensor o0 = Tensor.zeros(23, d), o1 = Tensor.zeros(23, d);
            ref.gatherRows(table, ids, o0);
            cand.gatherRows(table, ids, o1);
            rand.assertClose("gather d=" + d, o0, o1, 1);
            Tensor t0 = table.copy(), t1 = table.copy();
            ref.scatterAddRows(o0, ids.to(DType.I32), t0);
            cand.scatterAddRows(o0, ids.to(DType.I32), t1);
            rand.assertClose("scatterAdd d=" + d, t0, t1, 23);
            Tensor c0 = Tensor.zeros(d, 40), c1 = Tensor.zeros(d, 40);
            ref.copy(table.t(), c0);
            cand.copy(table.t(), c1);
            rand.assertClose("copy transposed d=" + d, c0, c1, 1);
            cand.fill(c1, 2.5);
            for (float v : c1.toFloatArray()) {
                assertEquals(2.5f, v);
            }
        }
    }

    @Test
    protected void convolutionForwardAndBackward() {
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
            cand.conv2d(x, w, bias, y1, s);
            rand.assertClose("conv2d " + s, y0, y1, 54);
            Tensor g = rand.f32(2, o, oh, ow);
            Tensor gx0 = like(x), gx1 = like(x);
            ref.conv2dBackwardData(g, w, gx0, s);
            cand.conv2dBackwardData(g, w, gx1, s);
            rand.assertClose("conv2d backward data " + s, gx0, gx1, 81);
            Tensor gw0 = like(w), gw1 = like(w), gb0 = like(bias), gb1 = like(bias);
            ref.conv2dBackwardWeights(x, g, gw0, gb0, s);
            cand.conv2dBackwardWeights(x, g, gw1, gb1, s);
            rand.assertClose("conv2d backward weights " + s, gw0, gw1, 2 * oh * ow);
            rand.assertClose("conv2d backward bias " + s, gb0, gb1, 2 * oh * ow);
        }
    }

    @Test
    protected void poolingForwardAndBackward() {
        PoolSpec[] specs = {new PoolSpec(PoolSpec.Kind.MAX, 2, 2, 2, 2, 0, 0, false), new PoolSpec(PoolSpec.Kind.MAX, 3, 3, 2, 2, 1, 1, false),
                new PoolSpec(PoolSpec.Kind.AVG, 3, 2, 1, 2, 1, 1, true), new PoolSpec(PoolSpec.Kind.AVG, 3, 3, 2, 2, 1, 1, false)};
        for (PoolSpec p : specs) {
            Tensor x = rand.f32(2, 3, 9, 8);
            Tensor y0 = Tensor.zeros(2, 3, p.outputH(9), p.outputW(8)), y1 = like(y0);
            ref.pool2d(p, x, y0);
            cand.pool2d(p, x, y1);
            rand.assertClose("pool2d " + p, y0, y1, 9);
            Tensor g = rand.f32(y0.shape());
            Tensor g0 = like(x), g1 = like(x);
            ref.pool2dBackward(p, x, y0, g, g0);
            cand.pool2dBackward(p, x, y0, g, g1);
            rand.assertClose("pool2d backward " + p, g0, g1, 9);
        }
    }

    @Test
    protected void layerNormForwardAndBackward() {
        for (int d : SIZES) {
            Tensor x = rand.f32(5, d).mul(3f);
            Tensor gamma = rand.f32(d), beta = rand.f32(d);
            Tensor y0 = like(x), y1 = like(x), m0 = Tensor.zeros(5), m1 = Tensor.zeros(5), r0 = Tensor.zeros(5), r1 = Tensor.zeros(5);
            ref.layerNorm(x, gamma, beta, 1e-5f, y0, m0, r0);
            cand.layerNorm(x, gamma, beta, 1e-5f, y1, m1, r1);
            rand.assertClose("layerNorm d=" + d, y0, y1, d);
            rand.assertClose("layerNorm mean d=" + d, m0, m1, d);
            rand.assertClose("layerNorm rstd d=" + d, r0, r1, d);
            Tensor g = rand.f32(5, d);
            Tensor gi0 = like(x), gi1 = like(x), gg0 = like(gamma), gg1 = like(gamma), gb0 = like(beta), gb1 = like(beta);
            ref.layerNormBackward(x, gamma, m0, r0, g, gi0, gg0, gb0);
            cand.layerNormBackward(x, gamma, m0, r0, g, gi1, gg1, gb1);
            rand.assertClose("layerNorm backward d=" + d, gi0, gi1, d);
            rand.assertClose("layerNorm gamma gradient d=" + d, gg0, gg1, 5);
            rand.assertClose("layerNorm beta gradient d=" + d, gb0, gb1, 5);
        }
    }

    // ------------------------------------------------------------------ views, edge cases, odd shapes

    @Test
    protected void matmulOnStridedViewsBroadcastLeftOperandAndStridedOutput() {
        // gapped operands (no unit stride anywhere), both operands broadcast over the batch in turn
        for (int[] s : new int[][] {{1, 1, 1}, {3, 17, 1}, {17, 3, 129}, {33, 65, 7}}) {
            int m = s[0], k = s[1], n = s[2];
            Tensor a = rand.gapped(2, m, k);
            Tensor b = rand.gapped(2, k, n);
            Tensor c0 = rand.f32(2, m, n), c1 = c0.copy();
            ref.matmul(a, b, c0, 1.5f, -1f);
            cand.matmul(a, b, c1, 1.5f, -1f);
            rand.assertClose("matmul of gapped views " + m + "x" + k + "x" + n, c0, c1, k);
        }
        Tensor a = rand.f32(1, 13, 21).view(new int[] {3, 13, 21}, new long[] {0, 21, 1}, 0);
        Tensor b = rand.f32(3, 21, 6);
        Tensor c0 = Tensor.zeros(3, 13, 6), c1 = Tensor.zeros(3, 13, 6);
        ref.matmul(a, b, c0, 1f, 0f);
        cand.matmul(a, b, c1, 1f, 0f);
        rand.assertClose("batched matmul with a broadcast left operand", c0, c1, 21);
        // the output itself a transposed view: c[q] is written column by column
        Tensor ct0 = Tensor.zeros(3, 6, 13), ct1 = Tensor.zeros(3, 6, 13);
        ref.matmul(a, b, ct0.transpose(1, 2), 1f, 0f);
        cand.matmul(a, b, ct1.transpose(1, 2), 1f, 0f);
        rand.assertClose("matmul into a transposed output", ct0, ct1, 21);
        // K = 0: c = beta c
        Tensor e0 = rand.f32(1, 4, 5), e1 = e0.copy();
        ref.matmul(Tensor.zeros(1, 4, 0), Tensor.zeros(1, 0, 5), e0, 1f, 0.5f);
        cand.matmul(Tensor.zeros(1, 4, 0), Tensor.zeros(1, 0, 5), e1, 1f, 0.5f);
        rand.assertClose("matmul with K = 0", e0, e1, 1);
    }

    @Test
    protected void eltwiseOnGappedViewsAndInPlace() {
        for (UnaryOp op : UnaryOp.values()) {
            for (int n : SIZES) {
                boolean positive = op == UnaryOp.LOG || op == UnaryOp.SQRT || op == UnaryOp.POW;
                Tensor x = rand.gapped(2, n);
                Tensor xs = positive ? Elementwise.abs(x).add(0.1f) : x.mul(4f);
                Tensor o0 = like(xs), o1 = like(xs);
                ref.unary(op, 2f, xs, o0);
                cand.unary(op, 2f, xs, o1);
                rand.assertClose(op + " of a gapped view n=" + n, o0, o1, 1);
                Tensor y1 = xs.copy();
                cand.unary(op, 2f, y1, y1);
                rand.assertClose(op + " in place n=" + n, o0, y1, 1);
                Tensor g = rand.gapped(2, n);
                Tensor g0 = like(xs), g1 = like(xs);
                ref.unaryBackward(op, 2f, xs, o0, g, g0);
                cand.unaryBackward(op, 2f, xs, o0, g, g1);
                rand.assertClose(op + " backward of gapped views n=" + n, g0, g1, 1);
            }
        }
    }

    @Test
    protected void binaryBroadcastInTheMiddleAndInPlace() {
        for (BinaryOp op : BinaryOp.values()) {
            for (int n : SIZES) {
                Tensor a = rand.f32(3, 4, n);
                // b broadcast over the middle axis, c gapped
                Tensor b = rand.f32(3, 1, n).view(new int[] {3, 4, n}, new long[] {n, 0, 1}, 0);
                Tensor c = rand.gapped(3, 4, n);
                if (op == BinaryOp.EQ) {
                    c = a.copy(); // make equality happen
                }
                for (Tensor[] pair : new Tensor[][] {{a, b}, {c, a}, {b, c}}) {
                    Tensor o0 = Tensor.zeros(3, 4, n), o1 = Tensor.zeros(3, 4, n);
                    ref.binary(op, pair[0], pair[1], o0);
                    cand.binary(op, pair[0], pair[1], o1);
                    rand.assertClose(op + " [3, 4, " + n + "] with broadcast and gapped operands", o0, o1, 1);
                }
                Tensor o0 = Tensor.zeros(3, 4, n);
                ref.binary(op, a, b, o0);
                Tensor inPlace = a.copy();
                cand.binary(op, inPlace, b, inPlace);
                rand.assertClose(op + " in place n=" + n, o0, inPlace, 1);
            }
        }
    }

    @Test
    protected void reductionsOnOddSizesAndEmptyAxes() {
        for (int n : SIZES) {
            Tensor x = rand.f32(2, n, 3, n);
            int[][] outs = {{2, n, 3, 1}, {2, 1, 1, n}, {1, n, 3, n}, {1, 1, 1, 1}, {2, 1, 3, n}, {2, n, 1, 1}};
            for (ReduceOp op : ReduceOp.values()) {
                for (int[] os : outs) {
                    Tensor o0 = Tensor.zeros(os), o1 = Tensor.zeros(os);
                    ref.reduce(op, x, o0);
                    cand.reduce(op, x, o1);
                    long len = x.numel() / o0.numel();
                    rand.assertClose(op + " of [2, " + n + ", 3, " + n + "] to " + java.util.Arrays.toString(os), o0, o1,
                            (int) len);
                }
                Tensor g = rand.gapped(n, 5);
                Tensor o0 = Tensor.zeros(1, 5), o1 = Tensor.zeros(1, 5);
                ref.reduce(op, g, o0);
                cand.reduce(op, g, o1);
                rand.assertClose(op + " of a gapped view n=" + n, o0, o1, n);
            }
        }
        // an empty reduction: 0 for SUM, NaN for MEAN, -inf for MAX, +inf for MIN
        for (ReduceOp op : ReduceOp.values()) {
            Tensor empty = Tensor.zeros(3, 0);
            Tensor o0 = Tensor.zeros(3, 1), o1 = Tensor.zeros(3, 1);
            ref.reduce(op, empty, o0);
            cand.reduce(op, empty, o1);
            rand.assertClose(op + " over an empty axis", o0, o1, 1);
        }
    }

    @Test
    protected void softmaxOnEveryAxisOfA3dTensor() {
        for (int n : SIZES) {
            Tensor x = rand.f32(3, n, 11).mul(8f);
            for (int axis = 0; axis < 3; axis++) {
                for (boolean log : new boolean[] {false, true}) {
                    Tensor y0 = like(x), y1 = like(x);
                    ref.softmax(x, axis, log, y0);
                    cand.softmax(x, axis, log, y1);
                    int len = x.shape(axis);
                    rand.assertClose("softmax [3, " + n + ", 11] axis=" + axis + " log=" + log, y0, y1, len);
                    Tensor g = rand.f32(3, n, 11);
                    Tensor g0 = like(x), g1 = like(x);
                    ref.softmaxBackward(y0, g, axis, log, g0);
                    cand.softmaxBackward(y0, g, axis, log, g1);
                    rand.assertClose("softmax backward [3, " + n + ", 11] axis=" + axis + " log=" + log, g0, g1, len);
                }
            }
        }
        // large logits must not overflow: softmax shifts by the maximum
        Tensor big = Tensor.of(new float[] {1000f, 999f, -1000f, 80f, 90f, 100f}, 2, 3);
        for (boolean log : new boolean[] {false, true}) {
            Tensor y0 = like(big), y1 = like(big);
            ref.softmax(big, 1, log, y0);
            cand.softmax(big, 1, log, y1);
            rand.assertClose("softmax of large logits, log=" + log, y0, y1, 3);
        }
    }

    @Test
    protected void gatherScatterOnViewsWithBothIndexTypes() {
        for (DType idType : new DType[] {DType.I32, DType.I64}) {
            for (int d : SIZES) {
                Tensor table = rand.gapped(31, d);
                Tensor ids = rand.ids(idType, 45, 31);
                Tensor o0 = Tensor.zeros(45, d), o1 = Tensor.zeros(45, d);
                ref.gatherRows(table, ids, o0);
                cand.gatherRows(table, ids, o1);
                rand.assertClose("gather from a gapped table, " + idType + " ids, d=" + d, o0, o1, 1);
                Tensor src = rand.f32(45, d);
                Tensor t0 = rand.f32(31, d), t1 = t0.copy();
                ref.scatterAddRows(src, ids, t0);
                cand.scatterAddRows(src, ids, t1);
                rand.assertClose("scatterAdd with repeated " + idType + " ids, d=" + d, t0, t1, 45);
            }
        }
    }

    @Test
    protected void fusedLookupAddsTheRowAfterTheGather() {
        if (!(cand instanceof io.panrec.backend.FusedLookup f)) {
            return; // nothing to compare: Indexing.gatherRowsAdd composes the separate kernels
        }
        for (DType idType : new DType[] {DType.I32, DType.I64}) {
            for (int d : new int[] {1, 5, 16, 37, 64, 129}) {
                Tensor table = rand.gapped(31, d);
                Tensor ids = rand.ids(idType, 45, 31);
                Tensor row = rand.f32(d);
                if (!f.canFuseLookup(table, ids, row)) {
                    continue;
                }
                for (boolean relu : new boolean[] {false, true}) {
                    Tensor g = Tensor.zeros(45, d), expect = Tensor.zeros(45, d), got = Tensor.zeros(45, d);
                    ref.gatherRows(table, ids, g);
                    ref.binary(io.panrec.backend.BinaryOp.ADD, g, row.view(new int[] {45, d}, new long[] {0, 1}, 0), expect);
                    if (relu) {
                        ref.unary(io.panrec.backend.UnaryOp.RELU, 0f, expect, expect);
                    }
                    f.gatherRowsAdd(table, ids, row, relu, got);
                    rand.assertClose("gatherRowsAdd " + idType + " ids, d=" + d + ", relu=" + relu, expect, got, 2);
                }
            }
        }
    }

    @Test
    protected void copyBetweenLayoutsAndDtypesAndFill() {
        for (int n : SIZES) {
            Tensor g = rand.gapped(n, 3, 5);
            Tensor d0 = rand.gapped(n, 3, 5), d1 = rand.gapped(n, 3, 5);
            ref.copy(g, d0);
            cand.copy(g, d1);
            rand.assertClose("copy gapped to gapped n=" + n, d0, d1, 1);
            Tensor p0 = Tensor.zeros(5, 3, n), p1 = Tensor.zeros(5, 3, n);
            ref.copy(g.permute(2, 1, 0), p0);
            cand.copy(g.permute(2, 1, 0), p1);
            rand.assertClose("copy of a permuted view n=" + n, p0, p1, 1);
            Tensor scaled = g.mul(50f);
            for (DType to : DType.values()) {
                Tensor c0 = Tensor.zeros(to, n, 3, 5), c1 = Tensor.zeros(to, n, 3, 5);
                ref.copy(scaled, c0);
                cand.copy(scaled, c1);
                rand.assertClose("copy f32 to " + to + " n=" + n, c0, c1, 0, 0);
            }
            for (DType dt : DType.values()) {
                Tensor f0 = Tensor.zeros(dt, n, 3).t(), f1 = Tensor.zeros(dt, n, 3).t();
                ref.fill(f0, -7);
                cand.fill(f1, -7);
                rand.assertClose("fill " + dt + " transposed n=" + n, f0, f1, 0, 0);
            }
        }
    }

    @Test
    protected void convolutionShapesBeyondTheBasics() {
        // {C, O, KH, KW, H, W, strideH, strideW, padH, padW, dilationH, dilationW, groups, bias}
        int[][] cases = {
            {3, 4, 1, 1, 5, 7, 1, 1, 0, 0, 1, 1, 1, 1},   // 1x1
            {2, 3, 3, 3, 6, 37, 1, 1, 2, 2, 2, 2, 1, 0},  // wide rows, dilation 2, no bias
            {4, 4, 3, 3, 8, 9, 1, 2, 1, 1, 1, 1, 4, 1},   // depthwise
            {1, 2, 5, 3, 5, 3, 2, 1, 2, 1, 1, 1, 1, 1},   // kernel as large as the image
            {6, 4, 2, 3, 7, 17, 3, 2, 1, 0, 1, 3, 2, 1},  // groups 2, uneven everything
        };
        for (int[] k : cases) {
            ConvSpec s = new ConvSpec(k[6], k[7], k[8], k[9], k[10], k[11], k[12]);
            int oh = ConvSpec.outputSize(k[4], k[2], s.strideH(), s.padH(), s.dilationH());
            int ow = ConvSpec.outputSize(k[5], k[3], s.strideW(), s.padW(), s.dilationW());
            Tensor x = rand.f32(3, k[0], k[4], k[5]);
            Tensor w = rand.f32(k[1], k[0] / k[12], k[2], k[3]);
            Tensor bias = k[13] == 1 ? rand.f32(k[1]) : null;
            String what = "conv2d x" + java.util.Arrays.toString(x.shape()) + " w" + java.util.Arrays.toString(w.shape()) + " " + s;
            int kdim = k[0] / k[12] * k[2] * k[3];
            Tensor y0 = Tensor.zeros(3, k[1], oh, ow), y1 = like(y0);
            ref.conv2d(x, w, bias, y0, s);
            cand.conv2d(x, w, bias, y1, s);
            rand.assertClose(what, y0, y1, kdim);
            Tensor g = rand.f32(3, k[1], oh, ow);
            Tensor gx0 = like(x), gx1 = rand.f32(x.shape()); // gradIn is overwritten, whatever it held
            ref.conv2dBackwardData(g, w, gx0, s);
            cand.conv2dBackwardData(g, w, gx1, s);
            rand.assertClose(what + " backward data", gx0, gx1, k[1] * k[2] * k[3]);
            Tensor gw0 = like(w), gw1 = rand.f32(w.shape());
            Tensor gb0 = bias == null ? null : like(bias), gb1 = bias == null ? null : rand.f32(bias.shape());
            ref.conv2dBackwardWeights(x, g, gw0, gb0, s);
            cand.conv2dBackwardWeights(x, g, gw1, gb1, s);
            rand.assertClose(what + " backward weights", gw0, gw1, 3 * oh * ow);
            if (bias != null) {
                rand.assertClose(what + " backward bias", gb0, gb1, 3 * oh * ow);
            }
        }
    }

    @Test
    protected void poolingWithStrideOneWideRowsAndTies() {
        PoolSpec[] specs = {
            new PoolSpec(PoolSpec.Kind.MAX, 3, 3, 1, 1, 1, 1, false),
            new PoolSpec(PoolSpec.Kind.AVG, 3, 3, 1, 1, 1, 1, false),
            new PoolSpec(PoolSpec.Kind.AVG, 3, 5, 1, 1, 1, 2, true),
            new PoolSpec(PoolSpec.Kind.MAX, 1, 1, 1, 1, 0, 0, false),
            new PoolSpec(PoolSpec.Kind.MAX, 2, 4, 1, 3, 0, 2, false),
        };
        for (PoolSpec p : specs) {
            for (int w : new int[] {1, 5, 37}) {
                int kernelW = p.kernelW();
                if (w + 2 * p.padW() < kernelW) {
                    continue;
                }
                // values on a coarse grid so that windows hold ties: max backward must pick the first
                Tensor x = rand.coarse(2, 3, 6, w);
                Tensor y0 = Tensor.zeros(2, 3, p.outputH(6), p.outputW(w)), y1 = like(y0);
                ref.pool2d(p, x, y0);
                cand.pool2d(p, x, y1);
                rand.assertClose("pool2d w=" + w + " " + p, y0, y1, p.kernelH() * kernelW);
                Tensor g = rand.f32(y0.shape());
                Tensor g0 = like(x), g1 = rand.f32(x.shape());
                ref.pool2dBackward(p, x, y0, g, g0);
                cand.pool2dBackward(p, x, y0, g, g1);
                rand.assertClose("pool2d backward w=" + w + " " + p, g0, g1, p.kernelH() * kernelW);
            }
        }
    }

    @Test
    protected void layerNormWithoutAffineParameters() {
        for (int d : SIZES) {
            Tensor x = rand.f32(7, d).add(3f);
            Tensor y0 = like(x), y1 = like(x), m0 = Tensor.zeros(7), m1 = Tensor.zeros(7), r0 = Tensor.zeros(7), r1 = Tensor.zeros(7);
            ref.layerNorm(x, null, null, 1e-3f, y0, m0, r0);
            cand.layerNorm(x, null, null, 1e-3f, y1, m1, r1);
            rand.assertClose("layerNorm without gamma/beta d=" + d, y0, y1, d);
            rand.assertClose("layerNorm rstd d=" + d, r0, r1, d);
            Tensor g = rand.f32(7, d);
            Tensor gi0 = like(x), gi1 = like(x);
            ref.layerNormBackward(x, null, m0, r0, g, gi0, null, null);
            cand.layerNormBackward(x, null, m0, r0, g, gi1, null, null);
            rand.assertClose("layerNorm backward without gamma d=" + d, gi0, gi1, d);
        }
    }

    @TestFactory
    List<DynamicTest> gradientCasesAgreeWithTheReference() {
        List<DynamicTest> tests = new ArrayList<>();
        for (GradientCases.Case c : GradientCases.all(rand.seed)) {
            tests.add(DynamicTest.dynamicTest(c.name(), () -> {
                try {
                    GradCheck.agreesWithReference(c.name(), cand.name(), c.f(), c.inputs());
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + rand.note(), e);
                }
            }));
        }
        return tests;
    }
}
