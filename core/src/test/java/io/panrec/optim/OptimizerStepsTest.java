package io.panrec.optim;

import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static io.panrec.optim.OptimTesting.doubles;
import static io.panrec.optim.OptimTesting.floats;
import static io.panrec.optim.OptimTesting.grad;
import static io.panrec.optim.OptimTesting.param;
import static io.panrec.optim.OptimTesting.paramF64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each optimizer against its update formula, computed here in double precision, element by element. */
class OptimizerStepsTest {
    private static final float[] P0 = {1f, -2f, 0.5f, 3f, -0.25f};
    private static final float[][] GRADS = {
        {0.1f, -0.3f, 0f, 2f, -1f},
        {-0.2f, 0.4f, 1e-3f, -1.5f, 0.7f},
        {0.05f, -0.05f, 0.5f, 0.25f, 0f},
    };

    private static void assertClose(double[] expected, float[] actual, double rel, String what) {
        for (int i = 0; i < expected.length; i++) {
            double tol = rel * Math.max(1, Math.abs(expected[i]));
            assertTrue(Math.abs(expected[i] - actual[i]) <= tol,
                    what + ": element " + i + " expected " + expected[i] + " got " + actual[i]);
        }
    }

    private static double[] d(float[] f) {
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = f[i];
        }
        return out;
    }

    @Test
    void sgdWithMomentumNesterovAndWeightDecay() {
        for (boolean nesterov : new boolean[] {false, true}) {
            double lr = 0.1;
            double mu = 0.9;
            double wd = 0.01;
            Tensor p = param(P0, P0.length);
            SGD opt = new SGD(List.of(p), SGD.Config.of(lr).withMomentum(mu).withNesterov(nesterov).withWeightDecay(wd));
            double[] x = d(P0);
            double[] buf = new double[x.length];
            for (float[] g : GRADS) {
                grad(p, g);
                opt.step();
                for (int i = 0; i < x.length; i++) {
                    double gi = g[i] + wd * x[i];
                    buf[i] = mu * buf[i] + gi;
                    double upd = nesterov ? gi + mu * buf[i] : buf[i];
                    x[i] -= lr * upd;
                }
                assertClose(x, floats(p), 1e-6, "SGD nesterov=" + nesterov);
            }
            assertArrayEquals(new float[] {(float) buf[0], (float) buf[1], (float) buf[2], (float) buf[3], (float) buf[4]},
                    floats(opt.stateDict().get("param.0.momentum_buffer")), 1e-6f);
        }
    }

    @Test
    void plainSgdHasNoStateAndIsExact() {
        Tensor p = param(P0, P0.length);
        SGD opt = new SGD(List.of(p), 0.5);
        grad(p, GRADS[0]);
        opt.step();
        float[] got = floats(p);
        for (int i = 0; i < P0.length; i++) {
            assertEquals(P0[i] - 0.5f * GRADS[0][i], got[i], 0f);
        }
        assertEquals(List.of("lr", "iterations", "param.0.step"), List.copyOf(opt.stateDict().keySet()));
    }

    @Test
    void adamTwoAndThreeStepsWithBiasCorrectionAndL2() {
        for (double wd : new double[] {0, 0.1}) {
            double lr = 0.01;
            double b1 = 0.8;
            double b2 = 0.95;
            double eps = 1e-6;
            Tensor p = param(P0, P0.length);
            Adam opt = new Adam(List.of(p), Adam.Config.of(lr).withBetas(b1, b2).withEps(eps).withWeightDecay(wd));
            double[] x = d(P0);
            double[] m = new double[x.length];
            double[] v = new double[x.length];
            int t = 0;
            for (float[] g : GRADS) {
                grad(p, g);
                opt.step();
                t++;
                for (int i = 0; i < x.length; i++) {
                    double gi = g[i] + wd * x[i];
                    m[i] = b1 * m[i] + (1 - b1) * gi;
                    v[i] = b2 * v[i] + (1 - b2) * gi * gi;
                    double mHat = m[i] / (1 - Math.pow(b1, t));
                    double vHat = v[i] / (1 - Math.pow(b2, t));
                    x[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
                }
                assertClose(x, floats(p), 2e-6, "Adam wd=" + wd + " step " + t);
                assertClose(m, floats(opt.stateDict().get("param.0.exp_avg")), 1e-6, "exp_avg");
                assertClose(v, floats(opt.stateDict().get("param.0.exp_avg_sq")), 1e-6, "exp_avg_sq");
            }
            assertEquals(3, opt.steps(0));
            assertEquals(3, opt.iterations());
        }
    }

    @Test
    void adamFirstStepMovesEachElementByAboutLr() {
        // the textbook property of bias correction: |step 1| = lr * |g| / (|g| + eps') ~ lr
        Tensor p = param(P0, P0.length);
        Adam opt = new Adam(List.of(p), 0.001);
        grad(p, GRADS[0]);
        opt.step();
        float[] got = floats(p);
        for (int i = 0; i < P0.length; i++) {
            double expected = GRADS[0][i] == 0 ? 0 : 0.001 * Math.signum(GRADS[0][i]);
            assertEquals(P0[i] - expected, got[i], 1e-6, "element " + i);
        }
    }

    @Test
    void adamwDecouplesTheWeightDecay() {
        double lr = 0.05;
        double wd = 0.2;
        double b1 = 0.9;
        double b2 = 0.999;
        double eps = 1e-8;
        Tensor p = param(P0, P0.length);
        AdamW opt = new AdamW(List.of(p), AdamW.defaults().withLr(lr).withWeightDecay(wd));
        double[] x = d(P0);
        double[] m = new double[x.length];
        double[] v = new double[x.length];
        int t = 0;
        for (float[] g : GRADS) {
            grad(p, g);
            opt.step();
            t++;
            for (int i = 0; i < x.length; i++) {
                x[i] *= 1 - lr * wd;
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                double denom = Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(b2, t)) + eps;
                x[i] -= lr / (1 - Math.pow(b1, t)) * m[i] / denom;
            }
            assertClose(x, floats(p), 2e-6, "AdamW step " + t);
        }
        assertEquals(0.01, AdamW.defaults().weightDecay());
    }

    @Test
    void adagradWithInitialAccumulatorLrDecayAndWeightDecay() {
        double lr = 0.3;
        double decay = 0.5;
        double wd = 0.05;
        double init = 0.1;
        double eps = 1e-10;
        Tensor p = param(P0, P0.length);
        Adagrad opt = new Adagrad(List.of(p), Adagrad.Config.of(lr).withLrDecay(decay).withWeightDecay(wd).withInitialAccumulator(init));
        double[] x = d(P0);
        double[] sum = new double[x.length];
        java.util.Arrays.fill(sum, init);
        int t = 0;
        for (float[] g : GRADS) {
            grad(p, g);
            opt.step();
            t++;
            double clr = lr / (1 + (t - 1) * decay);
            for (int i = 0; i < x.length; i++) {
                double gi = g[i] + wd * x[i];
                sum[i] += gi * gi;
                x[i] -= clr * gi / (Math.sqrt(sum[i]) + eps);
            }
            assertClose(x, floats(p), 2e-6, "Adagrad step " + t);
            assertClose(sum, floats(opt.stateDict().get("param.0.sum")), 1e-6, "sum");
        }
    }

    @Test
    void f64ParametersUseTheDoubleKernels() {
        double[] p0 = {1, -2, 0.5};
        double[] g = {0.3, -0.1, 2};
        Tensor p = paramF64(p0, 3);
        Adam opt = new Adam(List.of(p), Adam.Config.of(0.1));
        grad(p, g);
        opt.step();
        grad(p, g);
        opt.step();
        double[] x = p0.clone();
        double[] m = new double[3];
        double[] v = new double[3];
        for (int t = 1; t <= 2; t++) {
            for (int i = 0; i < 3; i++) {
                m[i] = 0.9 * m[i] + 0.1 * g[i];
                v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
                x[i] -= 0.1 / (1 - Math.pow(0.9, t)) * m[i] / (Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(0.999, t)) + 1e-8);
            }
        }
        assertArrayEquals(x, doubles(p), 1e-14);
    }

    @Test
    void longParametersAreUpdatedAcrossChunkBoundaries() {
        // sizes around the internal chunk of 1024 elements, each element checked against the formula
        long seed = System.nanoTime();
        SplittableRandom r = new SplittableRandom(seed);
        for (int n : new int[] {1, 17, 1023, 1024, 1025, 3001}) {
            float[] p0 = OptimTesting.random(r, n, 2);
            float[] g = OptimTesting.random(r, n, 1);
            Tensor p = param(p0, n);
            Adagrad opt = new Adagrad(List.of(p), 0.1);
            grad(p, g);
            opt.step();
            float[] got = floats(p);
            for (int i = 0; i < n; i++) {
                double expected = p0[i] - 0.1 * g[i] / (Math.sqrt((double) g[i] * g[i]) + 1e-10);
                assertEquals(expected, got[i], 1e-6, "n=" + n + " element " + i + " (seed " + seed + ")");
            }
        }
    }

    @Test
    void everyOptimizerMinimisesAQuadratic() {
        // f(p) = sum (p - c)^2 with its gradient 2 (p - c) written by hand
        float[] c = {3f, -1f, 0.5f, 2f};
        List<java.util.function.Function<List<Tensor>, Optimizer>> makers = List.of(
                ps -> new SGD(ps, 0.1),
                ps -> new SGD(ps, SGD.Config.of(0.05).withMomentum(0.9)),
                ps -> new SGD(ps, SGD.Config.of(0.05).withMomentum(0.9).withNesterov(true)),
                ps -> new Adam(ps, 0.1),
                ps -> new AdamW(ps, 0.1),
                ps -> new Adagrad(ps, 0.5));
        for (var make : makers) {
            Tensor p = param(new float[4], 4);
            Optimizer opt = make.apply(List.of(p));
            double first = Double.NaN;
            double last = Double.NaN;
            for (int step = 0; step < 300; step++) {
                float[] x = floats(p);
                float[] g = new float[4];
                double loss = 0;
                for (int i = 0; i < 4; i++) {
                    loss += (x[i] - c[i]) * (x[i] - c[i]);
                    g[i] = 2 * (x[i] - c[i]);
                }
                if (step == 0) {
                    first = loss;
                }
                last = loss;
                grad(p, g);
                opt.step();
            }
            assertTrue(last < first * 1e-3, opt + ": loss went from " + first + " to " + last);
        }
    }
}
