package io.panrec.cuda;

import io.panrec.backend.Backend;
import io.panrec.backend.Backends;
import io.panrec.backend.BinaryOp;
import io.panrec.backend.ConvSpec;
import io.panrec.backend.ReduceOp;
import io.panrec.backend.UnaryOp;
import io.panrec.tensor.DType;
import io.panrec.tensor.Device;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import io.panrec.testing.BackendConformance;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The GPU backend on a GPU (run with {@code ./mvnw verify -Pgpu}; skipped with the reasons elsewhere): every
 * kernel of the conformance suite and every gradient case against the reference, through {@link GpuRoundTrip}
 * (host inputs copied to the device with their views, outputs copied back); then what is the device's own:
 * cuDNN activations on packed tensors, memory freed with its scope, out-of-memory and other errors, mixed
 * devices refused, threads.
 */
@NeedsGpu
class CudaBackendIT extends BackendConformance {

    @Override
    protected Backend candidate() {
        assumeTrue(CudaLibraries.availability().available(), "no usable GPU: " + CudaLibraries.availability());
        return GpuRoundTrip.get();
    }

    private CudaBackend gpu() {
        return ((GpuRoundTrip) cand).gpu();
    }

    private Tensor dev(Tensor host) {
        return CudaTensors.toDevice(host, gpu().device(), Scope.current());
    }

    private static Tensor host(Tensor d) {
        return CudaTensors.toHost(d);
    }

    @Test
    void isTheDefaultWhereAGpuIsAndReportsWhatItRuns() {
        assertEquals("cuda", Backends.defaultBackend().name(), "rank 300 beats onednn when a GPU is present");
        CudaLibraries.Info info = CudaLibraries.info();
        assertTrue(info.runtimeVersion() >= 12000 && info.cudnnVersion() >= 90000 && !info.deviceName().isEmpty(), info.toString());
        Tensor x = dev(rand.f32(3, 4));
        gpu().unary(UnaryOp.EXP, 0, x, x); // an NVRTC kernel: compiles them
        assertTrue(gpu().kernelImage().startsWith("sm_") || gpu().kernelImage().startsWith("compute_"), gpu().kernelImage());
        System.out.println("cuda backend: " + gpu() + ", kernels " + gpu().kernelImage());
    }

    @Test
    void cudnnActivationsOnPackedTensors() {
        for (UnaryOp op : new UnaryOp[] {UnaryOp.RELU, UnaryOp.SIGMOID, UnaryOp.TANH}) {
            Tensor x = rand.f32(33, 7).mul(3f);
            Tensor y0 = like(x);
            ref.unary(op, 0, x, y0);
            Tensor dy = dev(like(x));
            gpu().unary(op, 0, dev(x), dy);
            rand.assertClose(op + " (cuDNN)", y0, host(dy), 1);
            Tensor g = rand.f32(33, 7);
            Tensor gi0 = like(x);
            ref.unaryBackward(op, 0, x, y0, g, gi0);
            Tensor dgi = dev(like(x));
            gpu().unaryBackward(op, 0, dev(x), dev(y0), dev(g), dgi);
            rand.assertClose(op + " backward (cuDNN)", gi0, host(dgi), 1);
        }
    }

    @Test
    void deviceTensorsFollowTheirScopeAndCopiesKeepViews() {
        long before = CudaTensors.liveBytes(gpu().device());
        Tensor kept;
        try (Scope s = Scope.open("gpu tensors")) {
            Tensor a = CudaTensors.zeros(gpu().device(), DType.F32, 256, 1024);
            assertEquals(before + 256 * 1024 * 4, CudaTensors.liveBytes(gpu().device()));
            assertArrayEquals(new float[256 * 1024], host(a).toFloatArray());
            Tensor h = rand.f32(5, 7);
            Tensor t = h.t(); // strided on the host
            Tensor d = CudaTensors.toDevice(t, gpu().device(), s);
            assertTrue(d.isContiguous());
            assertArrayEquals(t.contiguous().toFloatArray(), host(d).toFloatArray());
            Tensor back = Tensor.zeros(5, 7).t();
            CudaTensors.copyToHost(d, back); // into a strided host view
            assertArrayEquals(t.contiguous().toFloatArray(), back.contiguous().toFloatArray());
            assertEquals(Device.cuda(gpu().device().index()), d.device());
            assertThrows(IllegalStateException.class, () -> a.get(0, 0), "device memory is never read from Java");
            kept = a;
        }
        CudaTensors.synchronize(gpu().device());
        assertEquals(before, CudaTensors.liveBytes(gpu().device()));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> gpu().fill(kept, 1));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void outOfMemorySaysWhatWasAskedAndWhatIsFree() {
        Cuda.setDevice(gpu().device().index());
        long total = Cuda.memInfo().total();
        int rows = (int) (total / 4 / 1024 + (1 << 18)); // rows of 4 KiB: the whole GPU and 1 GiB more
        CudaOutOfMemoryException e = assertThrows(CudaOutOfMemoryException.class,
                () -> CudaTensors.zeros(gpu().device(), DType.F32, rows, 1024));
        assertEquals(rows * 4096L, e.requested());
        assertTrue(e.free() > 0 && e.total() == total && e.free() < e.requested(), e.getMessage());
        assertTrue(e.getMessage().contains("requested " + rows * 4096L + " bytes"), e.getMessage());
        // the device is still usable afterwards
        Tensor x = dev(rand.f32(4));
        gpu().unary(UnaryOp.NEG, 0, x, x);
        assertEquals(4, host(x).numel());
    }

    @Test
    void mixedDevicesUnsupportedDtypesAndBadIndicesAreClearErrors() {
        Tensor d = dev(rand.f32(3, 4));
        Tensor h = rand.f32(3, 4);
        IllegalArgumentException mixed = assertThrows(IllegalArgumentException.class,
                () -> gpu().binary(BinaryOp.ADD, d, h, d));
        assertTrue(mixed.getMessage().contains("CudaTensors.toDevice"), mixed.getMessage());
        Tensor d64 = CudaTensors.zeros(gpu().device(), DType.F64, 3, 4);
        UnsupportedOperationException u = assertThrows(UnsupportedOperationException.class,
                () -> gpu().unary(UnaryOp.EXP, 0, d64, d64));
        assertTrue(u.getMessage().contains("unary EXP") && u.getMessage().contains("F32 only"), u.getMessage());
        // copy and fill take every dtype
        gpu().fill(d64, 1.5);
        gpu().copy(d64, d);
        assertArrayEquals(Tensor.full(1.5f, 3, 4).toFloatArray(), host(d).toFloatArray());
        Tensor ids = dev(Tensor.ofLongs(new long[] {0, 7}, 2));
        IndexOutOfBoundsException oob = assertThrows(IndexOutOfBoundsException.class,
                () -> gpu().gatherRows(d, ids, dev(Tensor.zeros(2, 4))));
        assertTrue(oob.getMessage().contains("index 7 at position 1"), oob.getMessage());
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> gpu().matmul(dev(rand.f32(1, 3, 4)), dev(rand.f32(1, 5, 2)), dev(Tensor.zeros(1, 3, 2)), 1, 0));
        assertTrue(shape.getMessage().contains("cuda matmul: b must have shape [1, 4, 2]"), shape.getMessage());
        // after all that the stream is healthy
        gpu().reduce(ReduceOp.SUM, d, dev(Tensor.zeros(1, 1)));
        CudaTensors.synchronize(gpu().device());
    }

    @Test
    void hostTensorsRunOnTheCpuBackendThroughTheSameObject() {
        Tensor a = rand.f32(1, 6, 5);
        Tensor b = rand.f32(1, 5, 4);
        Tensor c0 = Tensor.zeros(1, 6, 4);
        Tensor c1 = Tensor.zeros(1, 6, 4);
        ref.matmul(a, b, c0, 1, 0);
        gpu().matmul(a, b, c1, 1, 0);
        rand.assertClose("host matmul through the cuda backend", c0, c1, 5);
        assertEquals(Device.Kind.CPU, gpu().host().deviceKind());
    }

    @Test
    void convolutionAlgorithmsAreChosenOncePerShape() {
        ConvSpec s = ConvSpec.of(1, 1);
        Tensor x = dev(rand.f32(2, 3, 13, 11));
        Tensor w = dev(rand.f32(5, 3, 3, 3));
        Tensor y = dev(Tensor.zeros(2, 5, 13, 11));
        gpu().conv2d(x, w, null, y, s);
        int cached = gpu().algorithmsCached();
        for (int i = 0; i < 3; i++) {
            gpu().conv2d(x, w, null, y, s);
        }
        assertEquals(cached, gpu().algorithmsCached());
    }

    @Test
    void manyThreadsAtOnceWithDistinctOutputs() throws Exception {
        Tensor a = dev(rand.f32(1, 64, 48));
        Tensor b = dev(rand.f32(1, 48, 32));
        Tensor expected = Tensor.zeros(1, 64, 32);
        ref.matmul(host(a), host(b), expected, 1, 0);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<float[]>> results = new ArrayList<>();
            for (int t = 0; t < 32; t++) {
                results.add(pool.submit(() -> {
                    try (Scope s = Scope.open("thread")) {
                        Tensor c = CudaTensors.zeros(gpu().device(), DType.F32, 1, 64, 32);
                        gpu().matmul(a, b, c, 1, 0);
                        Tensor r = dev(Tensor.zeros(1, 64, 32));
                        gpu().unary(UnaryOp.TANH, 0, c, r);
                        gpu().unary(UnaryOp.NEG, 0, r, r);
                        return CudaTensors.toHost(c).toFloatArray();
                    }
                }));
            }
            for (Future<float[]> f : results) {
                rand.assertClose("matmul on a pool thread", expected, Tensor.of(f.get(), 1, 64, 32), 48);
            }
        } finally {
            pool.shutdown();
        }
        assertSame(gpu(), ((GpuRoundTrip) Backends.named(GpuRoundTrip.NAME)).gpu());
    }
}
