package io.panrec.optim;

import io.panrec.ops.Elementwise;
import io.panrec.ops.Indexing;
import io.panrec.ops.Linalg;
import io.panrec.ops.Reductions;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static io.panrec.optim.OptimTesting.floats;
import static io.panrec.optim.OptimTesting.param;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The optimizers in the usual loop with autograd: forward, backward, clip, step, in a step scope. */
class TrainingTest {

    @Test
    void sparseEmbeddingsLearnTheirTargetsAndRowsNeverLookedUpStayPut() {
        long seed = System.nanoTime();
        SplittableRandom r = new SplittableRandom(seed);
        int v = 200;
        int d = 4;
        int used = 100; // ids drawn from [0, used) only
        float[] init = OptimTesting.random(r, v * d, 0.1f);
        for (var make : List.<java.util.function.Function<List<Tensor>, Optimizer>>of(
                ps -> new Adam(ps, 0.05), ps -> new Adagrad(ps, 0.5), ps -> new SGD(ps, SGD.Config.of(10).withMomentum(0.5)))) {
            Tensor table = param(init, v, d).sparseGradients(true);
            Tensor targets = Tensor.of(OptimTesting.random(new SplittableRandom(seed + 1), v * d, 1), v, d);
            Optimizer opt = make.apply(List.of(table));
            double first = Double.NaN;
            double last = Double.NaN;
            for (int step = 0; step < 300; step++) {
                try (Scope s = Scope.open("step")) {
                    long[] ids = new long[32];
                    for (int i = 0; i < ids.length; i++) {
                        ids[i] = r.nextInt(used);
                    }
                    Tensor idx = Tensor.ofLongs(ids, ids.length);
                    opt.zeroGrad();
                    Tensor diff = Elementwise.sub(Indexing.gatherRows(table, idx), Indexing.gatherRows(targets, idx));
                    Tensor loss = Reductions.mean(Elementwise.mul(diff, diff));
                    loss.backward();
                    assertNull(table.grad(), "a sparse table gets no dense gradient");
                    GradClip.clipByGlobalNorm(opt.params(), 10);
                    opt.step();
                    if (step == 0) {
                        first = loss.item();
                    }
                    last = loss.item();
                }
            }
            String what = opt + " (seed " + seed + ")";
            assertTrue(last < 0.05 * first, what + ": loss " + first + " -> " + last);
            float[] got = floats(table);
            for (int row = used; row < v; row++) {
                for (int j = 0; j < d; j++) {
                    assertTrue(Float.floatToRawIntBits(init[row * d + j]) == Float.floatToRawIntBits(got[row * d + j]),
                            what + ": row " + row + " was never looked up but changed");
                }
            }
        }
    }

    @Test
    void aDenseRegressionConvergesWithClippingAndASchedule() {
        long seed = System.nanoTime();
        SplittableRandom r = new SplittableRandom(seed);
        int n = 64;
        int k = 5;
        Tensor x = Tensor.of(OptimTesting.random(r, n * k, 1), n, k);
        float[] wTrue = {0.5f, -1, 2, 0.25f, -0.75f};
        float[] y = new float[n];
        float[] xs = floats(x);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                y[i] += xs[i * k + j] * wTrue[j];
            }
            y[i] += 0.3f;
        }
        Tensor target = Tensor.of(y, n, 1);
        for (var make : List.<java.util.function.Function<List<Tensor>, Optimizer>>of(
                ps -> new SGD(ps, SGD.Config.of(0.1).withMomentum(0.9)), ps -> new AdamW(ps, AdamW.defaults().withLr(0.1).withWeightDecay(0)))) {
            Tensor w = param(new float[k], k, 1);
            Tensor b = param(new float[1], 1);
            Optimizer opt = make.apply(List.of(w, b));
            Scheduler sched = new Scheduler(opt, LrSchedule.cosine(400, 0.001).withWarmup(10));
            double first = Double.NaN;
            double last = Double.NaN;
            for (int step = 0; step < 400; step++) {
                try (Scope s = Scope.open("step")) {
                    opt.zeroGrad();
                    Tensor diff = Elementwise.sub(Elementwise.add(Linalg.matmul(x, w), b), target);
                    Tensor loss = Reductions.mean(Elementwise.mul(diff, diff));
                    loss.backward();
                    GradClip.clipByGlobalNorm(opt.params(), 5);
                    opt.step();
                    sched.step();
                    if (step == 0) {
                        first = loss.item();
                    }
                    last = loss.item();
                }
            }
            String what = opt + " (seed " + seed + ")";
            assertTrue(last < 1e-4 * first, what + ": loss " + first + " -> " + last);
            assertArrayEquals(wTrue, floats(w), 0.01f, what);
            assertArrayEquals(new float[] {0.3f}, floats(b), 0.01f, what);
        }
    }
}
