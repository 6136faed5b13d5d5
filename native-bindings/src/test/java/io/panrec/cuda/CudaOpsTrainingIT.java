package io.panrec.cuda;

import io.panrec.autograd.GradientCases;
import io.panrec.backend.Backends;
import io.panrec.nn.Embedding;
import io.panrec.nn.Linear;
import io.panrec.nn.MLP;
import io.panrec.nn.Module;
import io.panrec.ops.Elementwise;
import io.panrec.ops.Losses;
import io.panrec.ops.Reductions;
import io.panrec.ops.Shapes;
import io.panrec.optim.Adam;
import io.panrec.optim.GradClip;
import io.panrec.optim.Optimizer;
import io.panrec.tensor.DType;
import io.panrec.tensor.Device;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * panrec's ops layer on the GPU: the same code a model runs on the CPU ({@code io.panrec.nn} modules, the ops,
 * autograd, Adam, gradient clipping), with the model moved by {@link Module#to} and each batch by
 * {@code Tensor.to}, against the same run on the CPU (reference backend). The core test
 * {@code DeviceTrainingTest} checks this path on an emulated device everywhere; this one on the real GPU.
 * <ul>
 *   <li>every gradient case of core's autograd suite (every op family, odd sizes), in F32 on the GPU: values
 *       and gradients as on the CPU;</li>
 *   <li>NeuMF (He et al., "Neural Collaborative Filtering", WWW 2017) at MovieLens-1M size — 6,040 users and
 *       3,706 items, GMF and MLP embeddings of 32, tower 64-32-16-8 — trained a few steps with Adam: the same
 *       losses step by step within 1e-4, and the same weights at the end.</li>
 * </ul>
 */
@NeedsGpu
class CudaOpsTrainingIT {
    static final int USERS = 6040;
    static final int ITEMS = 3706;
    static final int DIM = 32;
    static final int BATCH = 1024;
    static final int STEPS = 6;
    static final long SEED = Long.getLong("panrec.test.seed", 20241206L);

    static Device gpu() {
        return CudaTensors.defaultDevice();
    }

    /** A case's inputs in F32 on {@code d} (index tensors as they are), with the case's gradient flags. */
    private static Tensor[] inputs(Tensor[] cas, Device d) {
        Tensor[] out = new Tensor[cas.length];
        for (int i = 0; i < cas.length; i++) {
            Tensor x = cas[i];
            if (x == null) {
                continue;
            }
            Tensor t = x.detach();
            if (t.dtype().isFloating()) {
                t = t.to(DType.F32);
            }
            t = t.to(d);
            if (x.requiresGrad()) {
                t.requiresGrad(true).sparseGradients(x.sparseGradients()); // t is a new leaf (detached, then copied)
            }
            out[i] = t;
        }
        return out;
    }

    private static float[] host(Tensor t) {
        return (t.device().isHost() ? t : t.to(Device.CPU)).toFloatArray();
    }

    private static float[] grad(Tensor leaf) {
        return leaf.grad() != null ? host(leaf.grad()) : leaf.sparseGrad().toDense().toFloatArray();
    }

    private static void assertClose(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            double tol = 1e-4 * Math.max(1, Math.abs(expected[i]));
            assertTrue(Math.abs(expected[i] - actual[i]) <= tol || (Float.isNaN(expected[i]) && Float.isNaN(actual[i])),
                    what + " [" + i + "]: cpu " + expected[i] + ", gpu " + actual[i]);
        }
    }

    @TestFactory
    List<DynamicTest> everyGradientCaseOnTheGpuMatchesTheCpu() {
        List<DynamicTest> tests = new ArrayList<>();
        for (GradientCases.Case c : GradientCases.all(SEED)) {
            tests.add(DynamicTest.dynamicTest(c.name(), () -> {
                try (Scope s = Scope.open(c.name())) {
                    Tensor[] cpu = inputs(c.inputs(), Device.CPU);
                    Tensor yCpu;
                    Tensor w;
                    try (var ref = Backends.use("reference")) {
                        yCpu = c.f().apply(cpu);
                        w = Tensor.uniform(new SplittableRandom(SEED), -1, 1, yCpu.shape());
                        Reductions.sum(Elementwise.mul(yCpu, w)).backward();
                    }
                    Tensor[] dev = inputs(c.inputs(), gpu());
                    Tensor yGpu = c.f().apply(dev);
                    Reductions.sum(Elementwise.mul(yGpu, w.to(yGpu.device()))).backward();
                    assertClose(c.name() + " forward", yCpu.toFloatArray(), host(yGpu));
                    for (int i = 0; i < cpu.length; i++) {
                        if (cpu[i] != null && cpu[i].requiresGrad()) {
                            assertClose(c.name() + " gradient " + i, grad(cpu[i]), grad(dev[i]));
                        }
                    }
                }
            }));
        }
        return tests;
    }

    /** NeuMF: GMF product and MLP tower over separate embeddings, one logit per pair. */
    static final class NeuMF extends Module {
        final Embedding gmfUsers;
        final Embedding gmfItems;
        final Embedding mlpUsers;
        final Embedding mlpItems;
        final MLP tower;
        final Linear out;

        NeuMF(SplittableRandom r) {
            gmfUsers = registerModule("gmfUsers", new Embedding(USERS, DIM, r));
            gmfItems = registerModule("gmfItems", new Embedding(ITEMS, DIM, r));
            mlpUsers = registerModule("mlpUsers", new Embedding(USERS, DIM, r));
            mlpItems = registerModule("mlpItems", new Embedding(ITEMS, DIM, r));
            tower = registerModule("tower", new MLP(new int[] {2 * DIM, 64, 32, 16, 8}, io.panrec.nn.Activation.RELU, 0f, true, r));
            out = registerModule("out", new Linear(DIM + 8, 1, r));
        }

        Tensor logits(Tensor u, Tensor i) {
            Tensor gmf = gmfUsers.forward(u).mul(gmfItems.forward(i));
            Tensor mlp = tower.forward(Shapes.concat(1, mlpUsers.forward(u), mlpItems.forward(i)));
            return out.forward(Shapes.concat(1, gmf, mlp)).reshape(-1);
        }
    }

    static Tensor[][] batches(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor[][] out = new Tensor[STEPS][];
        for (int s = 0; s < STEPS; s++) {
            long[] u = new long[BATCH];
            long[] i = new long[BATCH];
            float[] y = new float[BATCH];
            for (int b = 0; b < BATCH; b++) {
                u[b] = r.nextInt(USERS);
                i[b] = r.nextInt(ITEMS);
                y[b] = u[b] % 5 == i[b] % 5 ? 1 : 0;
            }
            out[s] = new Tensor[] {Tensor.ofLongs(u, BATCH), Tensor.ofLongs(i, BATCH), Tensor.of(y, BATCH)};
        }
        return out;
    }

    static double[] train(NeuMF model, Tensor[][] data) {
        Device d = model.device();
        Optimizer opt = new Adam(model.parameters(), 0.01);
        double[] losses = new double[STEPS];
        for (int s = 0; s < STEPS; s++) {
            try (Scope step = Scope.open("step")) {
                Tensor loss = Losses.bceWithLogits(model.logits(data[s][0].to(d), data[s][1].to(d)), data[s][2].to(d));
                assertEquals(d, loss.device());
                losses[s] = loss.to(Device.CPU).item();
                loss.backward();
                GradClip.clipByGlobalNorm(model.parameters(), 10.0);
                opt.step();
                opt.zeroGrad();
            }
        }
        return losses;
    }

    @Test
    void neumfTrainsOnTheGpuToTheCpuLosses() {
        Tensor[][] data = batches(SEED + 1);
        NeuMF cpu = new NeuMF(new SplittableRandom(SEED));
        NeuMF gpuModel = new NeuMF(new SplittableRandom(SEED));
        gpuModel.to(gpu());
        assertEquals(gpu(), gpuModel.device());
        double[] lc;
        try (var ref = Backends.use("reference")) {
            lc = train(cpu, data);
        }
        double[] lg = train(gpuModel, data);
        for (int s = 0; s < STEPS; s++) {
            assertTrue(Math.abs(lc[s] - lg[s]) <= 1e-4 * Math.max(1, Math.abs(lc[s])),
                    "step " + s + ": cpu loss " + lc[s] + ", gpu loss " + lg[s]);
        }
        assertTrue(lg[STEPS - 1] < lg[0], "the loss should fall: " + java.util.Arrays.toString(lg));
        gpuModel.to(Device.CPU);
        for (var e : cpu.namedParameters().entrySet()) {
            assertClose(e.getKey() + " after training", e.getValue().toFloatArray(),
                    gpuModel.namedParameters().get(e.getKey()).toFloatArray());
        }
    }
}
