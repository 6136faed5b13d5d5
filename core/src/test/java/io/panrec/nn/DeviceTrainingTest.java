package io.panrec.nn;

import io.panrec.backend.Backends;
import io.panrec.ops.Losses;
import io.panrec.ops.Shapes;
import io.panrec.optim.Adam;
import io.panrec.optim.GradClip;
import io.panrec.optim.Optimizer;
import io.panrec.tensor.Device;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import io.panrec.testing.EmulatedDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A small NeuMF-shaped model (He et al., "Neural Collaborative Filtering", WWW 2017: a GMF product beside an
 * MLP tower over user and item embeddings) moved to a device with {@link Module#to} and trained there,
 * batches moved with {@code Tensor.to}, against the same model trained on the host: the same losses and
 * parameters, step by step. The device is {@link EmulatedDevice} (host memory, reference kernels); the GPU
 * version of this test is native-bindings' {@code CudaOpsTrainingIT}.
 */
class DeviceTrainingTest {
    @RegisterExtension
    static final TestSeed SEED = new TestSeed();
    private static final Device DEV = EmulatedDevice.DEVICE;

    /** GMF + MLP over embeddings, one logit per (user, item) pair. */
    static final class TinyNcf extends Module {
        final Embedding users;
        final Embedding items;
        final MLP tower;
        final LayerNorm norm;
        final Linear out;

        TinyNcf(SplittableRandom r, boolean sparse) {
            users = registerModule("users", new Embedding(13, 6, -1, sparse, r));
            items = registerModule("items", new Embedding(17, 6, -1, sparse, r));
            tower = registerModule("tower", new MLP(new int[] {12, 16, 8}, Activation.RELU, 0.2f, true, r));
            norm = registerModule("norm", new LayerNorm(8));
            out = registerModule("out", new Linear(8 + 6, 1, r));
        }

        Tensor logits(Tensor u, Tensor i) {
            Tensor eu = users.forward(u);
            Tensor ei = items.forward(i);
            Tensor mlp = norm.forward(tower.forward(Shapes.concat(1, eu, ei)));
            return out.forward(Shapes.concat(1, eu.mul(ei), mlp)).reshape(-1);
        }
    }

    private record Batch(Tensor users, Tensor items, Tensor labels) {
    }

    private static Batch[] batches(SplittableRandom r, int count, int size) {
        Batch[] out = new Batch[count];
        for (int b = 0; b < count; b++) {
            long[] u = new long[size];
            long[] i = new long[size];
            float[] y = new float[size];
            for (int k = 0; k < size; k++) {
                u[k] = r.nextInt(13);
                i[k] = r.nextInt(17);
                y[k] = (u[k] + i[k]) % 3 == 0 ? 1 : 0;
            }
            out[b] = new Batch(Tensor.ofLongs(u, size), Tensor.ofLongs(i, size), Tensor.of(y, size));
        }
        return out;
    }

    /** Trains {@code steps} steps over the batches on the model's device; returns the losses. */
    private static double[] train(TinyNcf model, Batch[] data, int steps) {
        Device d = model.device();
        Optimizer opt = new Adam(model.parameters(), 0.02);
        double[] losses = new double[steps];
        for (int s = 0; s < steps; s++) {
            try (Scope step = Scope.open("step")) {
                Batch b = data[s % data.length];
                Tensor loss = Losses.bceWithLogits(model.logits(b.users().to(d), b.items().to(d)), b.labels().to(d));
                assertEquals(d, loss.device());
                losses[s] = loss.to(Device.CPU).item();
                loss.backward();
                GradClip.clipByGlobalNorm(model.parameters(), 5.0);
                opt.step();
                opt.zeroGrad();
            }
        }
        return losses;
    }

    @Test
    void aModelTrainsOnTheDeviceToTheHostLosses() {
        EmulatedDevice emu = EmulatedDevice.install();
        long seed = SEED.seed();
        Batch[] data = batches(new SplittableRandom(seed + 1), 3, 19);
        try (var ref = Backends.use("reference")) {
            TinyNcf host = new TinyNcf(new SplittableRandom(seed), false);
            TinyNcf dev = new TinyNcf(new SplittableRandom(seed), false);
            Tensor hostWeight = dev.items.weight();
            assertSame(dev, dev.to(DEV));
            assertEquals(DEV, dev.device());
            assertNotSame(hostWeight, dev.items.weight(), "the parameter was not replaced by a device copy");
            long kernels = emu.kernelCalls();
            double[] lh = train(host, data, 12);
            double[] ld = train(dev, data, 12);
            assertTrue(emu.kernelCalls() > kernels);
            assertArrayEquals(lh, ld, 1e-5, "losses step by step");
            assertTrue(ld[11] < ld[0], "the loss did not fall: " + java.util.Arrays.toString(ld));
            Map<String, Tensor> ph = host.namedParameters();
            dev.to(Device.CPU);
            assertEquals(Device.CPU, dev.device());
            for (var e : dev.namedParameters().entrySet()) {
                assertArrayEquals(ph.get(e.getKey()).toFloatArray(), e.getValue().toFloatArray(), 1e-5f, e.getKey());
            }
        }
    }

    @Test
    void sparseTablesGetDenseGradientsOnTheDeviceAndStillLearn() {
        EmulatedDevice.install();
        TinyNcf dev = new TinyNcf(new SplittableRandom(SEED.seed()), true);
        dev.to(DEV);
        assertTrue(dev.users.sparse(), "the sparse flag moves with the table");
        double[] l = train(dev, batches(new SplittableRandom(SEED.seed() + 2), 2, 23), 30);
        assertTrue(l[29] < 0.8 * l[0], "the loss did not fall: " + java.util.Arrays.toString(l));
        assertEquals(null, dev.users.weight().sparseGrad());
    }

    @Test
    void stateDictsLoadAcrossDevicesAndSharedParametersStayShared() {
        EmulatedDevice.install();
        TinyNcf a = new TinyNcf(new SplittableRandom(SEED.seed()), false);
        TinyNcf b = new TinyNcf(new SplittableRandom(SEED.seed() + 9), false);
        b.to(DEV);
        b.loadStateDict(a.stateDict());
        for (var e : b.namedParameters().entrySet()) {
            assertEquals(DEV, e.getValue().device(), e.getKey());
            assertArrayEquals(a.namedParameters().get(e.getKey()).toFloatArray(), e.getValue().to(Device.CPU).toFloatArray(),
                    0f, e.getKey());
        }
        // a parameter registered in two modules (tied weights) is moved once and stays one tensor
        Linear shared = new Linear(3, 2, new SplittableRandom(1));
        Sequential twice = new Sequential(shared, new Linear(2, 3, new SplittableRandom(2)), shared);
        twice.to(DEV);
        assertSame(((Linear) twice.get(0)).weight(), ((Linear) twice.get(2)).weight());
        assertEquals(DEV, shared.weight().device());
        // the mixed-device error when a batch stays on the host
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b.logits(Tensor.ofLongs(new long[] {1}, 1), Tensor.ofLongs(new long[] {2}, 1)));
        assertTrue(e.getMessage().contains(".to(device)"), e.getMessage());
    }
}
