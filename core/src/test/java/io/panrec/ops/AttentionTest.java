package io.panrec.ops;

import io.panrec.autograd.GradCheck;
import io.panrec.nn.TestSeed;
import io.panrec.tensor.DType;
import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.SplittableRandom;

import static io.panrec.nn.TestSeed.f64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Attention against a loop-by-loop implementation in doubles, and against finite differences. */
class AttentionTest {
    @RegisterExtension
    static final TestSeed SEED = new TestSeed();

    /**
     * The definition, one query at a time: softmax over the allowed keys only; a query with no allowed
     * key outputs zeros. keep is [B][Tq][Tk] (null = all allowed).
     */
    private static double[] naive(double[] q, double[] k, double[] v, int b, int tq, int tk, int d, int dv,
                                  boolean[][][] keep, boolean causal) {
        double[] out = new double[b * tq * dv];
        for (int n = 0; n < b; n++) {
            for (int i = 0; i < tq; i++) {
                double[] s = new double[tk];
                boolean[] on = new boolean[tk];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < tk; j++) {
                    on[j] = (keep == null || keep[n][i][j]) && (!causal || j <= i);
                    double dot = 0;
                    for (int c = 0; c < d; c++) {
                        dot += q[(n * tq + i) * d + c] * k[(n * tk + j) * d + c];
                    }
                    s[j] = dot / Math.sqrt(d);
                    if (on[j]) {
                        max = Math.max(max, s[j]);
                    }
                }
                double z = 0;
                for (int j = 0; j < tk; j++) {
                    if (on[j]) {
                        z += Math.exp(s[j] - max);
                    }
                }
                for (int j = 0; j < tk; j++) {
                    if (!on[j]) {
                        continue;
                    }
                    double w = Math.exp(s[j] - max) / z;
                    for (int c = 0; c < dv; c++) {
                        out[(n * tq + i) * dv + c] += w * v[(n * tk + j) * dv + c];
                    }
                }
            }
        }
        return out;
    }

    @Test
    void knownSmallExample() {
        Tensor q = Tensor.of(new float[] {1, 0}, 1, 2);
        Tensor k = Tensor.of(new float[] {1, 0, 0, 1}, 2, 2);
        Tensor v = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        double w0 = Math.exp(1 / Math.sqrt(2)) / (Math.exp(1 / Math.sqrt(2)) + 1);
        float[] out = Attention.scaledDotProduct(q, k, v, null, false).toFloatArray();
        assertArrayEquals(new float[] {(float) (w0 * 1 + (1 - w0) * 3), (float) (w0 * 2 + (1 - w0) * 4)}, out, 1e-6f);
    }

    @Test
    void matchesTheDefinitionWithMasksAndCausality() {
        SplittableRandom r = SEED.random("naive");
        int b = 3;
        int tq = 4;
        int tk = 5;
        int d = 3;
        int dv = 2;
        Tensor q = f64(r, b, tq, d).detach();
        Tensor k = f64(r, b, tk, d).detach();
        Tensor v = f64(r, b, tk, dv).detach();
        double[] qa = q.toDoubleArray();
        double[] ka = k.toDoubleArray();
        double[] va = v.toDoubleArray();

        TestSeed.assertClose(naive(qa, ka, va, b, tq, tk, d, dv, null, false),
                Attention.scaledDotProduct(q, k, v, null, false).toDoubleArray(), 1e-12, "plain");
        TestSeed.assertClose(naive(qa, ka, va, b, tq, tk, d, dv, null, true),
                Attention.scaledDotProduct(q, k, v, null, true).toDoubleArray(), 1e-12, "causal");

        // a full [B, Tq, Tk] integer mask with random holes, some rows fully masked
        long[] m = new long[b * tq * tk];
        boolean[][][] keep = new boolean[b][tq][tk];
        for (int n = 0; n < b; n++) {
            for (int i = 0; i < tq; i++) {
                boolean rowOff = r.nextInt(5) == 0;
                for (int j = 0; j < tk; j++) {
                    keep[n][i][j] = !rowOff && r.nextInt(3) != 0;
                    m[(n * tq + i) * tk + j] = keep[n][i][j] ? 7 : 0; // any non-zero keeps
                }
            }
        }
        Tensor mask = Tensor.ofLongs(m, b, tq, tk);
        TestSeed.assertClose(naive(qa, ka, va, b, tq, tk, d, dv, keep, false),
                Attention.scaledDotProduct(q, k, v, mask, false).toDoubleArray(), 1e-12, "full mask");
        TestSeed.assertClose(naive(qa, ka, va, b, tq, tk, d, dv, keep, true),
                Attention.scaledDotProduct(q, k, v, mask, true).toDoubleArray(), 1e-12, "full mask and causal");

        // key padding from lengths, broadcast over the queries
        long[] lengths = {5, 2, 0};
        boolean[][][] pad = new boolean[b][tq][tk];
        for (int n = 0; n < b; n++) {
            for (int i = 0; i < tq; i++) {
                for (int j = 0; j < tk; j++) {
                    pad[n][i][j] = j < lengths[n];
                }
            }
        }
        Tensor padMask = Attention.keyPaddingMask(Tensor.ofLongs(lengths), tk);
        assertArrayEquals(new int[] {b, 1, tk}, padMask.shape());
        double[] out = Attention.scaledDotProduct(q, k, v, padMask, false).toDoubleArray();
        TestSeed.assertClose(naive(qa, ka, va, b, tq, tk, d, dv, pad, false), out, 1e-12, "key padding");
        for (int i = 2 * tq * dv; i < out.length; i++) {
            assertEquals(0.0, out[i], 0.0, "a sequence of length 0 attends nowhere: zeros");
        }
    }

    @Test
    void fullyMaskedRowsGiveZerosAndNoNaNInF32() {
        Tensor q = Tensor.of(new float[] {100, -100, 3, 4}, 1, 2, 2);
        Tensor k = Tensor.of(new float[] {100, 100, 1, 1, -5, 2}, 1, 3, 2);
        Tensor v = Tensor.of(new float[] {1, 2, 3}, 1, 3, 1);
        Tensor mask = Tensor.of(new float[] {0, 0, 0, 1, 0, 1}, 1, 2, 3);
        Tensor qq = q.requiresGrad(true);
        Tensor out = Attention.scaledDotProduct(qq, k, v, mask, true);
        float[] o = out.toFloatArray();
        assertEquals(0f, o[0], 0f);
        assertEquals(1f, o[1], 1e-6f); // row 1 may see key 0 only (key 2 is in its future)
        out.sum().backward();
        for (float g : qq.grad().toFloatArray()) {
            assertFalse(Float.isNaN(g));
        }
    }

    @Test
    void broadcastMasksAndHeads() {
        SplittableRandom r = SEED.random("heads");
        // [B, H, T, d] with a [T, T] pattern shared by all, and with a [B, 1, 1, T] key padding
        Tensor q = f64(r, 2, 3, 4, 5).detach();
        Tensor k = f64(r, 2, 3, 4, 5).detach();
        Tensor v = f64(r, 2, 3, 4, 2).detach();
        Tensor tril = Attention.causalMask(4, 4);
        TestSeed.assertClose(Attention.scaledDotProduct(q, k, v, null, true).toDoubleArray(),
                Attention.scaledDotProduct(q, k, v, tril, false).toDoubleArray(), 1e-12, "causal = tril mask");
        Tensor pad = Attention.keyPaddingMask(Tensor.ofInts(new int[] {4, 3}), 4).unsqueeze(1);
        Tensor out = Attention.scaledDotProduct(q, k, v, pad, false);
        assertArrayEquals(new int[] {2, 3, 4, 2}, out.shape());
        // the padded key of batch row 1 has no influence on it
        Tensor v2 = v.copy();
        v2.set(1000, 1, 0, 3, 0);
        v2.set(1000, 0, 0, 3, 0);
        Tensor changed = Attention.scaledDotProduct(q, k, v2, pad, false);
        for (int h = 0; h < 3; h++) {
            for (int t = 0; t < 4; t++) {
                for (int c = 0; c < 2; c++) {
                    assertEquals(out.get(1, h, t, c), changed.get(1, h, t, c), 1e-12, "batch row 1 ignores its padded key");
                }
                // batch row 0 has no padding: its head 0 sees the change
                assertTrue(Math.abs(out.get(0, 0, t, 0) - changed.get(0, 0, t, 0)) > 1e-6);
            }
        }
    }

    @Test
    void dropoutOnlyWithARandomSource() {
        SplittableRandom r = SEED.random("dropout");
        Tensor q = f64(r, 2, 6, 4).detach();
        Tensor k = f64(r, 2, 6, 4).detach();
        Tensor v = f64(r, 2, 6, 3).detach();
        double[] plain = Attention.scaledDotProduct(q, k, v, null, false).toDoubleArray();
        assertArrayEquals(plain, Attention.scaledDotProduct(q, k, v, null, null, false, 0.5f, null).toDoubleArray());
        double[] dropped = Attention.scaledDotProduct(q, k, v, null, null, false, 0.5f, new SplittableRandom(1)).toDoubleArray();
        assertFalse(java.util.Arrays.equals(plain, dropped));
        assertArrayEquals(dropped,
                Attention.scaledDotProduct(q, k, v, null, null, false, 0.5f, new SplittableRandom(1)).toDoubleArray(),
                "the same seed drops the same weights");
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        SplittableRandom r = SEED.random("grads");
        GradCheck.check("attention", in -> Attention.scaledDotProduct(in[0], in[1], in[2], null, false),
                f64(r, 2, 3, 4), f64(r, 2, 5, 4), f64(r, 2, 5, 3));
        GradCheck.check("attention causal", in -> Attention.scaledDotProduct(in[0], in[1], in[2], null, true),
                f64(r, 2, 5, 3), f64(r, 2, 5, 3), f64(r, 2, 5, 2));
        Tensor mask = Tensor.of(new float[] {1, 1, 0, 1, 0, 0, 0, 0, 0, 1, 1, 1, 0, 1, 1}, 1, 3, 5);
        GradCheck.check("attention masked, one row empty", in -> Attention.scaledDotProduct(in[0], in[1], in[2], in[3], false),
                f64(r, 2, 3, 4), f64(r, 2, 5, 4), f64(r, 2, 5, 3), mask);
        Tensor pad = Attention.keyPaddingMask(Tensor.ofLongs(new long[] {3, 5}), 5).unsqueeze(1);
        GradCheck.check("attention heads, padding, causal, bias",
                in -> Attention.scaledDotProduct(in[0], in[1], in[2], in[4], in[3], true, 0f, null),
                f64(r, 2, 3, 5, 3), f64(r, 2, 3, 5, 3), f64(r, 2, 3, 5, 2), f64(r, 3, 5, 5), pad);
    }

    @Test
    void rejectsBadShapes() {
        Tensor q = Tensor.zeros(2, 3, 4);
        var e = assertThrows(IllegalArgumentException.class,
                () -> Attention.scaledDotProduct(q, Tensor.zeros(2, 5, 3), Tensor.zeros(2, 5, 4), null, false));
        assertTrue(e.getMessage().startsWith("scaledDotProduct"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Attention.scaledDotProduct(q, Tensor.zeros(2, 5, 4), Tensor.zeros(2, 4, 4), null, false));
        assertTrue(e.getMessage().contains("positions"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Attention.scaledDotProduct(q, Tensor.zeros(2, 5, 4), Tensor.zeros(2, 5, 4), Tensor.zeros(2, 3, 4), false));
        assertTrue(e.getMessage().contains("keepMask"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Attention.scaledDotProduct(q, Tensor.zeros(2, 5, 4), Tensor.zeros(2, 5, 4), Tensor.zeros(7, 2, 3, 5), false));
        assertTrue(e.getMessage().contains("keepMask"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> Attention.keyPaddingMask(Tensor.ofInts(new int[] {6}), 5));
        assertThrows(IllegalArgumentException.class, () -> Attention.keyPaddingMask(Tensor.zeros(DType.F32, 2), 5));
    }

    @Test
    void vectorBackendAgreesWithTheReference() {
        SplittableRandom r = SEED.random("vector");
        Tensor pad = Attention.keyPaddingMask(Tensor.ofLongs(new long[] {17, 0, 5}), 17).unsqueeze(1);
        GradCheck.agreesWithReference("attention", "vector",
                in -> Attention.scaledDotProduct(in[0], in[1], in[2], in[3], true), f64(r, 3, 2, 13, 8), f64(r, 3, 2, 17, 8),
                f64(r, 3, 2, 17, 5), pad);
    }
}
