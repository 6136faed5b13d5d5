package io.panrec.cuda;

import io.panrec.backend.Availability;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

import static io.panrec.cuda.raw.cuda_runtime_h.cudaDevAttrComputeCapabilityMajor;
import static io.panrec.cuda.raw.cuda_runtime_h.cudaDevAttrComputeCapabilityMinor;
import static io.panrec.cuda.raw.cuda_runtime_h.cudaDevAttrMemoryPoolsSupported;
import static io.panrec.cuda.raw.cuda_runtime_h.cudaMemcpyDeviceToHost;

/**
 * One GPU as panrec uses it, created once per device index: a single non-blocking stream on which every
 * copy, kernel, cuBLAS and cuDNN call of the device is queued (so work from one thread runs in order, and
 * memory freed on the stream is reused only after the work that read it), a pool of cuBLAS/cuDNN handle
 * pairs bound to that stream (a handle is used by one thread at a time), and the NVRTC-compiled kernels,
 * compiled on first use for this GPU's architecture.
 *
 * <p>The CUDA runtime keeps a current device per thread, so every entry point calls {@link #enter()}.
 */
final class CudaDevice implements DeviceOps {
    /** Lets FP32 matmuls and convolutions use TF32 tensor cores (off by default: results match the CPU backends). */
    static final String TF32_PROPERTY = "panrec.cuda.tf32";
    /** The most workspace one cuDNN call may use, in bytes. */
    static final String WORKSPACE_PROPERTY = "panrec.cuda.workspaceBytes";
    static final int BLOCK = 256;
    static final int MAX_GRID = 1 << 20;

    private static final System.Logger LOG = System.getLogger(CudaDevice.class.getName());
    private static final Map<Integer, CudaDevice> DEVICES = new ConcurrentHashMap<>();

    final int index;
    final boolean tf32 = Boolean.getBoolean(TF32_PROPERTY);
    final long maxWorkspace = Long.getLong(WORKSPACE_PROPERTY, 512L << 20);
    final Cuda.Stream stream;
    /** Stream-ordered allocation (cudaMallocAsync) when the device has memory pools, which all recent ones do. */
    private final boolean pools;
    private final CudaKernels kernels;
    private final AtomicLong liveBytes = new AtomicLong();
    private final ConcurrentLinkedDeque<Context> contexts = new ConcurrentLinkedDeque<>();
    private final Map<String, MemorySegment> kernelHandles = new ConcurrentHashMap<>();
    private volatile Cuda.KernelLibrary library;
    private volatile String kernelImage = "not compiled yet";

    private CudaDevice(int index) {
        this.index = index;
        Cuda.setDevice(index);
        this.stream = new Cuda.Stream();
        this.pools = Cuda.attribute(cudaDevAttrMemoryPoolsSupported, index) == 1;
        this.kernels = new CudaKernels(this);
    }

    /** The device, created on first use; throws with the reasons when CUDA is unavailable. */
    static CudaDevice get(int index) {
        CudaDevice d = DEVICES.get(index);
        if (d != null) {
            return d;
        }
        Availability a = CudaLibraries.availability();
        if (!a.available()) {
            throw new IllegalStateException("CUDA is not available: " + String.join("; ", a.reasons()));
        }
        int count = CudaLibraries.info().deviceCount();
        if (index < 0 || index >= count) {
            throw new IllegalArgumentException("cuda:" + index + " does not exist: this machine has " + count + " GPU(s)");
        }
        return DEVICES.computeIfAbsent(index, CudaDevice::new);
    }

    CudaKernels kernels() {
        return kernels;
    }

    /** Makes this device current for the calling thread. */
    void enter() {
        Cuda.setDevice(index);
    }

    @Override
    public int device() {
        return index;
    }

    /** Bytes of tensors panrec holds on this device. */
    long liveBytes() {
        return liveBytes.get();
    }

    /** "sm_90 CUBIN" or "compute_90 PTX" once the kernels are compiled. */
    String kernelImage() {
        return kernelImage;
    }

    // ------------------------------------------------------------------ tensor memory

    /** Memory for a tensor; {@link #release} gives it back. */
    long allocate(long bytes) {
        enter();
        long p = Cuda.malloc(bytes, pools ? stream : null, index, liveBytes.get());
        liveBytes.addAndGet(Math.max(bytes, 1));
        return p;
    }

    /**
     * Frees a tensor's memory; runs when its scope closes or (global scope) from the garbage collector's
     * cleaner thread, so it never throws: a failure (e.g. at JVM exit, after the runtime unloaded) is logged.
     */
    void release(long address, long bytes) {
        try {
            enter();
            Cuda.free(address, pools ? stream : null);
        } catch (RuntimeException | LinkageError e) {
            LOG.log(System.Logger.Level.DEBUG, "freeing " + bytes + " bytes on cuda:" + index + " failed: " + e);
        } finally {
            liveBytes.addAndGet(-Math.max(bytes, 1));
        }
    }

    // ------------------------------------------------------------------ DeviceOps for the kernels

    @Override
    public long allocTemp(long bytes) {
        enter();
        return Cuda.malloc(bytes, pools ? stream : null, index, liveBytes.get());
    }

    @Override
    public void freeTemp(long address) {
        enter();
        Cuda.free(address, pools ? stream : null);
    }

    @Override
    public void memsetZero(long address, long bytes) {
        enter();
        Cuda.memsetAsync(address, 0, bytes, stream);
    }

    @Override
    public void toHost(long src, MemorySegment dst, long bytes) {
        if (dst.byteSize() < bytes) {
            throw new IllegalArgumentException("copy of " + bytes + " bytes into a host buffer of " + dst.byteSize());
        }
        enter();
        Cuda.copyAsync(dst.address(), src, bytes, cudaMemcpyDeviceToHost, stream);
        stream.synchronize();
    }

    @Override
    public void launch(Kernel kernel, long work, Object... args) {
        kernel.checkArgs(args);
        if (work <= 0) {
            return;
        }
        enter();
        MemorySegment fn = kernelHandle(kernel.name());
        int grid = (int) Math.min(CudaKernels.ceilDiv(work, BLOCK), MAX_GRID);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment argv = a.allocate(ValueLayout.ADDRESS, args.length);
            for (int i = 0; i < args.length; i++) {
                MemorySegment slot = a.allocate(kernel.params().get(i));
                kernel.write(i, args[i], slot);
                argv.setAtIndex(ValueLayout.ADDRESS, i, slot);
            }
            Cuda.launch(fn, grid, BLOCK, argv, stream, kernel.name());
        }
    }

    private MemorySegment kernelHandle(String name) {
        MemorySegment h = kernelHandles.get(name);
        if (h != null) {
            return h;
        }
        synchronized (this) {
            if (library == null) {
                int major = Cuda.attribute(cudaDevAttrComputeCapabilityMajor, index);
                int minor = Cuda.attribute(cudaDevAttrComputeCapabilityMinor, index);
                long t0 = System.nanoTime();
                Nvrtc.Image image = Nvrtc.compile(CudaKernels.SOURCE, "panrec_kernels.cu", major, minor);
                library = new Cuda.KernelLibrary(image.bytes());
                kernelImage = image.arch() + (image.cubin() ? " CUBIN" : " PTX");
                LOG.log(System.Logger.Level.DEBUG, "compiled panrec's CUDA kernels for " + kernelImage + " in "
                        + (System.nanoTime() - t0) / 1_000_000 + " ms");
            }
            return kernelHandles.computeIfAbsent(name, library::kernel);
        }
    }

    // ------------------------------------------------------------------ handles

    /** A cuBLAS and a cuDNN handle on this device's stream, and a workspace; held by one thread at a time. */
    final class Context implements AutoCloseable {
        final Cublas.Handle cublas;
        final Cudnn.Handle cudnn;
        private Cuda.DeviceMemory workspace;

        private Context() {
            this.cublas = new Cublas.Handle(stream, tf32);
            this.cudnn = new Cudnn.Handle(stream);
        }

        /** Device memory of at least {@code bytes}, reused across calls (the stream orders its users). */
        long workspace(long bytes) {
            if (bytes == 0) {
                return 0;
            }
            if (workspace == null || workspace.bytes() < bytes) {
                if (workspace != null) {
                    workspace.close();
                }
                workspace = new Cuda.DeviceMemory(bytes, pools ? stream : null, index);
            }
            return workspace.address();
        }

        /** Returns the handles to the pool. */
        @Override
        public void close() {
            contexts.push(this);
        }
    }

    /** A context for the calling thread (after {@link #enter()}); close it to give it back. */
    Context acquire() {
        enter();
        Context c = contexts.poll();
        return c != null ? c : new Context();
    }
}
