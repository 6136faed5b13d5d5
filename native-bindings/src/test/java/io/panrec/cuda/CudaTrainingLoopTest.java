package io.panrec.cuda;

import io.panrec.backend.Backend;
import io.panrec.backend.Backends;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import io.panrec.testing.Rand;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hand-written NeuMF training loop of {@link CudaTrainingIT}, run on the CPU (vector against reference), so
 * that the GPU test only has the GPU left to doubt: shapes, views and gradients of the loop are right here,
 * and the loss falls.
 */
class CudaTrainingLoopTest {
    final Rand rand = new Rand();

    @Test
    void theLoopTrainsOnTheCpuBackendsAlike() {
        Backend ref = Backends.named("reference");
        Backend fast = Backends.bestPureJava();
        try (Scope s = Scope.open("loop")) {
            List<Tensor[]> batches = new ArrayList<>();
            SplittableRandom r = new SplittableRandom(rand.seed);
            for (int i = 0; i < 2; i++) {
                batches.add(CudaTrainingIT.batch(r));
            }
            List<Tensor> init = CudaTrainingIT.initialParameters(rand.seed);
            CudaTrainingIT.Mem host = new CudaTrainingIT.Mem() {
                public Tensor zeros(int... shape) {
                    return Tensor.zeros(shape);
                }

                public Tensor from(Tensor h) {
                    return h.copy();
                }

                public float[] read(Tensor t) {
                    return t.toFloatArray();
                }
            };
            List<Tensor> a = new ArrayList<>();
            List<Tensor> b = new ArrayList<>();
            for (Tensor p : init) {
                a.add(p.copy());
                b.add(p.copy());
            }
            float[] l0 = CudaTrainingIT.train(ref, host, a, batches);
            float[] l1 = CudaTrainingIT.train(fast, host, b, batches);
            for (int i = 0; i < l0.length; i++) {
                assertTrue(Math.abs(l0[i] - l1[i]) <= 1e-4 * Math.max(1, Math.abs(l0[i])),
                        "step " + i + ": " + fast.name() + " " + l1[i] + " vs reference " + l0[i] + rand.note());
            }
            assertTrue(l0[l0.length - 1] < l0[0], "loss should fall: " + java.util.Arrays.toString(l0) + rand.note());
            for (int i = 0; i < a.size(); i++) {
                rand.assertClose("parameter " + i, a.get(i), b.get(i), 256);
            }
        }
    }
}
