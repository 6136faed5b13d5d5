package io.panrec.cuda.raw;

import io.panrec.cuda.CudaLibraries;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Raw bindings of the CUDA runtime API (libcudart, 12.0 or newer), in jextract's layout: for each function
 * {@code foo} a static {@code foo(...)} that invokes it, {@code foo$handle()} and {@code foo$descriptor()};
 * the constants of driver_types.h that panrec uses; the {@code dim3} layout. Handles are resolved lazily from
 * {@link CudaLibraries#lookup}, so a missing library or symbol is an {@link UnsatisfiedLinkError} naming it,
 * on first use.
 *
 * <p>Generated once from the prototypes of CUDA 13.0's cuda_runtime_api.h (the same in 12.x for every
 * function here) and not edited by hand; the constants were printed by a C program compiled against that
 * header. Checks live in the safe layer ({@code io.panrec.cuda.Cuda}).
 */
@SuppressWarnings({"unused", "checkstyle:MethodName"})
public final class cuda_runtime_h {
    private cuda_runtime_h() {
    }

    public static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    public static final ValueLayout.OfLong C_LONG = ValueLayout.JAVA_LONG;
    public static final ValueLayout.OfFloat C_FLOAT = ValueLayout.JAVA_FLOAT;
    public static final ValueLayout.OfDouble C_DOUBLE = ValueLayout.JAVA_DOUBLE;
    public static final AddressLayout C_POINTER = ValueLayout.ADDRESS;

    /** {@code struct dim3 { unsigned int x, y, z; }}, passed by value to cudaLaunchKernel. */
    public static final StructLayout dim3 = MemoryLayout.structLayout(
            C_INT.withName("x"), C_INT.withName("y"), C_INT.withName("z")).withName("dim3");

    /** {@code sizeof(struct cudaDeviceProp)} is 1008 in CUDA 13 and smaller before; {@code name[256]} is at offset 0 in all. */
    public static final long cudaDeviceProp_name_offset = 0;
    public static final long cudaDeviceProp_name_length = 256;
    /** A buffer comfortably larger than any cudaDeviceProp so far, for cudaGetDeviceProperties. */
    public static final long cudaDeviceProp_buffer_size = 4096;

    // ------------------------------------------------------------------ driver_types.h: enum cudaError
    public static final int cudaSuccess = 0;
    public static final int cudaErrorInvalidValue = 1;
    public static final int cudaErrorMemoryAllocation = 2;
    public static final int cudaErrorInitializationError = 3;
    public static final int cudaErrorInsufficientDriver = 35;
    public static final int cudaErrorNoDevice = 100;
    public static final int cudaErrorNoKernelImageForDevice = 209;
    public static final int cudaErrorInvalidPtx = 218;
    public static final int cudaErrorUnsupportedPtxVersion = 222;
    public static final int cudaErrorIllegalAddress = 700;
    public static final int cudaErrorLaunchFailure = 719;
    public static final int cudaErrorNotSupported = 801;

    // ------------------------------------------------------------------ driver_types.h: other enums
    public static final int cudaMemcpyHostToHost = 0;
    public static final int cudaMemcpyHostToDevice = 1;
    public static final int cudaMemcpyDeviceToHost = 2;
    public static final int cudaMemcpyDeviceToDevice = 3;
    public static final int cudaMemcpyDefault = 4;
    public static final int cudaStreamNonBlocking = 1;
    public static final int cudaEventDefault = 0;
    public static final int cudaEventDisableTiming = 2;
    public static final int cudaDevAttrMaxThreadsPerBlock = 1;
    public static final int cudaDevAttrMaxGridDimX = 5;
    public static final int cudaDevAttrMultiProcessorCount = 16;
    public static final int cudaDevAttrComputeCapabilityMajor = 75;
    public static final int cudaDevAttrComputeCapabilityMinor = 76;
    public static final int cudaDevAttrMemoryPoolsSupported = 115;

    // ------------------------------------------------------------------ lookup

    private static MethodHandle handle(String name, FunctionDescriptor desc) {
        MemorySegment address = CudaLibraries.lookup(CudaLibraries.Library.CUDART).find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("CUDA runtime symbol not found: " + name + " in "
                        + CudaLibraries.path(CudaLibraries.Library.CUDART)));
        return Linker.nativeLinker().downcallHandle(address, desc);
    }

    // ------------------------------------------------------------------ device management

    private static final class cudaGetDeviceCount$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("cudaGetDeviceCount", DESC);
    }

    public static FunctionDescriptor cudaGetDeviceCount$descriptor() {
        return cudaGetDeviceCount$.DESC;
    }

    public static MethodHandle cudaGetDeviceCount$handle() {
        return cudaGetDeviceCount$.HANDLE;
    }

    /** {@code cudaError_t cudaGetDeviceCount(int *count)} */
    public static int cudaGetDeviceCount(MemorySegment count) {
        try {
            return (int) cudaGetDeviceCount$.HANDLE.invokeExact(count);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudaGetDeviceCount", e);
        }
    }

    private static final class cudaSetDevice$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_INT);
        static final MethodHandle HANDLE = handle("cudaSetDevice", DESC);
    }

    public static FunctionDescriptor cudaSetDevice$descriptor() {
        return cudaSetDevice$.DESC;
    }

    public static MethodHandle cudaSetDevice$handle() {
        return cudaSetDevice$.HANDLE;
    }

    /** {@code cudaError_t cudaSetDevice(int device)} */
    public static int cudaSetDevice(int device) {
        try {
            return (int) cudaSetDevice$.HANDLE.invokeExact(device);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudaSetDevice", e);
        }
    }

    private static final class cudaGetDevice$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("cudaGetDevice", DESC);
    }

    public static FunctionDescriptor cudaGetDevice$descriptor() {
        return cudaGetDevice$.DESC;
    }

    public static MethodHandle cudaGetDevice$handle() {
        return cudaGetDevice$.HANDLE;
    }

    /** {@code cudaError_t cudaGetDevice(int *device)} */
    public static int cudaGetDevice(MemorySegment device) {
        try {
            return (int) cudaGetDevice$.HANDLE.invokeExact(device);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudaGetDevice", e);
        }
    }

    private static final class cudaDeviceGetAttribute$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT);
        static final MethodHandle HANDLE = handle("cudaDeviceGetAttribute", DESC);
    }

    public static FunctionDescriptor cudaDeviceGetAttribute$descriptor() {
        return cudaDeviceGetAttribute$.DESC;
    }

    public static MethodHandle cudaDeviceGetAttribute$handle() {
        return cudaDeviceGetAttribute$.HANDLE;
    }

    /** {@code cudaError_t cudaDeviceGetAttribute(int *value, enum cudaDeviceAttr attr, int device)} */
    public static int cudaDeviceGetAttribute(MemorySegment value, int attr, int device) {
        try {
            return (int) cudaDeviceGetAttribute$.HANDLE.invokeExact(value, attr, device);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudaDeviceGetAttribute", e);
        }
    }

    private static final class cudaGetDeviceProperties$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT);
        static final MethodHandle HANDLE = handle("cudaGetDeviceProperties", DESC);
    }

    public static FunctionDescriptor cudaGetDeviceProperties$descriptor() {
        return cudaGetDeviceProperties$.DESC;
    }

    public static MethodHandle cudaGetDeviceProperties$handle() {
        return cudaGetDeviceProperties$.HANDLE;
    }

    /** {@code cudaError_t cudaGetDeviceProperties(struct cudaDeviceProp *prop, int device)} */
    public static int cudaGetDeviceProperties(MemorySegment prop, int device) {
        try {
            return (int) cudaGetDeviceProperties$.HANDLE.invokeExact(prop, device);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudaGetDeviceProperties", e);
        }
    }

    private static final class cudaDeviceSynchronize$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT);
        static final MethodHandle HANDLE = handle("cudaDeviceSynchronize", DESC);
    }

    public static FunctionDescriptor cudaDeviceSynchronize$descriptor() {
        return cudaDeviceSynchronize$.DESC;
    }

    public static MethodHandle cudaDeviceSynchronize$handle() {
        return cudaDeviceSynchronize$.HANDLE;
    }

    /** {@code cudaError_t cudaDeviceSynchronize(void)} */
    public static int cudaDeviceSynchronize() {
        try {
            return (int) cudaDeviceSynchronize$.HANDLE.invokeExact();
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudaDeviceSynchronize", e);
        }
    }

    private static final class cudaRuntimeGetVersion$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("cudaRuntimeGetVersion", DESC);
    }

    public static FunctionDescriptor cudaRuntimeGetVersion$descriptor() {
        return cudaRuntimeGetVersion$.DESC;
    }

    public static MethodHandle cudaRuntimeGetVersion$handle() {
        return cudaRuntimeGetVersion$.HANDLE;
    }

    /** {@code cudaError_t cudaRuntimeGetVersion(int *runtimeVersion)} */
    public static int cudaRuntimeGetVersion(MemorySegment runtimeVersion) {
        try {
            return (int) cudaRuntimeGetVersion$.HANDLE.invokeExact(runtimeVersion);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudaRuntimeGetVersion", e);
        }
    }

    private static final class cudaDriverGetVersion$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("cudaDriverGetVersion", DESC);
    }

    public static FunctionDescriptor cudaDriverGetVersion$descriptor() {
        return cudaDriverGetVersion$.DESC;
    }

    public static MethodHandle cudaDriverGetVersion$handle() {
        return cudaDriverGetVersion$.HANDLE;
    }

    /** {@code cudaError_t cudaDriverGetVersion(int *driverVersion)} */
    public static int cudaDriverGetVersion(MemorySegment driverVersion) {
        try {
            return (int) cudaDriverGetVersion$.HANDLE.invokeExact(driverVersion);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudaDriverGetVersion", e);
        }
    }

    // ------------------------------------------------------------------ errors

    private static final class cudaGetErrorString$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER, C_INT);
        static final MethodHandle HANDLE = handle("cudaGetErrorString", DESC);
    }

    public static FunctionDescriptor cudaGetErrorString$descriptor() {
        return cudaGetErrorString$.DESC;
    }

    public static MethodHandle cudaGetErrorString$handle() {
        return cudaGetErrorString$.HANDLE;
    }

    /** {@code const char *cudaGetErrorString(cudaError_t error)} */
    public static MemorySegment cudaGetErrorString(int error) {
        try {
            return (MemorySegment) cudaGetErrorString$.HANDLE.invokeExact(error);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudaGetErrorString", e);
        }
    }

    private static final class cudaGetErrorName$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER, C_INT);
        static final MethodHandle HANDLE = handle("cudaGetErrorName", DESC);
    }

    public static FunctionDescriptor cudaGetErrorName$descriptor() {
        return cudaGetErrorName$.DESC;
    }

    public static MethodHandle cudaGetErrorName$handle() {
        return cudaGetErrorName$.HANDLE;
    }

    /** {@code const char *cudaGetErrorName(cudaError_t error)} */
    public static MemorySegment cudaGetErrorName(int error) {
        try {
            return (MemorySegment) cudaGetErrorName$.HANDLE.invokeExact(error);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudaGetErrorName", e);
        }
    }

    private static final class cudaGetLastError$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT);
        static final MethodHandle HANDLE = handle("cudaGetLastError", DESC);
    }

    public static FunctionDescriptor cudaGetLastError$descriptor() {
        return cudaGetLastError$.DESC;
    }

    public static MethodHandle cudaGetLastError$handle() {
        return cudaGetLastError$.HANDLE;
    }

    /** {@code cudaError_t cudaGetLastError(void)} */
    public static int cudaGetLastError() {
        try {
            return (int) cudaGetLastError$.HANDLE.invokeExact();
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudaGetLastError", e);
        }
    }

    // ------------------------------------------------------------------ memory

    private static final class cudaMalloc$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_LONG);
        static final MethodHandle HANDLE = handle("cudaMalloc", DESC);
    }

    public static FunctionDescriptor cudaMalloc$descriptor() {
        return cudaMalloc$.DESC;
    }

    public static MethodHandle cudaMalloc$handle() {
        return cudaMalloc$.HANDLE;
    }

    /** {@code cudaError_t cudaMalloc(void **devPtr, size_t size)} */
    public static int cudaMalloc(MemorySegment devPtr, long size) {
        try {
            return (int) cudaMalloc$.HANDLE.invokeExact(devPtr, size);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudaMalloc", e);
        }
    }

    private static final class cudaFree$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("cudaFree", DESC);
    }

    public static FunctionDescriptor cudaFree$descriptor() {
        return cudaFree$.DESC;
    }

    public static MethodHandle cudaFree$handle() {
        return cudaFree$.HANDLE;
    }

    /** {@code cudaError_t cudaFree(void *devPtr)} */
    public static int cudaFree(MemorySegment devPtr) {
        try {
            return (int) cudaFree$.HANDLE.invokeExact(devPtr);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudaFree", e);
        }
    }

    private static final class cudaMallocAsync$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_LONG, C_POINTER);
        static final MethodHandle HANDLE = handle("cudaMallocAsync", DESC);
    }

    public static FunctionDescriptor cudaMallocAsync$descriptor() {
        return cudaMallocAsync$.DESC;
    }

    public static MethodHandle cudaMallocAsync$handle() {
        return cudaMallocAsync$.HANDLE;
    }

    /** {@code cudaError_t cudaMallocAsync(void **devPtr, size_t size, cudaStream_t hStream)} */
    public static int cudaMallocAsync(MemorySegment devPtr, long size, MemorySegment hStream) {
        try {
            return (int) cudaMallocAsync$.HANDLE.invokeExact(devPtr, size, hStream);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudaMallocAsync", e);
        }
    }

    private static final class cudaFreeAsync$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("cudaFreeAsync", DESC);
    }

    public static FunctionDescriptor cudaFreeAsync$descriptor() {
        return cudaFreeAsync$.DESC;
    }

    public static MethodHandle cudaFreeAsync$handle() {
        return cudaFreeAsync$.HANDLE;
    }

    /** {@code cudaError_t cudaFreeAsync(void *devPtr, cudaStream_t hStream)} */
    public static int cudaFreeAsync(MemorySegment devPtr, MemorySegment hStream) {
        try {
            return (int) cudaFreeAsync$.HANDLE.invokeExact(devPtr, hStream);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudaFreeAsync", e);
        }
    }

    private static final class cudaMemcpy$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_LONG, C_INT);
        static final MethodHandle HANDLE = handle("cudaMemcpy", DESC);
    }

    public static FunctionDescriptor cudaMemcpy$descriptor() {
        return cudaMemcpy$.DESC;
    }

    public static MethodHandle cudaMemcpy$handle() {
        return cudaMemcpy$.HANDLE;
    }

    /** {@code cudaError_t cudaMemcpy(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind)} */
    public static int cudaMemcpy(MemorySegment dst, MemorySegment src, long count, int kind) {
        try {
            return (int) cudaMemcpy$.HANDLE.invokeExact(dst, src, count, kind);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudaMemcpy", e);
        }
    }

    private static final class cudaMemcpyAsync$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_LONG, C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("cudaMemcpyAsync", DESC);
    }

    public static FunctionDescriptor cudaMemcpyAsync$descriptor() {
        return cudaMemcpyAsync$.DESC;
    }

    public static MethodHandle cudaMemcpyAsync$handle() {
        return cudaMemcpyAsync$.HANDLE;
    }

    /** {@code cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind, cudaStream_t stream)} */
    public static int cudaMemcpyAsync(MemorySegment dst, MemorySegment src, long count, int kind, MemorySegment stream) {
        try {
            return (int) cudaMemcpyAsync$.HANDLE.invokeExact(dst, src, count, kind, stream);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudaMemcpyAsync", e);
        }
    }

    private static final class cudaMemsetAsync$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_LONG, C_POINTER);
        static final MethodHandle HANDLE = handle("cudaMemsetAsync", DESC);
    }

    public static FunctionDescriptor cudaMemsetAsync$descriptor() {
        return cudaMemsetAsync$.DESC;
    }

    public static MethodHandle cudaMemsetAsync$handle() {
        return cudaMemsetAsync$.HANDLE;
    }

    /** {@code cudaError_t cudaMemsetAsync(void *devPtr, int value, size_t count, cudaStream_t stream)} */
    public static int cudaMemsetAsync(MemorySegment devPtr, int value, long count, MemorySegment stream) {
        try {
            return (int) cudaMemsetAsync$.HANDLE.invokeExact(devPtr, value, count, stream);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudaMemsetAsync", e);
        }
    }

    private static final class cudaMemGetInfo$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("cudaMemGetInfo", DESC);
    }

    public static FunctionDescriptor cudaMemGetInfo$descriptor() {
        return cudaMemGetInfo$.DESC;
    }

    public static MethodHandle cudaMemGetInfo$handle() {
        return cudaMemGetInfo$.HANDLE;
    }

    /** {@code cudaError_t cudaMemGetInfo(size_t *free, size_t *total)} */
    public static int cudaMemGetInfo(MemorySegment free, MemorySegment total) {
        try {
            return (int) cudaMemGetInfo$.HANDLE.invokeExact(free, total);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudaMemGetInfo", e);
        }
    }

    // ------------------------------------------------------------------ streams and events

    private static final class cudaStreamCreateWithFlags$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT);
        static final MethodHandle HANDLE = handle("cudaStreamCreateWithFlags", DESC);
    }

    public static FunctionDescriptor cudaStreamCreateWithFlags$descriptor() {
        return cudaStreamCreateWithFlags$.DESC;
    }

    public static MethodHandle cudaStreamCreateWithFlags$handle() {
        return cudaStreamCreateWithFlags$.HANDLE;
    }

    /** {@code cudaError_t cudaStreamCreateWithFlags(cudaStream_t *pStream, unsigned int flags)} */
    public static int cudaStreamCreateWithFlags(MemorySegment pStream, int flags) {
        try {
            return (int) cudaStreamCreateWithFlags$.HANDLE.invokeExact(pStream, flags);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudaStreamCreateWithFlags", e);
        }
    }

    private static final class cudaStreamDestroy$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("cudaStreamDestroy", DESC);
    }

    public static FunctionDescriptor cudaStreamDestroy$descriptor() {
        return cudaStreamDestroy$.DESC;
    }

    public static MethodHandle cudaStreamDestroy$handle() {
        return cudaStreamDestroy$.HANDLE;
    }

    /** {@code cudaError_t cudaStreamDestroy(cudaStream_t stream)} */
    public static int cudaStreamDestroy(MemorySegment stream) {
        try {
            return (int) cudaStreamDestroy$.HANDLE.invokeExact(stream);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudaStreamDestroy", e);
        }
    }

    private static final class cudaStreamSynchronize$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("cudaStreamSynchronize", DESC);
    }

    public static FunctionDescriptor cudaStreamSynchronize$descriptor() {
        return cudaStreamSynchronize$.DESC;
    }

    public static MethodHandle cudaStreamSynchronize$handle() {
        return cudaStreamSynchronize$.HANDLE;
    }

    /** {@code cudaError_t cudaStreamSynchronize(cudaStream_t stream)} */
    public static int cudaStreamSynchronize(MemorySegment stream) {
        try {
            return (int) cudaStreamSynchronize$.HANDLE.invokeExact(stream);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudaStreamSynchronize", e);
        }
    }

    private static final class cudaEventCreateWithFlags$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT);
        static final MethodHandle HANDLE = handle("cudaEventCreateWithFlags", DESC);
    }

    public static FunctionDescriptor cudaEventCreateWithFlags$descriptor() {
        return cudaEventCreateWithFlags$.DESC;
    }

    public static MethodHandle cudaEventCreateWithFlags$handle() {
        return cudaEventCreateWithFlags$.HANDLE;
    }

    /** {@code cudaError_t cudaEventCreateWithFlags(cudaEvent_t *event, unsigned int flags)} */
    public static int cudaEventCreateWithFlags(MemorySegment event, int flags) {
        try {
            return (int) cudaEventCreateWithFlags$.HANDLE.invokeExact(event, flags);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudaEventCreateWithFlags", e);
        }
    }

    private static final class cudaEventRecord$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("cudaEventRecord", DESC);
    }

    public static FunctionDescriptor cudaEventRecord$descriptor() {
        return cudaEventRecord$.DESC;
    }

    public static MethodHandle cudaEventRecord$handle() {
        return cudaEventRecord$.HANDLE;
    }

    /** {@code cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream)} */
    public static int cudaEventRecord(MemorySegment event, MemorySegment stream) {
        try {
            return (int) cudaEventRecord$.HANDLE.invokeExact(event, stream);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudaEventRecord", e);
        }
    }

    private static final class cudaEventSynchronize$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("cudaEventSynchronize", DESC);
    }

    public static FunctionDescriptor cudaEventSynchronize$descriptor() {
        return cudaEventSynchronize$.DESC;
    }

    public static MethodHandle cudaEventSynchronize$handle() {
        return cudaEventSynchronize$.HANDLE;
    }

    /** {@code cudaError_t cudaEventSynchronize(cudaEvent_t event)} */
    public static int cudaEventSynchronize(MemorySegment event) {
        try {
            return (int) cudaEventSynchronize$.HANDLE.invokeExact(event);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudaEventSynchronize", e);
        }
    }

    private static final class cudaEventElapsedTime$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("cudaEventElapsedTime", DESC);
    }

    public static FunctionDescriptor cudaEventElapsedTime$descriptor() {
        return cudaEventElapsedTime$.DESC;
    }

    public static MethodHandle cudaEventElapsedTime$handle() {
        return cudaEventElapsedTime$.HANDLE;
    }

    /** {@code cudaError_t cudaEventElapsedTime(float *ms, cudaEvent_t start, cudaEvent_t end)} */
    public static int cudaEventElapsedTime(MemorySegment ms, MemorySegment start, MemorySegment end) {
        try {
            return (int) cudaEventElapsedTime$.HANDLE.invokeExact(ms, start, end);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudaEventElapsedTime", e);
        }
    }

    private static final class cudaEventDestroy$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("cudaEventDestroy", DESC);
    }

    public static FunctionDescriptor cudaEventDestroy$descriptor() {
        return cudaEventDestroy$.DESC;
    }

    public static MethodHandle cudaEventDestroy$handle() {
        return cudaEventDestroy$.HANDLE;
    }

    /** {@code cudaError_t cudaEventDestroy(cudaEvent_t event)} */
    public static int cudaEventDestroy(MemorySegment event) {
        try {
            return (int) cudaEventDestroy$.HANDLE.invokeExact(event);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudaEventDestroy", e);
        }
    }

    // ------------------------------------------------------------------ library management and launch (CUDA 12.0+)

    private static final class cudaLibraryLoadData$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_INT, C_POINTER, C_POINTER, C_INT);
        static final MethodHandle HANDLE = handle("cudaLibraryLoadData", DESC);
    }

    public static FunctionDescriptor cudaLibraryLoadData$descriptor() {
        return cudaLibraryLoadData$.DESC;
    }

    public static MethodHandle cudaLibraryLoadData$handle() {
        return cudaLibraryLoadData$.HANDLE;
    }

    /** {@code cudaError_t cudaLibraryLoadData(cudaLibrary_t *library, const void *code, enum cudaJitOption *jitOptions, void **jitOptionsValues, unsigned int numJitOptions, enum cudaLibraryOption *libraryOptions, void **libraryOptionValues, unsigned int numLibraryOptions)} */
    public static int cudaLibraryLoadData(MemorySegment library, MemorySegment code, MemorySegment jitOptions, MemorySegment jitOptionsValues, int numJitOptions, MemorySegment libraryOptions, MemorySegment libraryOptionValues, int numLibraryOptions) {
        try {
            return (int) cudaLibraryLoadData$.HANDLE.invokeExact(library, code, jitOptions, jitOptionsValues, numJitOptions, libraryOptions, libraryOptionValues, numLibraryOptions);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudaLibraryLoadData", e);
        }
    }

    private static final class cudaLibraryUnload$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("cudaLibraryUnload", DESC);
    }

    public static FunctionDescriptor cudaLibraryUnload$descriptor() {
        return cudaLibraryUnload$.DESC;
    }

    public static MethodHandle cudaLibraryUnload$handle() {
        return cudaLibraryUnload$.HANDLE;
    }

    /** {@code cudaError_t cudaLibraryUnload(cudaLibrary_t library)} */
    public static int cudaLibraryUnload(MemorySegment library) {
        try {
            return (int) cudaLibraryUnload$.HANDLE.invokeExact(library);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudaLibraryUnload", e);
        }
    }

    private static final class cudaLibraryGetKernel$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("cudaLibraryGetKernel", DESC);
    }

    public static FunctionDescriptor cudaLibraryGetKernel$descriptor() {
        return cudaLibraryGetKernel$.DESC;
    }

    public static MethodHandle cudaLibraryGetKernel$handle() {
        return cudaLibraryGetKernel$.HANDLE;
    }

    /** {@code cudaError_t cudaLibraryGetKernel(cudaKernel_t *pKernel, cudaLibrary_t library, const char *name)} */
    public static int cudaLibraryGetKernel(MemorySegment pKernel, MemorySegment library, MemorySegment name) {
        try {
            return (int) cudaLibraryGetKernel$.HANDLE.invokeExact(pKernel, library, name);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudaLibraryGetKernel", e);
        }
    }

    private static final class cudaLaunchKernel$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, dim3, dim3, C_POINTER, C_LONG, C_POINTER);
        static final MethodHandle HANDLE = handle("cudaLaunchKernel", DESC);
    }

    public static FunctionDescriptor cudaLaunchKernel$descriptor() {
        return cudaLaunchKernel$.DESC;
    }

    public static MethodHandle cudaLaunchKernel$handle() {
        return cudaLaunchKernel$.HANDLE;
    }

    /** {@code cudaError_t cudaLaunchKernel(const void *func, dim3 gridDim, dim3 blockDim, void **args, size_t sharedMem, cudaStream_t stream) (func may be a cudaKernel_t)} */
    public static int cudaLaunchKernel(MemorySegment func, MemorySegment gridDim, MemorySegment blockDim, MemorySegment args, long sharedMem, MemorySegment stream) {
        try {
            return (int) cudaLaunchKernel$.HANDLE.invokeExact(func, gridDim, blockDim, args, sharedMem, stream);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudaLaunchKernel", e);
        }
    }
}
