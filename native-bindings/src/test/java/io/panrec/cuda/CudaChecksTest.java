package io.panrec.cuda;

import io.panrec.tensor.DType;
import io.panrec.tensor.Device;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the cuda backend refuses before any native call, on "device" tensors that are host memory tagged
 * cuda:N (never dereferenced by these checks), so no GPU is needed.
 */
class CudaChecksTest {

    static Tensor onGpu(int device, DType dtype, int... shape) {
        Tensor host = Tensor.zeros(dtype, shape);
        return Tensor.onDevice(host.segment(), host.scope(), Device.cuda(device), dtype, shape);
    }

    @Test
    void allHostGoesToTheHostAllDeviceToTheGpuAndMixingIsRefusedWithTheFix() {
        Tensor h = Tensor.zeros(2, 3);
        Tensor d = onGpu(0, DType.F32, 2, 3);
        assertEquals(CudaChecks.Route.HOST, CudaChecks.route("binary ADD", 0, h, h, null, h));
        assertEquals(CudaChecks.Route.DEVICE, CudaChecks.route("binary ADD", 0, d, null, d));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CudaChecks.route("matmul", 0, h, d, d));
        assertTrue(e.getMessage().contains("cuda matmul") && e.getMessage().contains("f32[2, 3] cpu")
                && e.getMessage().contains("f32[2, 3] cuda:0") && e.getMessage().contains("CudaTensors.toDevice"), e.getMessage());
        // another GPU is "elsewhere" too
        Tensor other = onGpu(1, DType.F32, 2, 3);
        e = assertThrows(IllegalArgumentException.class, () -> CudaChecks.route("copy", 0, d, other));
        assertTrue(e.getMessage().contains("cuda:1"), e.getMessage());
        assertThrows(NullPointerException.class, () -> CudaChecks.route("fill", 0, (Tensor) null));
    }

    @Test
    void aTensorOfAClosedScopeIsRefusedBeforeItsFreedMemoryIsTouched() {
        Tensor d;
        try (Scope s = Scope.open("short")) {
            d = onGpu(0, DType.F32, 4);
        }
        Tensor dead = d;
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> CudaChecks.route("unary TANH", 0, dead, dead));
        assertTrue(e.getMessage().contains("/short'") && e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void computeOnOtherDtypesIsAnUnsupportedOperationNamingTheOp() {
        Tensor d = onGpu(0, DType.F64, 3);
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> CudaChecks.f32("unary EXP", onGpu(0, DType.F32, 3), d));
        assertTrue(e.getMessage().contains("cuda unary EXP on f64[3] cuda:0") && e.getMessage().contains("F32 only"), e.getMessage());
        CudaChecks.f32("ok", onGpu(0, DType.F32, 3), null);
    }

    @Test
    void shapesAxesReductionsAndOutputs() {
        Tensor x = onGpu(0, DType.F32, 3, 4);
        assertThrows(IllegalArgumentException.class, () -> CudaChecks.sameShape("binary", x, onGpu(0, DType.F32, 4, 3)));
        assertEquals(1, CudaChecks.axis("softmax", -1, 2));
        assertThrows(IllegalArgumentException.class, () -> CudaChecks.axis("softmax", 2, 2));
        CudaChecks.reduceShapes("reduce", x, onGpu(0, DType.F32, 1, 4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CudaChecks.reduceShapes("reduce SUM", x, onGpu(0, DType.F32, 2, 4)));
        assertTrue(e.getMessage().contains("axis 0 must be 1 or 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CudaChecks.reduceShapes("reduce", x, onGpu(0, DType.F32, 4)));
        Tensor broadcast = onGpu(0, DType.F32, 1, 4).view(new int[] {3, 4}, new long[] {0, 1}, 0);
        e = assertThrows(IllegalArgumentException.class, () -> CudaChecks.writable("copy", broadcast));
        assertTrue(e.getMessage().contains("broadcast view"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CudaChecks.indices("gatherRows", onGpu(0, DType.F32, 3)));
        CudaChecks.indices("gatherRows", onGpu(0, DType.I32, 3));
        e = assertThrows(IllegalArgumentException.class, () -> CudaChecks.shape("conv2d", "out", x, 3, 5));
        assertTrue(e.getMessage().contains("out must have shape [3, 5]"), e.getMessage());
    }
}
