package io.panrec.cuda;

import io.panrec.backend.Backends;
import io.panrec.tensor.DType;
import io.panrec.tensor.Device;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Shape;
import io.panrec.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static io.panrec.cuda.raw.cuda_runtime_h.cudaMemcpyHostToDevice;

/**
 * Tensors in GPU memory, and the explicit copies between host and device. Device memory belongs to a
 * {@link Scope} like host memory: it is freed when the scope closes (or, in the global scope, when the tensor
 * becomes unreachable), and a tensor used after its scope closed throws {@link IllegalStateException}. Nothing
 * here or in {@link CudaBackend} copies between host and device unless asked. {@code Tensor.to(device)} and
 * {@code Module.to(device)} (the ops layer's way to move data) copy through these methods
 * ({@link CudaBackend#transfer}), and ops allocate their outputs on the GPU through {@link CudaBackend#empty}.
 *
 * <pre>{@code
 * try (Scope s = Scope.open("gpu step")) {
 *     Tensor x = CudaTensors.toDevice(batch);          // host -> cuda:0
 *     ...kernels of the cuda backend on device tensors...
 *     float[] scores = CudaTensors.toHost(y).toFloatArray();
 * }                                                     // the device memory is freed here
 * }</pre>
 */
public final class CudaTensors {
    private CudaTensors() {
    }

    /** The device {@code -Dpanrec.cuda.device} names (default cuda:0). */
    public static Device defaultDevice() {
        return Device.cuda(Integer.getInteger(CudaLibraries.DEVICE_PROPERTY, 0));
    }

    private static CudaDevice device(Device d) {
        if (d.kind() != Device.Kind.CUDA) {
            throw new IllegalArgumentException("expected a CUDA device, got " + d);
        }
        return CudaDevice.get(d.index());
    }

    /**
     * A contiguous tensor of zeros on {@code device}, owned by {@code scope}.
     *
     * @throws CudaOutOfMemoryException when the GPU has no room, naming the request and what is free
     */
    public static Tensor zeros(Scope scope, Device device, DType dtype, int... shape) {
        CudaDevice dev = device(device);
        Tensor t = allocate(scope, dev, dtype, Shape.check(shape));
        dev.memsetZero(t.dataSegment().address(), t.numel() * dtype.byteSize());
        return t;
    }

    /** {@link #zeros(Scope, Device, DType, int...)} in the current scope. */
    public static Tensor zeros(Device device, DType dtype, int... shape) {
        return zeros(Scope.current(), device, dtype, shape);
    }

    /** Uninitialised device memory for a tensor (its contents are whatever the allocator returns). */
    static Tensor allocate(Scope scope, CudaDevice dev, DType dtype, int[] shape) {
        long bytes = Shape.numel(shape) * dtype.byteSize();
        scope.checkAlive("allocate " + dtype + Shape.format(shape) + " on cuda:" + dev.index);
        long size = Math.max(bytes, 1);
        long ptr = dev.allocate(size);
        MemorySegment seg;
        try {
            // the scope's arena runs the free when it closes; the global scope has none, so an automatic arena per
            // tensor lets the garbage collector free it once the tensor is unreachable, as host tensors are
            Arena arena = scope.arenaOrNull() != null ? scope.arenaOrNull() : Arena.ofAuto();
            seg = MemorySegment.ofAddress(ptr).reinterpret(size, arena, s -> dev.release(ptr, size));
        } catch (IllegalStateException e) {
            dev.release(ptr, size);
            throw new IllegalStateException("scope '" + scope.path() + "' was closed while allocating on cuda:" + dev.index, e);
        }
        return Tensor.onDevice(seg, scope, Device.cuda(dev.index), dtype, shape);
    }

    /** A copy of a host tensor on the default device, in the current scope. */
    public static Tensor toDevice(Tensor host) {
        return toDevice(host, defaultDevice(), Scope.current());
    }

    /** A contiguous copy of a host tensor on {@code device}, owned by {@code scope}. */
    public static Tensor toDevice(Tensor host, Device device, Scope scope) {
        alive("toDevice", host);
        if (!host.device().isHost()) {
            throw new IllegalArgumentException("toDevice: " + host.describe() + " is already on " + host.device()
                    + " (use copy() on the device, or toHost first)");
        }
        CudaDevice dev = device(device);
        Tensor out = allocate(scope, dev, host.dtype(), host.shape());
        copyFromHost(host, out);
        return out;
    }

    /** A copy of a device tensor in host memory, in the current scope. */
    public static Tensor toHost(Tensor deviceTensor) {
        return toHost(deviceTensor, Scope.current());
    }

    /** A contiguous copy of a device tensor in host memory owned by {@code scope}; waits for the GPU. */
    public static Tensor toHost(Tensor deviceTensor, Scope scope) {
        alive("toHost", deviceTensor);
        if (deviceTensor.device().isHost()) {
            throw new IllegalArgumentException("toHost: " + deviceTensor.describe() + " is already in host memory");
        }
        Tensor out = Tensor.zeros(scope, deviceTensor.dtype(), deviceTensor.shape());
        copyToHost(deviceTensor, out);
        return out;
    }

    /** {@code t} on {@code target}: itself if it is there already, else a copy in the current scope. */
    public static Tensor to(Tensor t, Device target) {
        if (t.device().equals(target)) {
            return t;
        }
        if (target.isHost()) {
            return toHost(t);
        }
        if (t.device().isHost()) {
            return toDevice(t, target, Scope.current());
        }
        // between GPUs: through the host, said plainly rather than hidden in a kernel
        return toDevice(toHost(t), target, Scope.current());
    }

    /** Copies a host tensor into a device tensor of the same shape and dtype (either may be strided). */
    public static void copyFromHost(Tensor host, Tensor deviceTensor) {
        alive("copyFromHost", host);
        alive("copyFromHost", deviceTensor);
        sameShapeAndType("copyFromHost", host, deviceTensor);
        if (!host.device().isHost() || deviceTensor.device().isHost()) {
            throw new IllegalArgumentException("copyFromHost: needs a host source and a device target, got "
                    + host.device() + " -> " + deviceTensor.device());
        }
        CudaDevice dev = device(deviceTensor.device());
        long bytes = host.numel() * host.dtype().byteSize();
        if (bytes == 0) {
            return;
        }
        dev.enter();
        // shared: the host backend may copy with several threads
        try (Arena a = Arena.ofShared()) {
            MemorySegment src;
            if (host.isContiguous()) {
                src = host.dataSegment();
            } else {
                src = a.allocate(bytes, 64);
                Tensor packed = Tensor.wrap(src, host.scope(), host.dtype(), host.shape());
                Backends.bestPureJava().copy(host, packed);
            }
            if (deviceTensor.isContiguous()) {
                Cuda.copyAsync(deviceTensor.dataSegment().address(), src.address(), bytes, cudaMemcpyHostToDevice, dev.stream);
            } else {
                long tmp = dev.allocTemp(bytes);
                try {
                    Cuda.copyAsync(tmp, src.address(), bytes, cudaMemcpyHostToDevice, dev.stream);
                    dev.kernels().copy(temp(tmp, deviceTensor), deviceTensor);
                } finally {
                    dev.freeTemp(tmp);
                }
            }
            // a pageable source is staged before cudaMemcpyAsync returns, but a pinned one would not be: wait, so
            // that the caller may reuse or free the host memory at once
            dev.stream.synchronize();
        }
    }

    /** Copies a device tensor into a host tensor of the same shape and dtype; waits for the GPU. */
    public static void copyToHost(Tensor deviceTensor, Tensor host) {
        alive("copyToHost", host);
        alive("copyToHost", deviceTensor);
        sameShapeAndType("copyToHost", deviceTensor, host);
        if (!host.device().isHost() || deviceTensor.device().isHost()) {
            throw new IllegalArgumentException("copyToHost: needs a device source and a host target, got "
                    + deviceTensor.device() + " -> " + host.device());
        }
        CudaDevice dev = device(deviceTensor.device());
        long bytes = host.numel() * host.dtype().byteSize();
        if (bytes == 0) {
            return;
        }
        dev.enter();
        long tmp = 0;
        try (Arena a = Arena.ofShared()) {
            long src = deviceTensor.dataSegment().address();
            if (!deviceTensor.isContiguous()) {
                tmp = dev.allocTemp(bytes);
                dev.kernels().copy(deviceTensor, temp(tmp, deviceTensor));
                src = tmp;
            }
            if (host.isContiguous()) {
                dev.toHost(src, host.dataSegment(), bytes);
            } else {
                MemorySegment staged = a.allocate(bytes, 64);
                dev.toHost(src, staged, bytes);
                Backends.bestPureJava().copy(Tensor.wrap(staged, host.scope(), host.dtype(), host.shape()), host);
            }
        } finally {
            if (tmp != 0) {
                dev.freeTemp(tmp);
            }
        }
    }

    /** Bytes of tensors panrec holds on {@code device}. */
    public static long liveBytes(Device device) {
        return device(device).liveBytes();
    }

    /** Waits until every queued operation of {@code device} has finished; errors of earlier kernels surface here. */
    public static void synchronize(Device device) {
        CudaDevice dev = device(device);
        dev.enter();
        dev.stream.synchronize();
    }

    /** A contiguous device tensor over temporary memory, shaped like {@code like}. */
    static Tensor temp(long address, Tensor like) {
        long bytes = Math.max(like.numel() * like.dtype().byteSize(), 1);
        return Tensor.onDevice(MemorySegment.ofAddress(address).reinterpret(bytes), like.scope(), like.device(), like.dtype(),
                like.shape());
    }

    private static void alive(String op, Tensor t) {
        if (t == null) {
            throw new NullPointerException(op + ": tensor is null");
        }
        if (!t.isAlive()) {
            throw new IllegalStateException(op + ": tensor " + t.describe() + " belongs to scope '" + t.scope().path()
                    + "', which is closed; keep tensors you need in a longer-lived scope");
        }
    }

    private static void sameShapeAndType(String op, Tensor a, Tensor b) {
        if (!a.sameShape(b) || a.dtype() != b.dtype()) {
            throw new IllegalArgumentException(op + ": " + a.describe() + " and " + b.describe()
                    + " differ in shape or dtype (convert the dtype on one side first)");
        }
    }
}
