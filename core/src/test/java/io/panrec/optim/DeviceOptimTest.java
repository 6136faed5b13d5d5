package io.panrec.optim;

import io.panrec.tensor.DType;
import io.panrec.tensor.Device;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import io.panrec.testing.EmulatedDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Optimizer steps and gradient clipping on parameters in a device's memory (the emulated device of
 * {@link EmulatedDevice}) against the same steps on the host: the device rules apply the host kernels'
 * operations in the same order, each rounded to the dtype, so they agree to the last bit or nearly.
 */
class DeviceOptimTest {
    private static final Device DEV = EmulatedDevice.DEVICE;
    private static final long SEED = Long.getLong("panrec.test.seed", System.nanoTime());

    private EmulatedDevice emu;
    private Scope scope;

    @BeforeEach
    void open() {
        emu = EmulatedDevice.install();
        scope = Scope.open("device optim test");
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor random(SplittableRandom r, DType dtype, int... shape) {
        return Tensor.uniform(r, -1, 1, shape).to(dtype);
    }

    /** Three steps of {@code make} on host and device parameters [17, 3] and [5] with the same gradients. */
    private void sameSteps(String what, DType dtype, Function<List<Tensor>, Optimizer> make, double tolerance) {
        SplittableRandom r = new SplittableRandom(SEED);
        Tensor[] host = {random(r, dtype, 17, 3).requiresGrad(true), random(r, dtype, 5).requiresGrad(true)};
        Tensor[] dev = new Tensor[host.length];
        for (int i = 0; i < host.length; i++) {
            dev[i] = host[i].detach().to(DEV).requiresGrad(true);
        }
        Optimizer oh = make.apply(List.of(host));
        Optimizer od = make.apply(List.of(dev));
        for (int step = 0; step < 3; step++) {
            for (int i = 0; i < host.length; i++) {
                Tensor g = random(r, dtype, host[i].shape());
                host[i].setGrad(g);
                dev[i].setGrad(g.to(DEV));
            }
            long transfers = emu.transfers();
            oh.step();
            od.step();
            assertEquals(transfers, emu.transfers(), what + ": the device step copied data to or from the host");
            for (int i = 0; i < host.length; i++) {
                assertEquals(DEV, dev[i].device());
                String note = what + " " + dtype + ", step " + step + ", parameter " + i + " (seed " + SEED + ")";
                assertArrayEquals(host[i].toDoubleArray(), dev[i].to(Device.CPU).toDoubleArray(), tolerance, note);
            }
        }
        // the state comes back to the host for checkpoints, with the host's values
        Map<String, Tensor> sh = oh.stateDict();
        Map<String, Tensor> sd = od.stateDict();
        assertEquals(sh.keySet(), sd.keySet());
        for (String k : sh.keySet()) {
            assertEquals(Device.CPU, sd.get(k).device(), k);
            assertArrayEquals(sh.get(k).toDoubleArray(), sd.get(k).toDoubleArray(), tolerance, what + " state " + k);
        }
        // and loads back into a fresh optimizer over the device parameters
        Optimizer resumed = make.apply(List.of(dev));
        resumed.loadStateDict(sd);
        Map<String, Tensor> again = resumed.stateDict();
        for (String k : sd.keySet()) {
            assertArrayEquals(sd.get(k).toDoubleArray(), again.get(k).toDoubleArray(), 0, what + " resumed state " + k);
        }
    }

    @Test
    void sgdStepsOnTheDeviceEqualTheHostSteps() {
        for (DType dtype : new DType[] {DType.F32, DType.F64}) {
            sameSteps("SGD", dtype, p -> new SGD(p, 0.1), 0);
            sameSteps("SGD momentum", dtype, p -> new SGD(p, SGD.Config.of(0.05).withMomentum(0.9).withWeightDecay(0.01)), 0);
            sameSteps("SGD nesterov", dtype, p -> new SGD(p, SGD.Config.of(0.05).withMomentum(0.8).withNesterov(true)), 0);
        }
    }

    @Test
    void adamStepsOnTheDeviceEqualTheHostSteps() {
        for (DType dtype : new DType[] {DType.F32, DType.F64}) {
            sameSteps("Adam", dtype, p -> new Adam(p, Adam.Config.of(0.01).withWeightDecay(0.02)), 0);
            sameSteps("AdamW", dtype, p -> new AdamW(p, 0.01), 0);
        }
    }

    @Test
    void adagradStepsOnTheDeviceEqualTheHostSteps() {
        for (DType dtype : new DType[] {DType.F32, DType.F64}) {
            sameSteps("Adagrad", dtype, p -> new Adagrad(p, Adagrad.Config.of(0.1).withWeightDecay(0.01)
                    .withInitialAccumulator(0.1).withLrDecay(0.01)), 0);
        }
    }

    @Test
    void aGradientOnAnotherDeviceIsRefusedBeforeAnyUpdate() {
        Tensor p = Tensor.zeros(3).to(DEV).requiresGrad(true);
        SGD sgd = new SGD(List.of(p), 0.1);
        p.setGrad(Tensor.ones(3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, sgd::step);
        assertTrue(e.getMessage().contains("cpu") && e.getMessage().contains(DEV.toString()), e.getMessage());
        assertArrayEquals(new float[] {0, 0, 0}, p.to(Device.CPU).toFloatArray());
    }

    @Test
    void zeroGradClearsDeviceGradientsInPlace() {
        Tensor p = Tensor.zeros(4).to(DEV).requiresGrad(true);
        Tensor g = Tensor.ones(4).to(DEV);
        p.setGrad(g);
        new Adam(List.of(p), 0.1).zeroGrad();
        assertEquals(g, p.grad());
        assertArrayEquals(new float[] {0, 0, 0, 0}, g.to(Device.CPU).toFloatArray());
    }

    @Test
    void clippingOnTheDeviceMatchesTheHost() {
        SplittableRandom r = new SplittableRandom(SEED);
        Tensor[] host = {Tensor.zeros(7, 3).requiresGrad(true), Tensor.zeros(11).requiresGrad(true)};
        Tensor[] dev = new Tensor[host.length];
        for (int i = 0; i < host.length; i++) {
            dev[i] = host[i].detach().to(DEV).requiresGrad(true);
            Tensor g = random(r, DType.F32, host[i].shape()).mul(3f);
            host[i].setGrad(g);
            dev[i].setGrad(g.to(DEV));
        }
        double nh = GradClip.clipByGlobalNorm(List.of(host), 1.0);
        double nd = GradClip.clipByGlobalNorm(List.of(dev), 1.0);
        assertEquals(nh, nd, 1e-5 * nh, "norm (F32 on the device, double on the host)");
        for (int i = 0; i < host.length; i++) {
            assertArrayEquals(host[i].grad().toFloatArray(), dev[i].grad().to(Device.CPU).toFloatArray(), 1e-6f);
        }
        assertEquals(1.0, GradClip.globalNorm(List.of(dev)), 1e-5);
    }
}
