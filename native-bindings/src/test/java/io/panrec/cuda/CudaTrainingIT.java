package io.panrec.cuda;

import io.panrec.backend.Backend;
import io.panrec.backend.Backends;
import io.panrec.backend.BinaryOp;
import io.panrec.backend.ReduceOp;
import io.panrec.backend.UnaryOp;
import io.panrec.tensor.DType;
import io.panrec.tensor.Device;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import io.panrec.testing.Rand;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Trains the MLP tower of NeuMF (He et al. 2017) at MovieLens-1M size — 6,040 user and 3,706 item embeddings of
 * 32, layers 64-32-16-8, a logit, binary cross-entropy, plain SGD — for a few steps, once on the GPU (cuda
 * backend, device tensors) and once on the CPU (reference backend, host tensors), from the same initial
 * weights and batches, and asks for the same losses step by step and the same weights at the end.
 *
 * <p>The forward and backward passes are written with the backend's kernels directly (gather, matmul over
 * transposed views, broadcast bias, ReLU and its gradient, softplus, reductions, scatter-add of embedding
 * gradients, the SGD update): the kernels a device training loop runs, one by one. {@link CudaOpsTrainingIT}
 * trains the same shape of model through the ops layer, autograd and the optimizers.
 */
@NeedsGpu
class CudaTrainingIT {
    static final int USERS = 6040;
    static final int ITEMS = 3706;
    static final int DIM = 32;
    static final int[] LAYERS = {2 * DIM, 64, 32, 16, 8};
    static final int BATCH = 1024;
    static final int STEPS = 6;
    static final float LR = 0.5f;

    final Rand rand = new Rand();

    /** Where a run keeps its tensors. */
    interface Mem {
        Tensor zeros(int... shape);

        Tensor from(Tensor host);

        float[] read(Tensor t);
    }

    /** The parameters: embeddings, then (weight [out, in], bias [out]) per layer, then the output layer. */
    static List<Tensor> initialParameters(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Tensor> ps = new ArrayList<>();
        ps.add(Tensor.normal(r, 0, 0.1f, USERS, DIM));
        ps.add(Tensor.normal(r, 0, 0.1f, ITEMS, DIM));
        for (int l = 1; l < LAYERS.length; l++) {
            float bound = (float) Math.sqrt(6.0 / LAYERS[l - 1]);
            ps.add(Tensor.uniform(r, -bound, bound, LAYERS[l], LAYERS[l - 1]));
            ps.add(Tensor.zeros(LAYERS[l]));
        }
        float bound = (float) Math.sqrt(6.0 / LAYERS[LAYERS.length - 1]);
        ps.add(Tensor.uniform(r, -bound, bound, 1, LAYERS[LAYERS.length - 1]));
        ps.add(Tensor.zeros(1));
        return ps;
    }

    /** A batch: users, items, and labels that a model can learn (1 when user and item fall in the same of 5 groups). */
    static Tensor[] batch(SplittableRandom r) {
        long[] u = new long[BATCH];
        long[] i = new long[BATCH];
        float[] y = new float[BATCH];
        for (int b = 0; b < BATCH; b++) {
            u[b] = r.nextInt(USERS);
            i[b] = r.nextInt(ITEMS);
            y[b] = u[b] % 5 == i[b] % 5 ? 1 : 0;
        }
        return new Tensor[] {Tensor.ofLongs(u, BATCH), Tensor.ofLongs(i, BATCH), Tensor.of(y, BATCH, 1)};
    }

    /** A rank-3 [1, rows, cols] view of a contiguous matrix, or of its transpose. */
    static Tensor mat(Tensor t, int rows, int cols, boolean transposed) {
        return transposed ? t.view(new int[] {1, rows, cols}, new long[] {(long) rows * cols, 1, rows}, t.offset())
                : t.view(new int[] {1, rows, cols}, new long[] {(long) rows * cols, cols, 1}, t.offset());
    }

    /** {@code t} repeated to {@code shape} with stride 0 (a scalar or a row). */
    static Tensor broadcast(Tensor t, int... shape) {
        long[] strides = new long[shape.length];
        if (t.numel() > 1) {
            strides[shape.length - 1] = 1;
        }
        return t.view(shape, strides, t.offset());
    }

    /** SGD steps on one backend; returns the loss of each step, leaves the trained weights in {@code ps}. */
    static float[] train(Backend be, Mem mem, List<Tensor> ps, List<Tensor[]> batches) {
        int layers = LAYERS.length - 1;
        float[] losses = new float[batches.size()];
        Tensor lr = mem.from(Tensor.full(LR, 1));
        Tensor invB = mem.from(Tensor.full(1f / BATCH, 1));
        for (int step = 0; step < batches.size(); step++) {
            try (Scope s = Scope.open("step " + step)) {
                Tensor users = mem.from(batches.get(step)[0]);
                Tensor items = mem.from(batches.get(step)[1]);
                Tensor y = mem.from(batches.get(step)[2]);
                // forward: x = [user embedding, item embedding]
                Tensor x = mem.zeros(BATCH, 2 * DIM);
                be.gatherRows(ps.get(0), users, x.view(new int[] {BATCH, DIM}, new long[] {2 * DIM, 1}, 0));
                be.gatherRows(ps.get(1), items, x.view(new int[] {BATCH, DIM}, new long[] {2 * DIM, 1}, DIM));
                Tensor[] pre = new Tensor[layers + 1];
                Tensor[] post = new Tensor[layers + 1];
                post[0] = x;
                for (int l = 1; l <= layers; l++) {
                    Tensor w = ps.get(2 * l);
                    Tensor bias = ps.get(2 * l + 1);
                    pre[l] = mem.zeros(BATCH, LAYERS[l]);
                    be.matmul(mat(post[l - 1], BATCH, LAYERS[l - 1], false), mat(w, LAYERS[l - 1], LAYERS[l], true),
                            mat(pre[l], BATCH, LAYERS[l], false), 1, 0);
                    be.binary(BinaryOp.ADD, pre[l], broadcast(bias, BATCH, LAYERS[l]), pre[l]);
                    post[l] = mem.zeros(BATCH, LAYERS[l]);
                    be.unary(UnaryOp.RELU, 0, pre[l], post[l]);
                }
                Tensor wo = ps.get(2 * layers + 2);
                Tensor bo = ps.get(2 * layers + 3);
                int last = LAYERS[layers];
                Tensor z = mem.zeros(BATCH, 1);
                be.matmul(mat(post[layers], BATCH, last, false), mat(wo, last, 1, true), mat(z, BATCH, 1, false), 1, 0);
                be.binary(BinaryOp.ADD, z, broadcast(bo, BATCH, 1), z);
                // loss = mean(softplus(z) - y z), binary cross-entropy with logits
                Tensor sp = mem.zeros(BATCH, 1);
                be.unary(UnaryOp.SOFTPLUS, 0, z, sp);
                Tensor yz = mem.zeros(BATCH, 1);
                be.binary(BinaryOp.MUL, y, z, yz);
                be.binary(BinaryOp.SUB, sp, yz, sp);
                Tensor loss = mem.zeros(1, 1);
                be.reduce(ReduceOp.MEAN, sp, loss);
                losses[step] = mem.read(loss)[0];

                // backward: dz = (sigmoid(z) - y) / B
                Tensor dz = mem.zeros(BATCH, 1);
                be.unary(UnaryOp.SIGMOID, 0, z, dz);
                be.binary(BinaryOp.SUB, dz, y, dz);
                be.binary(BinaryOp.MUL, dz, broadcast(invB, BATCH, 1), dz);
                List<Tensor> grads = new ArrayList<>();
                for (Tensor p : ps) {
                    grads.add(mem.zeros(p.shape()));
                }
                be.matmul(mat(dz, 1, BATCH, true), mat(post[layers], BATCH, last, false), mat(grads.get(2 * layers + 2), 1, last, false),
                        1, 0);
                be.reduce(ReduceOp.SUM, dz, grads.get(2 * layers + 3).view(new int[] {1, 1}, new long[] {1, 1}, 0));
                Tensor dh = mem.zeros(BATCH, last);
                be.matmul(mat(dz, BATCH, 1, false), mat(wo, 1, last, false), mat(dh, BATCH, last, false), 1, 0);
                for (int l = layers; l >= 1; l--) {
                    Tensor da = mem.zeros(BATCH, LAYERS[l]);
                    be.unaryBackward(UnaryOp.RELU, 0, pre[l], post[l], dh, da);
                    be.matmul(mat(da, LAYERS[l], BATCH, true), mat(post[l - 1], BATCH, LAYERS[l - 1], false),
                            mat(grads.get(2 * l), LAYERS[l], LAYERS[l - 1], false), 1, 0);
                    be.reduce(ReduceOp.SUM, da, grads.get(2 * l + 1).view(new int[] {1, LAYERS[l]}, new long[] {LAYERS[l], 1}, 0));
                    Tensor dprev = mem.zeros(BATCH, LAYERS[l - 1]);
                    be.matmul(mat(da, BATCH, LAYERS[l], false), mat(ps.get(2 * l), LAYERS[l], LAYERS[l - 1], false),
                            mat(dprev, BATCH, LAYERS[l - 1], false), 1, 0);
                    dh = dprev;
                }
                be.scatterAddRows(dh.view(new int[] {BATCH, DIM}, new long[] {2 * DIM, 1}, 0), users, grads.get(0));
                be.scatterAddRows(dh.view(new int[] {BATCH, DIM}, new long[] {2 * DIM, 1}, DIM), items, grads.get(1));
                // SGD: p -= lr g
                for (int i = 0; i < ps.size(); i++) {
                    Tensor g = grads.get(i);
                    be.binary(BinaryOp.MUL, g, broadcast(lr, g.shape()), g);
                    be.binary(BinaryOp.SUB, ps.get(i), g, ps.get(i));
                }
            }
        }
        return losses;
    }

    @Test
    void neumfSizedMlpTrainsToTheSameLossesOnTheGpuAsOnTheCpu() {
        assumeTrue(CudaLibraries.availability().available(), "no usable GPU: " + CudaLibraries.availability());
        CudaBackend gpu = (CudaBackend) Backends.named("cuda");
        Backend cpu = Backends.named("reference");
        Device device = gpu.device();
        try (Scope run = Scope.open("training")) {
            List<Tensor[]> batches = new ArrayList<>();
            SplittableRandom r = new SplittableRandom(rand.seed);
            for (int s = 0; s < STEPS; s++) {
                batches.add(batch(r));
            }
            List<Tensor> init = initialParameters(rand.seed);
            Mem host = new Mem() {
                public Tensor zeros(int... shape) {
                    return Tensor.zeros(shape);
                }

                public Tensor from(Tensor h) {
                    Tensor t = Tensor.zeros(h.dtype(), h.shape());
                    cpu.copy(h, t);
                    return t;
                }

                public float[] read(Tensor t) {
                    return t.toFloatArray();
                }
            };
            Mem dev = new Mem() {
                public Tensor zeros(int... shape) {
                    return CudaTensors.zeros(device, DType.F32, shape);
                }

                public Tensor from(Tensor h) {
                    return CudaTensors.toDevice(h, device, Scope.current());
                }

                public float[] read(Tensor t) {
                    return CudaTensors.toHost(t).toFloatArray();
                }
            };
            List<Tensor> onCpu = new ArrayList<>();
            List<Tensor> onGpu = new ArrayList<>();
            for (Tensor p : init) {
                onCpu.add(host.from(p));
                onGpu.add(dev.from(p));
            }
            long t0 = System.nanoTime();
            float[] cpuLoss = train(cpu, host, onCpu, batches);
            long t1 = System.nanoTime();
            float[] gpuLoss = train(gpu, dev, onGpu, batches);
            long t2 = System.nanoTime();
            System.out.printf("NeuMF MLP, %d steps of %d: CPU (reference) losses %s in %d ms; GPU losses %s in %d ms%n", STEPS, BATCH,
                    java.util.Arrays.toString(cpuLoss), (t1 - t0) / 1_000_000, java.util.Arrays.toString(gpuLoss), (t2 - t1) / 1_000_000);
            for (int s = 0; s < STEPS; s++) {
                assertTrue(Math.abs(cpuLoss[s] - gpuLoss[s]) <= 1e-4 * Math.max(1, Math.abs(cpuLoss[s])),
                        "step " + s + ": GPU loss " + gpuLoss[s] + ", CPU " + cpuLoss[s] + rand.note());
            }
            assertTrue(cpuLoss[STEPS - 1] < cpuLoss[0], "the loss should fall: " + java.util.Arrays.toString(cpuLoss));
            for (int i = 0; i < onCpu.size(); i++) {
                rand.assertClose("parameter " + i + " after training", onCpu.get(i), CudaTensors.toHost(onGpu.get(i)), 64 * STEPS);
            }
        }
    }
}
