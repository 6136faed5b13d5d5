package io.panrec.ops;

import io.panrec.autograd.GradCheck;
import io.panrec.nn.TestSeed;
import io.panrec.tensor.DType;
import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.SplittableRandom;

import static io.panrec.nn.TestSeed.f64;
import static io.panrec.nn.TestSeed.f64In;
import static io.panrec.nn.TestSeed.value;
import static io.panrec.nn.TestSeed.ids;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every loss against values computed by hand (in plain Java doubles) and against finite differences. */
class LossesTest {
    @RegisterExtension
    static final TestSeed SEED = new TestSeed();

    private static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    // ------------------------------------------------------------------ known values

    @Test
    void mseOfKnownValues() {
        Tensor loss = Losses.mse(Tensor.of(new float[] {1, 2, 3}), Tensor.of(new float[] {1, 0, 5}));
        assertEquals(0, loss.rank());
        assertEquals(8.0 / 3, loss.item(), 1e-6);
        assertEquals(8.0, Losses.mse(Tensor.of(new float[] {1, 2, 3}), Tensor.of(new float[] {1, 0, 5}),
                Losses.Reduction.SUM).item(), 1e-6);
        assertArrayEquals(new float[] {0, 4, 4}, Losses.mse(Tensor.of(new float[] {1, 2, 3}),
                Tensor.of(new float[] {1, 0, 5}), Losses.Reduction.NONE).toFloatArray(), 1e-6f);
    }

    @Test
    void bceWithLogitsOfKnownValuesAndExtremeLogits() {
        double[] x = {0, 2, -3, 100, -100, 100, -100};
        double[] t = {1, 0, 1, 1, 0, 0, 1};
        double expected = 0;
        double[] per = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            // the textbook definition, with log(sigmoid) written so that it stays finite
            double logP = -softplus(-x[i]);
            double log1mP = -softplus(x[i]);
            per[i] = -(t[i] * logP + (1 - t[i]) * log1mP);
            expected += per[i] / x.length;
        }
        assertEquals(Math.log(2), per[0], 1e-12); // a logit of 0 is a coin flip
        assertEquals(100, per[5], 1e-9);          // confidently wrong costs |x|, not infinity
        Tensor loss = Losses.bceWithLogits(Tensor.ofDoubles(x), Tensor.ofDoubles(t));
        assertEquals(expected, loss.item(), 1e-5);
        assertTrue(Double.isFinite(loss.item()));
        Tensor f32 = Losses.bceWithLogits(Tensor.ofDoubles(x).to(DType.F32), Tensor.ofDoubles(t).to(DType.F32),
                Losses.Reduction.NONE);
        TestSeed.assertClose(per, f32.toDoubleArray(), 1e-5, "bce per element in f32");
    }

    @Test
    void bprOfKnownValues() {
        // -log sigmoid(pos - neg)
        Tensor loss = Losses.bpr(Tensor.of(new float[] {2, 0}), Tensor.of(new float[] {1, 1}));
        double expected = (-Math.log(sigmoid(1)) - Math.log(sigmoid(-1))) / 2;
        assertEquals(expected, loss.item(), 1e-6);

        // [B, S]: every (positive, negative) pair is one term
        Tensor pos = Tensor.of(new float[] {0.5f, -1});
        Tensor neg = Tensor.of(new float[] {0, 1, 2, -2, -1, 3}, 2, 3);
        double sum = 0;
        double[][] n = {{0, 1, 2}, {-2, -1, 3}};
        double[] p = {0.5, -1};
        for (int b = 0; b < 2; b++) {
            for (int s = 0; s < 3; s++) {
                sum += -Math.log(sigmoid(p[b] - n[b][s]));
            }
        }
        assertEquals(sum / 6, Losses.bpr(pos, neg).item(), 1e-6);
    }

    @Test
    void top1OfKnownValues() {
        double[] p = {1, -0.5};
        double[][] n = {{0.5, -1, 2}, {0, 0.25, -3}};
        double expected = 0;
        for (int b = 0; b < 2; b++) {
            for (int s = 0; s < 3; s++) {
                expected += (sigmoid(n[b][s] - p[b]) + sigmoid(n[b][s] * n[b][s])) / 6;
            }
        }
        Tensor loss = Losses.top1(Tensor.ofDoubles(p), Tensor.ofDoubles(new double[] {0.5, -1, 2, 0, 0.25, -3}, 2, 3));
        assertEquals(expected, value(loss), 1e-12);
    }

    @Test
    void softmaxCrossEntropyOfKnownLogits() {
        Tensor logits = Tensor.of(new float[] {1, 2, 3, 1, 1, 1}, 2, 3);
        Tensor targets = Tensor.ofInts(new int[] {2, 0});
        double row0 = -Math.log(Math.exp(3) / (Math.exp(1) + Math.exp(2) + Math.exp(3)));
        double row1 = Math.log(3);
        assertEquals(0.40760596, row0, 1e-8);
        assertEquals((row0 + row1) / 2, Losses.softmaxCrossEntropy(logits, targets).item(), 1e-6);
        assertArrayEquals(new float[] {(float) row0, (float) row1},
                Losses.softmaxCrossEntropy(logits, targets, Losses.Reduction.NONE).toFloatArray(), 1e-6f);
        // huge logits stay finite (log-softmax subtracts the maximum)
        Tensor big = Tensor.of(new float[] {1000, 0, -1000}, 1, 3);
        assertEquals(1000, Losses.softmaxCrossEntropy(big, Tensor.ofLongs(new long[] {1})).item(), 1e-3);
    }

    @Test
    void softmaxCrossEntropyOverSequencesAndIgnoredTargets() {
        SplittableRandom r = SEED.random("ceSeq");
        Tensor logits = f64(r, 2, 3, 5).detach();
        long[] t = {4, 0, 2, 1, 3, 3};
        Tensor targets = Tensor.ofLongs(t, 2, 3);
        double[] l = logits.toDoubleArray();
        double[] per = new double[6];
        for (int row = 0; row < 6; row++) {
            double lse = 0;
            for (int c = 0; c < 5; c++) {
                lse += Math.exp(l[row * 5 + c]);
            }
            per[row] = Math.log(lse) - l[row * 5 + (int) t[row]];
        }
        Tensor none = Losses.softmaxCrossEntropy(logits, targets, Losses.Reduction.NONE);
        assertArrayEquals(new int[] {2, 3}, none.shape());
        TestSeed.assertClose(per, none.toDoubleArray(), 1e-12, "per-position CE");

        long[] withPad = {4, -100, 2, -100, -100, 3};
        Tensor ignored = Losses.softmaxCrossEntropy(logits, Tensor.ofLongs(withPad, 2, 3), -100);
        assertEquals((per[0] + per[2] + per[5]) / 3, value(ignored), 1e-12);
        Tensor allIgnored = Losses.softmaxCrossEntropy(logits, Tensor.ofLongs(new long[] {7, 7, 7, 7, 7, 7}, 2, 3), 7);
        assertEquals(0.0, allIgnored.item());
        // without ignoreIndex, an out-of-range target is an error naming the loss
        var e = assertThrows(IndexOutOfBoundsException.class,
                () -> Losses.softmaxCrossEntropy(logits, Tensor.ofLongs(withPad, 2, 3)));
        assertTrue(e.getMessage().contains("softmaxCrossEntropy"), e.getMessage());
    }

    /** The sampled-softmax loss, written out in doubles: log-sum-exp over [pos, negatives not equal to pos]. */
    private static double sampledByHand(double[][] q, double[][] table, long[] pos, long[] neg, double[] prob) {
        double total = 0;
        for (int b = 0; b < q.length; b++) {
            double[] logits = new double[1 + neg.length];
            boolean[] on = new boolean[logits.length];
            for (int j = 0; j < logits.length; j++) {
                long item = j == 0 ? pos[b] : neg[j - 1];
                on[j] = j == 0 || item != pos[b];
                double dot = 0;
                for (int d = 0; d < q[b].length; d++) {
                    dot += q[b][d] * table[(int) item][d];
                }
                logits[j] = dot - (prob == null ? 0 : Math.log(prob[(int) item]));
            }
            double lse = 0;
            for (int j = 0; j < logits.length; j++) {
                if (on[j]) {
                    lse += Math.exp(logits[j]);
                }
            }
            total += Math.log(lse) - logits[0];
        }
        return total / q.length;
    }

    private static double[][] rows(Tensor t) {
        double[] d = t.toDoubleArray();
        int cols = t.shape(1);
        double[][] out = new double[t.shape(0)][cols];
        for (int i = 0; i < out.length; i++) {
            System.arraycopy(d, i * cols, out[i], 0, cols);
        }
        return out;
    }

    @Test
    void sampledSoftmaxMatchesHandComputationWithAccidentalHitsAndLogQ() {
        SplittableRandom r = SEED.random("sampled");
        int v = 11;
        int dim = 3;
        Tensor q = f64(r, 4, dim).detach();
        Tensor table = f64(r, v, dim).detach();
        long[] pos = {2, 5, 5, 9};
        long[] neg = {5, 0, 7, 2, 10}; // 5 and 2 collide with positives of rows 0, 1 and 2
        double[] prob = new double[v];
        for (int i = 0; i < v; i++) {
            prob[i] = (i + 1.0) / (v * (v + 1) / 2.0);
        }
        Tensor posT = Tensor.ofLongs(pos);
        Tensor negT = Tensor.ofLongs(neg);
        assertEquals(sampledByHand(rows(q), rows(table), pos, neg, null),
                Losses.sampledSoftmax(q, table, posT, negT).item(), 1e-6);
        assertEquals(sampledByHand(rows(q), rows(table), pos, neg, prob),
                Losses.sampledSoftmax(q, table, posT, negT, prob).item(), 1e-6);
        assertEquals(sampledByHand(rows(q), rows(table), pos, neg, prob),
                Losses.sampledSoftmax(q, table, posT, negT, Tensor.ofDoubles(prob)).item(), 1e-6);

        // masking the hit is not the same as leaving it in
        double unmasked = 0;
        {
            double[][] qq = rows(q);
            double[][] tt = rows(table);
            for (int b = 0; b < 4; b++) {
                double lse = 0;
                double posLogit = 0;
                for (int j = 0; j <= neg.length; j++) {
                    long item = j == 0 ? pos[b] : neg[j - 1];
                    double dot = 0;
                    for (int d = 0; d < dim; d++) {
                        dot += qq[b][d] * tt[(int) item][d];
                    }
                    lse += Math.exp(dot);
                    if (j == 0) {
                        posLogit = dot;
                    }
                }
                unmasked += (Math.log(lse) - posLogit) / 4;
            }
        }
        assertTrue(Math.abs(unmasked - Losses.sampledSoftmax(q, table, posT, negT).item()) > 1e-3);
    }

    @Test
    void sampledSoftmaxRejectsBadInput() {
        Tensor q = Tensor.zeros(2, 3);
        Tensor table = Tensor.zeros(5, 3);
        var e = assertThrows(IllegalArgumentException.class,
                () -> Losses.sampledSoftmax(q, Tensor.zeros(5, 4), Tensor.ofLongs(new long[] {0, 1}), Tensor.ofLongs(new long[] {2})));
        assertTrue(e.getMessage().contains("sampledSoftmax") && e.getMessage().contains("D"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class,
                () -> Losses.sampledSoftmax(q, table, Tensor.ofLongs(new long[] {0, 5}), Tensor.ofLongs(new long[] {2})));
        assertThrows(IllegalArgumentException.class,
                () -> Losses.sampledSoftmax(q, table, Tensor.ofLongs(new long[] {0, 1}), Tensor.ofLongs(new long[] {2}),
                        new double[] {0.2, 0.2, 0.2}));
        var zero = assertThrows(IllegalArgumentException.class,
                () -> Losses.sampledSoftmax(q, table, Tensor.ofLongs(new long[] {0, 1}), Tensor.ofLongs(new long[] {2}),
                        new double[] {0.5, 0.5, 0, 0, 0}));
        assertTrue(zero.getMessage().contains("item 2"), zero.getMessage());
    }

    @Test
    void infoNceIsCrossEntropyOverInBatchNegatives() {
        SplittableRandom r = SEED.random("infonce");
        Tensor q = f64(r, 5, 4).detach();
        Tensor k = f64(r, 5, 4).detach();
        double tau = 0.3;
        double[][] qq = rows(q);
        double[][] kk = rows(k);
        double expected = 0;
        for (int i = 0; i < 5; i++) {
            double lse = 0;
            double diag = 0;
            for (int j = 0; j < 5; j++) {
                double dot = 0;
                for (int d = 0; d < 4; d++) {
                    dot += qq[i][d] * kk[j][d];
                }
                lse += Math.exp(dot / tau);
                if (i == j) {
                    diag = dot / tau;
                }
            }
            expected += (Math.log(lse) - diag) / 5;
        }
        assertEquals(expected, Losses.infoNce(q, k, (float) tau, false).item(), 1e-6);

        // with normalisation the loss ignores the length of each row
        Tensor scale = Tensor.ofDoubles(new double[] {1, 3, 0.5, 7, 2}, 5, 1);
        double a = Losses.infoNce(q, k, (float) tau, true).item();
        double b = Losses.infoNce(Elementwise.mul(q, scale), k, (float) tau, true).item();
        assertEquals(a, b, 1e-6);
        assertThrows(IllegalArgumentException.class, () -> Losses.infoNce(q, k, 0f, true));
    }

    @Test
    void shapeMismatchesNameTheLoss() {
        Tensor a = Tensor.zeros(3);
        Tensor b = Tensor.zeros(3, 1);
        for (var call : java.util.List.<Runnable>of(
                () -> Losses.mse(a, b),
                () -> Losses.bceWithLogits(a, b),
                () -> Losses.bpr(a, Tensor.zeros(4)),
                () -> Losses.top1(a, Tensor.zeros(4, 2)),
                () -> Losses.softmaxCrossEntropy(Tensor.zeros(3, 4), Tensor.ofLongs(new long[] {0, 1})),
                () -> Losses.infoNce(Tensor.zeros(3, 4), Tensor.zeros(3, 5), 1f, false))) {
            var e = assertThrows(IllegalArgumentException.class, call::run);
            assertTrue(e.getMessage().matches("(mse|bceWithLogits|bpr|top1|softmaxCrossEntropy|infoNce): .*"), e.getMessage());
        }
        var e = assertThrows(IllegalArgumentException.class,
                () -> Losses.softmaxCrossEntropy(Tensor.zeros(3, 4), Tensor.zeros(3)));
        assertTrue(e.getMessage().contains("I32 or I64"), e.getMessage());
    }

    // ------------------------------------------------------------------ gradients

    @Test
    void gradientsMatchFiniteDifferences() {
        SplittableRandom r = SEED.random("grads");
        GradCheck.check("mse", in -> Losses.mse(in[0], in[1]), f64(r, 3, 5), f64(r, 3, 5));
        Tensor labels = Tensor.ofDoubles(new double[] {1, 0, 1, 1, 0, 0, 0.3}, 7);
        GradCheck.check("bceWithLogits", in -> Losses.bceWithLogits(in[0], in[1]), f64In(r, -4, 4, 7), labels);
        GradCheck.check("bceWithLogits none", in -> Losses.bceWithLogits(in[0], in[1], Losses.Reduction.NONE),
                f64In(r, -4, 4, 7), labels);
        GradCheck.check("bpr [B]", in -> Losses.bpr(in[0], in[1]), f64(r, 5), f64(r, 5));
        GradCheck.check("bpr [B,S]", in -> Losses.bpr(in[0], in[1]), f64(r, 5), f64(r, 5, 3));
        GradCheck.check("top1", in -> Losses.top1(in[0], in[1]), f64(r, 5), f64(r, 5, 3));
        GradCheck.check("softmaxCrossEntropy", in -> Losses.softmaxCrossEntropy(in[0], in[1]),
                f64In(r, -2, 2, 4, 7), ids(r, 7, 4));
        GradCheck.check("softmaxCrossEntropy seq", in -> Losses.softmaxCrossEntropy(in[0], in[1], Losses.Reduction.SUM),
                f64In(r, -2, 2, 2, 3, 5), ids(r, 5, 2, 3));
        GradCheck.check("softmaxCrossEntropy ignore", in -> Losses.softmaxCrossEntropy(in[0], in[1], 0L),
                f64In(r, -2, 2, 5, 3), Tensor.ofLongs(new long[] {0, 1, 2, 0, 2}));
        GradCheck.check("infoNce", in -> Losses.infoNce(in[0], in[1], 0.5f, false), f64(r, 5, 3), f64(r, 5, 3));
        GradCheck.check("infoNce normalized", in -> Losses.infoNce(in[0], in[1], 0.2f, true), f64(r, 5, 3), f64(r, 5, 3));
    }

    @Test
    void sampledSoftmaxGradientsIncludingSparseTable() {
        SplittableRandom r = SEED.random("sampledGrad");
        double[] prob = new double[9];
        java.util.Arrays.fill(prob, 1.0 / 9);
        prob[3] = 0.3;
        Tensor pos = Tensor.ofLongs(new long[] {1, 3, 3, 8});
        Tensor neg = Tensor.ofLongs(new long[] {3, 0, 5, 1, 1}); // hits, and a repeated negative
        GradCheck.check("sampledSoftmax dense", in -> Losses.sampledSoftmax(in[0], in[1], in[2], in[3]),
                f64(r, 4, 3), f64(r, 9, 3), pos, neg);
        GradCheck.check("sampledSoftmax sparse logQ", in -> Losses.sampledSoftmax(in[0], in[1], in[2], in[3], prob),
                f64(r, 4, 3), f64(r, 9, 3).sparseGradients(true), pos, neg);
    }

    @Test
    void vectorBackendAgreesWithTheReference() {
        SplittableRandom r = SEED.random("vector");
        Tensor pos = Tensor.ofLongs(new long[] {1, 3, 3, 8});
        Tensor neg = Tensor.ofLongs(new long[] {3, 0, 5, 1, 1});
        GradCheck.agreesWithReference("bce", "vector", in -> Losses.bceWithLogits(in[0], in[1]), f64In(r, -4, 4, 17),
                Tensor.ofDoubles(new double[17]));
        GradCheck.agreesWithReference("bpr", "vector", in -> Losses.bpr(in[0], in[1]), f64(r, 17), f64(r, 17, 3));
        GradCheck.agreesWithReference("top1", "vector", in -> Losses.top1(in[0], in[1]), f64(r, 17), f64(r, 17, 3));
        GradCheck.agreesWithReference("ce", "vector", in -> Losses.softmaxCrossEntropy(in[0], in[1]), f64In(r, -3, 3, 13, 129),
                ids(r, 129, 13));
        GradCheck.agreesWithReference("sampled", "vector", in -> Losses.sampledSoftmax(in[0], in[1], in[2], in[3]),
                f64(r, 4, 17), f64(r, 9, 17).sparseGradients(true), pos, neg);
        GradCheck.agreesWithReference("infoNce", "vector", in -> Losses.infoNce(in[0], in[1], 0.1f, true),
                f64(r, 17, 33), f64(r, 17, 33));
    }

    @Test
    void bprMaxOfKnownValuesWithMask() {
        double[] p = {1, -0.5};
        double[][] n = {{0.5, -1, 2}, {0, 0.25, -3}};
        double[][] keep = {{1, 0, 1}, {1, 1, 1}};
        double lambda = 0.5;
        double expected = 0;
        for (int b = 0; b < 2; b++) {
            double z = 0;
            for (int s = 0; s < 3; s++) {
                z += keep[b][s] * Math.exp(n[b][s]);
            }
            double inner = 0;
            double reg = 0;
            for (int s = 0; s < 3; s++) {
                double w = keep[b][s] * Math.exp(n[b][s]) / z;
                inner += w * sigmoid(p[b] - n[b][s]);
                reg += w * n[b][s] * n[b][s];
            }
            expected += (-Math.log(inner) + lambda * reg) / 2;
        }
        Tensor loss = Losses.bprMax(Tensor.ofDoubles(p), Tensor.ofDoubles(new double[] {0.5, -1, 2, 0, 0.25, -3}, 2, 3),
                Tensor.ofDoubles(new double[] {1, 0, 1, 1, 1, 1}, 2, 3), (float) lambda);
        assertEquals(expected, value(loss), 1e-12);
        // huge scores stay finite (log-space throughout)
        Tensor big = Losses.bprMax(Tensor.of(new float[] {-80}), Tensor.of(new float[] {90, 60}, 1, 2), null, 0f);
        assertTrue(Double.isFinite(big.item()));
        assertEquals(170 - Math.log(2), big.item(), 1e-3); // both terms are e^-170: (1)(e^-170) + (e^-30)(e^-140)
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Losses.bprMax(Tensor.of(new float[] {1}), Tensor.of(new float[] {1, 2}, 1, 2), Tensor.zeros(1, 2), 1f));
        assertTrue(e.getMessage().contains("keeps no negative"), e.getMessage());
    }

    @Test
    void bprMaxGradientsMatchFiniteDifferences() {
        SplittableRandom r = SEED.random("bprMax");
        Tensor keep = Tensor.ofDoubles(new double[] {1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1}, 5, 3);
        GradCheck.check("bprMax", in -> Losses.bprMax(in[0], in[1], null, 1f), f64(r, 5), f64(r, 5, 3));
        GradCheck.check("bprMax masked", in -> Losses.bprMax(in[0], in[1], keep, 2f), f64(r, 5), f64(r, 5, 3));
    }
}
