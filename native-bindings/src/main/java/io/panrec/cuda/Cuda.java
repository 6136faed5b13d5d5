package io.panrec.cuda;

import io.panrec.cuda.CudaLibraries.Library;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.panrec.cuda.raw.cuda_runtime_h.*;

/**
 * The safe layer over {@link io.panrec.cuda.raw.cuda_runtime_h}: every status checked through
 * {@link #check}, which adds {@code cudaGetErrorString}; AutoCloseable handles for device memory, streams,
 * events and loaded kernel libraries, each released exactly once.
 *
 * <p>Device pointers are carried as {@code long} addresses or as zero-length segments; they are never
 * dereferenced from Java.
 */
public final class Cuda {
    private Cuda() {
    }

    // ------------------------------------------------------------------ errors

    /** Throws a {@link CudaException} with the runtime's text when {@code rc} is not cudaSuccess. */
    public static void check(int rc, String function) {
        check(rc, function, null);
    }

    public static void check(int rc, String function, String detail) {
        if (rc != cudaSuccess) {
            // the error is also recorded as the thread's last error: clear it so the next call does not see it
            clearLastError();
            throw new CudaException(Library.CUDART, function, rc, errorString(rc), detail);
        }
    }

    /** The runtime's text for an error code ("out of memory"), or null if the runtime cannot say. */
    public static String errorString(int rc) {
        try {
            return cString(cudaGetErrorString(rc));
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    private static void clearLastError() {
        try {
            int ignored = cudaGetLastError();
        } catch (RuntimeException | LinkageError e) {
            // nothing to clear without a runtime
        }
    }

    /** A NUL-terminated string returned by a C function (static storage: read, never freed). */
    static String cString(MemorySegment p) {
        if (p == null || p.equals(MemorySegment.NULL)) {
            return null;
        }
        return p.reinterpret(1 << 16).getString(0);
    }

    // ------------------------------------------------------------------ devices

    public static int deviceCount() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment n = a.allocate(C_INT);
            check(cudaGetDeviceCount(n), "cudaGetDeviceCount");
            return n.get(C_INT, 0);
        }
    }

    /** Makes {@code device} current for the calling thread (the runtime keeps one per thread). */
    public static void setDevice(int device) {
        check(cudaSetDevice(device), "cudaSetDevice", "device " + device);
    }

    public static int attribute(int attr, int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(C_INT);
            check(cudaDeviceGetAttribute(v, attr, device), "cudaDeviceGetAttribute", "attribute " + attr);
            return v.get(C_INT, 0);
        }
    }

    /** Free and total bytes of the current device. */
    public record MemInfo(long free, long total) {
    }

    public static MemInfo memInfo() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment f = a.allocate(C_LONG);
            MemorySegment t = a.allocate(C_LONG);
            check(cudaMemGetInfo(f, t), "cudaMemGetInfo");
            return new MemInfo(f.get(C_LONG, 0), t.get(C_LONG, 0));
        }
    }

    public static void deviceSynchronize() {
        check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
    }

    // ------------------------------------------------------------------ memory

    /**
     * Allocates {@code bytes} on the current device: stream-ordered ({@code cudaMallocAsync}) when a stream is
     * given, else {@code cudaMalloc}. Out of memory becomes a {@link CudaOutOfMemoryException} naming the
     * request and what the device has free.
     */
    public static long malloc(long bytes, Stream stream, int device, long panrecLive) {
        if (bytes < 0) {
            throw new IllegalArgumentException("cannot allocate " + bytes + " bytes");
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(C_POINTER);
            long size = Math.max(bytes, 1);
            String fn = stream != null ? "cudaMallocAsync" : "cudaMalloc";
            int rc = stream != null ? cudaMallocAsync(out, size, stream.handle()) : cudaMalloc(out, size);
            if (rc == cudaErrorMemoryAllocation) {
                clearLastError();
                MemInfo m;
                try {
                    m = memInfo();
                } catch (CudaException e) {
                    m = new MemInfo(-1, -1);
                }
                throw new CudaOutOfMemoryException(fn, rc, errorString(rc), size, m.free(), m.total(), panrecLive, device);
            }
            check(rc, fn, bytes + " bytes on cuda:" + device);
            return out.get(C_POINTER, 0).address();
        }
    }

    /** Frees what {@link #malloc} returned, on the same stream (or synchronously when it was null). */
    public static void free(long address, Stream stream) {
        if (stream != null) {
            check(cudaFreeAsync(MemorySegment.ofAddress(address), stream.handle()), "cudaFreeAsync");
        } else {
            check(cudaFree(MemorySegment.ofAddress(address)), "cudaFree");
        }
    }

    /** Device memory owned by this object; {@link #close()} frees it (stream-ordered when allocated so). */
    public static final class DeviceMemory implements AutoCloseable {
        private final long address;
        private final long bytes;
        private final Stream stream;
        private final AtomicBoolean closed = new AtomicBoolean();

        public DeviceMemory(long bytes, Stream stream, int device) {
            this.address = malloc(bytes, stream, device, -1);
            this.bytes = bytes;
            this.stream = stream;
        }

        public long address() {
            if (closed.get()) {
                throw new IllegalStateException("device memory of " + bytes + " bytes was freed");
            }
            return address;
        }

        public long bytes() {
            return bytes;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                free(address, stream);
            }
        }
    }

    /** Copies on {@code stream} (returns before the copy ends unless one side is pageable host memory). */
    public static void copyAsync(long dst, long src, long bytes, int kind, Stream stream) {
        if (bytes == 0) {
            return;
        }
        check(cudaMemcpyAsync(MemorySegment.ofAddress(dst), MemorySegment.ofAddress(src), bytes, kind, stream.handle()),
                "cudaMemcpyAsync", bytes + " bytes, kind " + kind);
    }

    public static void memsetAsync(long dst, int value, long bytes, Stream stream) {
        if (bytes == 0) {
            return;
        }
        check(cudaMemsetAsync(MemorySegment.ofAddress(dst), value, bytes, stream.handle()), "cudaMemsetAsync");
    }

    // ------------------------------------------------------------------ streams and events

    /** A non-blocking stream (it does not wait for the legacy default stream). */
    public static final class Stream implements AutoCloseable {
        private final MemorySegment handle;
        private final AtomicBoolean closed = new AtomicBoolean();

        public Stream() {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment out = a.allocate(C_POINTER);
                check(cudaStreamCreateWithFlags(out, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
                handle = out.get(C_POINTER, 0);
            }
        }

        public MemorySegment handle() {
            if (closed.get()) {
                throw new IllegalStateException("CUDA stream is closed");
            }
            return handle;
        }

        /** Waits until everything queued on this stream has run; errors of earlier kernels surface here. */
        public void synchronize() {
            check(cudaStreamSynchronize(handle()), "cudaStreamSynchronize");
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                cudaStreamDestroy(handle);
            }
        }
    }

    /** An event for timing and ordering. */
    public static final class Event implements AutoCloseable {
        private final MemorySegment handle;
        private final AtomicBoolean closed = new AtomicBoolean();

        public Event() {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment out = a.allocate(C_POINTER);
                check(cudaEventCreateWithFlags(out, cudaEventDefault), "cudaEventCreateWithFlags");
                handle = out.get(C_POINTER, 0);
            }
        }

        public MemorySegment handle() {
            if (closed.get()) {
                throw new IllegalStateException("CUDA event is closed");
            }
            return handle;
        }

        public void record(Stream stream) {
            check(cudaEventRecord(handle(), stream.handle()), "cudaEventRecord");
        }

        public void synchronize() {
            check(cudaEventSynchronize(handle()), "cudaEventSynchronize");
        }

        /** Milliseconds between {@code start} and this event, both recorded and this one completed. */
        public float millisSince(Event start) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment ms = a.allocate(C_FLOAT);
                check(cudaEventElapsedTime(ms, start.handle(), handle()), "cudaEventElapsedTime");
                return ms.get(C_FLOAT, 0);
            }
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                cudaEventDestroy(handle);
            }
        }
    }

    // ------------------------------------------------------------------ kernels compiled at run time

    /** A CUBIN or PTX image loaded with cudaLibraryLoadData; kernels are looked up by name. */
    public static final class KernelLibrary implements AutoCloseable {
        private final MemorySegment handle;
        private final AtomicBoolean closed = new AtomicBoolean();

        public KernelLibrary(byte[] image) {
            try (Arena a = Arena.ofConfined()) {
                // PTX must be NUL-terminated; a trailing zero does not hurt a CUBIN
                MemorySegment code = a.allocate(image.length + 1L, 16);
                MemorySegment.copy(image, 0, code, ValueLayout.JAVA_BYTE, 0, image.length);
                MemorySegment out = a.allocate(C_POINTER);
                check(cudaLibraryLoadData(out, code, MemorySegment.NULL, MemorySegment.NULL, 0, MemorySegment.NULL,
                        MemorySegment.NULL, 0), "cudaLibraryLoadData", "panrec's NVRTC-compiled kernels");
                handle = out.get(C_POINTER, 0);
            }
        }

        /** The cudaKernel_t of {@code name}, usable as the function of {@link #launch}. */
        public MemorySegment kernel(String name) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment out = a.allocate(C_POINTER);
                check(cudaLibraryGetKernel(out, handle(), a.allocateFrom(name)), "cudaLibraryGetKernel", name);
                return out.get(C_POINTER, 0);
            }
        }

        public MemorySegment handle() {
            if (closed.get()) {
                throw new IllegalStateException("kernel library is unloaded");
            }
            return handle;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                cudaLibraryUnload(handle);
            }
        }
    }

    /**
     * Launches {@code kernel} on a 1-D grid: {@code args} is the C array of pointers to each parameter's
     * value, as cudaLaunchKernel takes it.
     */
    public static void launch(MemorySegment kernel, int grid, int block, MemorySegment args, Stream stream, String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment g = a.allocate(dim3);
            g.set(C_INT, 0, grid);
            g.set(C_INT, 4, 1);
            g.set(C_INT, 8, 1);
            MemorySegment b = a.allocate(dim3);
            b.set(C_INT, 0, block);
            b.set(C_INT, 4, 1);
            b.set(C_INT, 8, 1);
            check(cudaLaunchKernel(kernel, g, b, args, 0, stream.handle()), "cudaLaunchKernel", name);
        }
    }
}
