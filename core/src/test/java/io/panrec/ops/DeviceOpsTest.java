package io.panrec.ops;

import io.panrec.autograd.GradientCases;
import io.panrec.backend.Backends;
import io.panrec.backend.ConvSpec;
import io.panrec.tensor.DType;
import io.panrec.tensor.Device;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import io.panrec.testing.EmulatedDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ops and autograd on tensors in a device's memory, on a device emulated in host memory
 * ({@link EmulatedDevice}: the dispatch of a GPU tensor, the reference kernels): every gradient case of the
 * autograd suite (every op family, odd sizes) gives the host's values and gradients; mixed devices, index
 * errors and kernels a backend lacks are clear errors raised before any kernel runs and without any copy to
 * the host.
 */
class DeviceOpsTest {
    private static final Device DEV = EmulatedDevice.DEVICE;
    private static final long SEED = Long.getLong("panrec.test.seed", System.nanoTime());

    private EmulatedDevice emu;
    private Scope scope;

    @BeforeEach
    void open() {
        emu = EmulatedDevice.install();
        scope = Scope.open("device ops test");
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** The case's inputs on the device: same values, same flags, no history. */
    private static Tensor[] onDevice(Tensor[] inputs) {
        Tensor[] out = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            Tensor x = inputs[i];
            if (x == null) {
                continue;
            }
            Tensor d = x.detach().to(DEV);
            assertEquals(DEV, d.device());
            if (x.requiresGrad()) {
                d.requiresGrad(true).sparseGradients(x.sparseGradients());
            }
            out[i] = d;
        }
        return out;
    }

    private static double[] hostValues(Tensor t) {
        return t.device().isHost() ? t.toDoubleArray() : t.to(Device.CPU).toDoubleArray();
    }

    /** The dense gradient of a leaf (a host table's row-sparse one densified: on a device they are dense). */
    private static double[] gradient(Tensor leaf) {
        if (leaf.grad() != null) {
            return hostValues(leaf.grad());
        }
        assertNotNull(leaf.sparseGrad(), "no gradient reached " + leaf.describe());
        return leaf.sparseGrad().toDense().toDoubleArray();
    }

    @TestFactory
    List<DynamicTest> everyGradientCaseGivesTheHostValuesAndGradientsOnTheDevice() {
        List<DynamicTest> tests = new ArrayList<>();
        for (GradientCases.Case c : GradientCases.all(SEED)) {
            tests.add(DynamicTest.dynamicTest(c.name(), () -> {
                try (var ref = Backends.use("reference"); Scope s = Scope.open(c.name())) {
                    Tensor[] host = c.inputs();
                    for (Tensor x : host) {
                        if (x != null && x.requiresGrad()) {
                            x.setGrad(null);
                            x.setSparseGrad(null);
                        }
                    }
                    Tensor yHost = c.f().apply(host);
                    Tensor w = Tensor.uniform(new SplittableRandom(SEED), -1, 1, yHost.shape()).to(yHost.dtype());
                    Reductions.sum(Elementwise.mul(yHost, w)).backward();

                    Tensor[] dev = onDevice(host);
                    long kernelsBefore = emu.kernelCalls();
                    Tensor yDev = c.f().apply(dev);
                    boolean endsOnHost = c.name().equals("to device and back");
                    assertEquals(endsOnHost ? Device.CPU : DEV, yDev.device(), c.name() + ": output device");
                    Reductions.sum(Elementwise.mul(yDev, endsOnHost ? w : w.to(DEV))).backward();
                    assertTrue(emu.kernelCalls() > kernelsBefore, c.name() + ": no kernel ran on the device");

                    String note = " (seed " + SEED + ", rerun with -Dpanrec.test.seed=" + SEED + ")";
                    assertArrayEquals(yHost.toDoubleArray(), hostValues(yDev), 1e-12, c.name() + ": forward" + note);
                    for (int i = 0; i < host.length; i++) {
                        if (host[i] != null && host[i].requiresGrad()) {
                            assertEquals(DEV, dev[i].grad().device(), c.name() + ": gradient " + i + " left the device");
                            assertArrayEquals(gradient(host[i]), gradient(dev[i]), 1e-12, c.name() + ": gradient of input " + i + note);
                        }
                    }
                }
            }));
        }
        return tests;
    }

    @Test
    void deviceTensorsAreNeverReadFromJava() {
        Tensor d = Tensor.of(new float[] {1, 2, 3}).to(DEV);
        assertThrows(IllegalStateException.class, () -> d.get(0));
        assertThrows(IllegalStateException.class, d::toFloatArray);
        assertThrows(IllegalStateException.class, () -> d.set(1, 0));
        assertArrayEquals(new float[] {1, 2, 3}, d.to(Device.CPU).toFloatArray());
        assertSame(d, d.to(DEV), "to() the tensor's own device is no copy");
    }

    @Test
    void mixedDevicesAreAnErrorNamingBothAndTheFix() {
        Tensor h = Tensor.ones(2, 3);
        Tensor d = Tensor.ones(2, 3).to(DEV);
        Tensor image = Tensor.ones(1, 1, 3, 3).to(DEV);
        long transfers = emu.transfers();
        long kernels = emu.kernelCalls();
        for (Runnable r : List.<Runnable>of(() -> Elementwise.add(h, d), () -> Elementwise.mul(d, h),
                () -> Linalg.matmul(d, h.t()), () -> Shapes.concat(0, d, h),
                () -> Indexing.gatherRows(d, Tensor.ofLongs(new long[] {1, 0}, 2)),
                () -> Losses.softmaxCrossEntropy(d, Tensor.ofLongs(new long[] {1, 2}, 2)),
                () -> Convolution.conv2d(image, Tensor.ones(1, 1, 2, 2), null, ConvSpec.of(1, 0)))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
            assertTrue(e.getMessage().contains("cpu") && e.getMessage().contains(DEV.toString())
                    && e.getMessage().contains(".to(device)"), e.getMessage());
        }
        assertEquals(transfers, emu.transfers(), "a mixed call copied data between host and device");
        assertEquals(kernels, emu.kernelCalls(), "a mixed call ran a kernel");
    }

    @Test
    void aKernelTheDeviceLacksIsItsErrorNotAHostRoundTrip() {
        Tensor x = Tensor.ones(1, 2, 4, 4).to(DEV);
        Tensor w = Tensor.ones(3, 2, 3, 3).to(DEV);
        long transfers = emu.transfers();
        try (var lacking = emu.lack("conv2d")) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> Convolution.conv2d(x, w, null, ConvSpec.of(1, 1)));
            assertTrue(e.getMessage().contains(EmulatedDevice.NAME) && e.getMessage().contains("conv2d"), e.getMessage());
        }
        assertEquals(transfers, emu.transfers(), "the op fell back to the host");
        assertEquals(DEV, Convolution.conv2d(x, w, null, ConvSpec.of(1, 1)).device());
    }

    @Test
    void indicesOnTheDeviceAreCheckedBeforeAnyKernel() {
        Tensor table = Tensor.ones(4, 3).to(DEV);
        Tensor bad = Tensor.ofLongs(new long[] {1, 4}, 2).to(DEV);
        long kernels = emu.kernelCalls();
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> Indexing.gatherRows(table, bad));
        assertTrue(e.getMessage().contains("index 4") && e.getMessage().contains("[0, 4)"), e.getMessage());
        assertEquals(kernels, emu.kernelCalls(), "a kernel ran with an index outside the table");
        assertEquals(DEV, Indexing.gatherRows(table, Tensor.ofLongs(new long[] {3, 0}, 2).to(DEV)).device());
    }

    @Test
    void factoriesAndFillFollowTheDevice() {
        Tensor like = Tensor.zeros(DEV, DType.F32, 2, 3);
        assertEquals(DEV, Tensor.onesLike(like).device());
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1}, Tensor.onesLike(like).to(Device.CPU).toFloatArray());
        assertArrayEquals(new float[] {7, 7, 7, 7, 7, 7}, like.fill(7).to(Device.CPU).toFloatArray());
        assertEquals(DEV, Elementwise.add(like, 1f).device(), "a scalar constant is made on the device");
        Tensor f64 = like.to(DType.F64);
        assertEquals(DEV, f64.device(), "a cast stays on the device");
        assertArrayEquals(new double[] {7, 7, 7, 7, 7, 7}, f64.to(Device.CPU).toDoubleArray());
    }

    @Test
    void aDeviceNoBackendRunsOnIsAnErrorListingWhatWasTried() {
        Device nowhere = Device.cuda(5);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Tensor.zeros(nowhere, DType.F32, 2));
        assertTrue(e.getMessage().contains("no panrec backend runs on cuda:5") && e.getMessage().contains(EmulatedDevice.NAME),
                e.getMessage());
    }

    @Test
    void hostOpsNeverAskTheDeviceBackend() {
        long kernels = emu.kernelCalls();
        Tensor a = Tensor.ones(3, 4);
        Tensor y = Reductions.sum(Elementwise.relu(Linalg.matmul(a, a.t())));
        assertEquals(Device.CPU, y.device());
        assertEquals(kernels, emu.kernelCalls());
    }
}
