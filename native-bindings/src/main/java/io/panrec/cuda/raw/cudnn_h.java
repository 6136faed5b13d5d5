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
 * Raw bindings of cuDNN 9 (libcudnn.so.9, the legacy descriptor API that cuDNN 9 still exports from its
 * cudnn_graph, cudnn_ops and cudnn_cnn sub-libraries), in jextract's layout: for each function {@code foo} a
 * static {@code foo(...)}, {@code foo$handle()} and {@code foo$descriptor()}; the constants and the
 * algorithm-performance struct that panrec uses. Handles are resolved lazily from {@link CudaLibraries#lookup}.
 *
 * <p>Generated once from the prototypes of cudnn_graph.h, cudnn_ops.h and cudnn_cnn.h (cuDNN 9.6) and not
 * edited by hand; no cuDNN header was installed on the machine that wrote this, so prototypes, enum values
 * and the struct layout were read from the published header text. Checks live in {@code io.panrec.cuda.Cudnn}.
 */
@SuppressWarnings({"unused", "checkstyle:MethodName"})
public final class cudnn_h {
    private cudnn_h() {
    }

    public static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    public static final ValueLayout.OfLong C_LONG = ValueLayout.JAVA_LONG;
    public static final ValueLayout.OfFloat C_FLOAT = ValueLayout.JAVA_FLOAT;
    public static final ValueLayout.OfDouble C_DOUBLE = ValueLayout.JAVA_DOUBLE;
    public static final AddressLayout C_POINTER = ValueLayout.ADDRESS;

    /**
     * {@code cudnnConvolution{Fwd,BwdData,BwdFilter}AlgoPerf_t}: the three structs share this layout
     * ({@code algo, status, time, memory, determinism, mathType, reserved[3]}).
     */
    public static final StructLayout cudnnConvolutionAlgoPerf_t = MemoryLayout.structLayout(
            C_INT.withName("algo"), C_INT.withName("status"), C_FLOAT.withName("time"), MemoryLayout.paddingLayout(4),
            C_LONG.withName("memory"), C_INT.withName("determinism"), C_INT.withName("mathType"),
            MemoryLayout.sequenceLayout(3, C_INT).withName("reserved"), MemoryLayout.paddingLayout(4))
            .withName("cudnnConvolutionAlgoPerf_t");

    // ------------------------------------------------------------------ cudnn_graph.h: cudnnStatus_t (category = code / 1000 * 1000)
    public static final int CUDNN_STATUS_SUCCESS = 0;
    public static final int CUDNN_STATUS_NOT_INITIALIZED = 1001;
    public static final int CUDNN_STATUS_SUBLIBRARY_VERSION_MISMATCH = 1002;
    public static final int CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED = 1008;
    public static final int CUDNN_STATUS_BAD_PARAM = 2000;
    public static final int CUDNN_STATUS_NOT_SUPPORTED = 3000;
    public static final int CUDNN_STATUS_INTERNAL_ERROR = 4000;
    public static final int CUDNN_STATUS_INTERNAL_ERROR_HOST_ALLOCATION_FAILED = 4003;
    public static final int CUDNN_STATUS_INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED = 4004;
    public static final int CUDNN_STATUS_EXECUTION_FAILED = 5000;

    // ------------------------------------------------------------------ cudnn_graph.h / cudnn_ops.h / cudnn_cnn.h: enums
    public static final int CUDNN_DATA_FLOAT = 0;
    public static final int CUDNN_DATA_DOUBLE = 1;
    public static final int CUDNN_TENSOR_NCHW = 0;
    public static final int CUDNN_DEFAULT_MATH = 0;
    public static final int CUDNN_TENSOR_OP_MATH = 1;
    public static final int CUDNN_FMA_MATH = 3;
    public static final int CUDNN_NOT_PROPAGATE_NAN = 0;
    public static final int CUDNN_PROPAGATE_NAN = 1;
    public static final int CUDNN_CONVOLUTION = 0;
    public static final int CUDNN_CROSS_CORRELATION = 1;
    public static final int CUDNN_ACTIVATION_SIGMOID = 0;
    public static final int CUDNN_ACTIVATION_RELU = 1;
    public static final int CUDNN_ACTIVATION_TANH = 2;
    public static final int CUDNN_SOFTMAX_FAST = 0;
    public static final int CUDNN_SOFTMAX_ACCURATE = 1;
    public static final int CUDNN_SOFTMAX_LOG = 2;
    public static final int CUDNN_SOFTMAX_MODE_INSTANCE = 0;
    public static final int CUDNN_SOFTMAX_MODE_CHANNEL = 1;
    public static final int CUDNN_POOLING_MAX = 0;
    public static final int CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING = 1;
    public static final int CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING = 2;
    public static final int CUDNN_POOLING_MAX_DETERMINISTIC = 3;
    public static final int CUDNN_NON_DETERMINISTIC = 0;
    public static final int CUDNN_DETERMINISTIC = 1;
    public static final int CUDNN_CONVOLUTION_FWD_ALGO_COUNT = 8;
    public static final int CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT = 6;
    public static final int CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT = 7;
    public static final int CUDNN_DIM_MAX = 8;

    // ------------------------------------------------------------------ lookup

    private static MethodHandle handle(String name, FunctionDescriptor desc) {
        MemorySegment address = CudaLibraries.lookup(CudaLibraries.Library.CUDNN).find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("cuDNN symbol not found: " + name + " in "
                        + CudaLibraries.path(CudaLibraries.Library.CUDNN)));
        return Linker.nativeLinker().downcallHandle(address, desc);
    }

    // ------------------------------------------------------------------ cudnn_graph.h: version, errors, handle

    private static final class cudnnGetVersion$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_LONG);
        static final MethodHandle HANDLE = handle("cudnnGetVersion", DESC);
    }

    public static FunctionDescriptor cudnnGetVersion$descriptor() {
        return cudnnGetVersion$.DESC;
    }

    public static MethodHandle cudnnGetVersion$handle() {
        return cudnnGetVersion$.HANDLE;
    }

    /** {@code size_t cudnnGetVersion(void)} */
    public static long cudnnGetVersion() {
        try {
            return (long) cudnnGetVersion$.HANDLE.invokeExact();
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnGetVersion", e);
        }
    }

    private static final class cudnnGetErrorString$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER, C_INT);
        static final MethodHandle HANDLE = handle("cudnnGetErrorString", DESC);
    }

    public static FunctionDescriptor cudnnGetErrorString$descriptor() {
        return cudnnGetErrorString$.DESC;
    }

    public static MethodHandle cudnnGetErrorString$handle() {
        return cudnnGetErrorString$.HANDLE;
    }

    /** {@code const char *cudnnGetErrorString(cudnnStatus_t status)} */
    public static MemorySegment cudnnGetErrorString(int status) {
        try {
            return (MemorySegment) cudnnGetErrorString$.HANDLE.invokeExact(status);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnGetErrorString", e);
        }
    }

    private static final class cudnnCreate$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("cudnnCreate", DESC);
    }

    public static FunctionDescriptor cudnnCreate$descriptor() {
        return cudnnCreate$.DESC;
    }

    public static MethodHandle cudnnCreate$handle() {
        return cudnnCreate$.HANDLE;
    }

    /** {@code cudnnStatus_t cudnnCreate(cudnnHandle_t *handle)} */
    public static int cudnnCreate(MemorySegment handle) {
        try {
            return (int) cudnnCreate$.HANDLE.invokeExact(handle);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnCreate", e);
        }
    }

    private static final class cudnnDestroy$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("cudnnDestroy", DESC);
    }

    public static FunctionDescriptor cudnnDestroy$descriptor() {
        return cudnnDestroy$.DESC;
    }

    public static MethodHandle cudnnDestroy$handle() {
        return cudnnDestroy$.HANDLE;
    }

    /** {@code cudnnStatus_t cudnnDestroy(cudnnHandle_t handle)} */
    public static int cudnnDestroy(MemorySegment handle) {
        try {
            return (int) cudnnDestroy$.HANDLE.invokeExact(handle);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnDestroy", e);
        }
    }

    private static final class cudnnSetStream$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("cudnnSetStream", DESC);
    }

    public static FunctionDescriptor cudnnSetStream$descriptor() {
        return cudnnSetStream$.DESC;
    }

    public static MethodHandle cudnnSetStream$handle() {
        return cudnnSetStream$.HANDLE;
    }

    /** {@code cudnnStatus_t cudnnSetStream(cudnnHandle_t handle, cudaStream_t streamId)} */
    public static int cudnnSetStream(MemorySegment handle, MemorySegment streamId) {
        try {
            return (int) cudnnSetStream$.HANDLE.invokeExact(handle, streamId);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnSetStream", e);
        }
    }

    // ------------------------------------------------------------------ cudnn_ops.h: tensor and filter descriptors

    private static final class cudnnCreateTensorDescriptor$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("cudnnCreateTensorDescriptor", DESC);
    }

    public static FunctionDescriptor cudnnCreateTensorDescriptor$descriptor() {
        return cudnnCreateTensorDescriptor$.DESC;
    }

    public static MethodHandle cudnnCreateTensorDescriptor$handle() {
        return cudnnCreateTensorDescriptor$.HANDLE;
    }

    /** {@code cudnnStatus_t cudnnCreateTensorDescriptor(cudnnTensorDescriptor_t *tensorDesc)} */
    public static int cudnnCreateTensorDescriptor(MemorySegment tensorDesc) {
        try {
            return (int) cudnnCreateTensorDescriptor$.HANDLE.invokeExact(tensorDesc);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnCreateTensorDescriptor", e);
        }
    }

    private static final class cudnnSetTensor4dDescriptorEx$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT);
        static final MethodHandle HANDLE = handle("cudnnSetTensor4dDescriptorEx", DESC);
    }

    public static FunctionDescriptor cudnnSetTensor4dDescriptorEx$descriptor() {
        return cudnnSetTensor4dDescriptorEx$.DESC;
    }

    public static MethodHandle cudnnSetTensor4dDescriptorEx$handle() {
        return cudnnSetTensor4dDescriptorEx$.HANDLE;
    }

    /** {@code cudnnStatus_t cudnnSetTensor4dDescriptorEx(cudnnTensorDescriptor_t tensorDesc, cudnnDataType_t dataType, int n, int c, int h, int w, int nStride, int cStride, int hStride, int wStride)} */
    public static int cudnnSetTensor4dDescriptorEx(MemorySegment tensorDesc, int dataType, int n, int c, int h, int w, int nStride, int cStride, int hStride, int wStride) {
        try {
            return (int) cudnnSetTensor4dDescriptorEx$.HANDLE.invokeExact(tensorDesc, dataType, n, c, h, w, nStride, cStride, hStride, wStride);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnSetTensor4dDescriptorEx", e);
        }
    }

    private static final class cudnnSetTensorNdDescriptor$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("cudnnSetTensorNdDescriptor", DESC);
    }

    public static FunctionDescriptor cudnnSetTensorNdDescriptor$descriptor() {
        return cudnnSetTensorNdDescriptor$.DESC;
    }

    public static MethodHandle cudnnSetTensorNdDescriptor$handle() {
        return cudnnSetTensorNdDescriptor$.HANDLE;
    }

    /** {@code cudnnStatus_t cudnnSetTensorNdDescriptor(cudnnTensorDescriptor_t tensorDesc, cudnnDataType_t dataType, int nbDims, const int dimA[], const int strideA[])} */
    public static int cudnnSetTensorNdDescriptor(MemorySegment tensorDesc, int dataType, int nbDims, MemorySegment dimA, MemorySegment strideA) {
        try {
            return (int) cudnnSetTensorNdDescriptor$.HANDLE.invokeExact(tensorDesc, dataType, nbDims, dimA, strideA);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnSetTensorNdDescriptor", e);
        }
    }

    private static final class cudnnDestroyTensorDescriptor$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("cudnnDestroyTensorDescriptor", DESC);
    }

    public static FunctionDescriptor cudnnDestroyTensorDescriptor$descriptor() {
        return cudnnDestroyTensorDescriptor$.DESC;
    }

    public static MethodHandle cudnnDestroyTensorDescriptor$handle() {
        return cudnnDestroyTensorDescriptor$.HANDLE;
    }

    /** {@code cudnnStatus_t cudnnDestroyTensorDescriptor(cudnnTensorDescriptor_t tensorDesc)} */
    public static int cudnnDestroyTensorDescriptor(MemorySegment tensorDesc) {
        try {
            return (int) cudnnDestroyTensorDescriptor$.HANDLE.invokeExact(tensorDesc);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnDestroyTensorDescriptor", e);
        }
    }

    private static final class cudnnCreateFilterDescriptor$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("cudnnCreateFilterDescriptor", DESC);
    }

    public static FunctionDescriptor cudnnCreateFilterDescriptor$descriptor() {
        return cudnnCreateFilterDescriptor$.DESC;
    }

    public static MethodHandle cudnnCreateFilterDescriptor$handle() {
        return cudnnCreateFilterDescriptor$.HANDLE;
    }

    /** {@code cudnnStatus_t cudnnCreateFilterDescriptor(cudnnFilterDescriptor_t *filterDesc)} */
    public static int cudnnCreateFilterDescriptor(MemorySegment filterDesc) {
        try {
            return (int) cudnnCreateFilterDescriptor$.HANDLE.invokeExact(filterDesc);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnCreateFilterDescriptor", e);
        }
    }

    private static final class cudnnSetFilter4dDescriptor$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT);
        static final MethodHandle HANDLE = handle("cudnnSetFilter4dDescriptor", DESC);
    }

    public static FunctionDescriptor cudnnSetFilter4dDescriptor$descriptor() {
        return cudnnSetFilter4dDescriptor$.DESC;
    }

    public static MethodHandle cudnnSetFilter4dDescriptor$handle() {
        return cudnnSetFilter4dDescriptor$.HANDLE;
    }

    /** {@code cudnnStatus_t cudnnSetFilter4dDescriptor(cudnnFilterDescriptor_t filterDesc, cudnnDataType_t dataType, cudnnTensorFormat_t format, int k, int c, int h, int w)} */
    public static int cudnnSetFilter4dDescriptor(MemorySegment filterDesc, int dataType, int format, int k, int c, int h, int w) {
        try {
            return (int) cudnnSetFilter4dDescriptor$.HANDLE.invokeExact(filterDesc, dataType, format, k, c, h, w);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnSetFilter4dDescriptor", e);
        }
    }

    private static final class cudnnDestroyFilterDescriptor$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("cudnnDestroyFilterDescriptor", DESC);
    }

    public static FunctionDescriptor cudnnDestroyFilterDescriptor$descriptor() {
        return cudnnDestroyFilterDescriptor$.DESC;
    }

    public static MethodHandle cudnnDestroyFilterDescriptor$handle() {
        return cudnnDestroyFilterDescriptor$.HANDLE;
    }

    /** {@code cudnnStatus_t cudnnDestroyFilterDescriptor(cudnnFilterDescriptor_t filterDesc)} */
    public static int cudnnDestroyFilterDescriptor(MemorySegment filterDesc) {
        try {
            return (int) cudnnDestroyFilterDescriptor$.HANDLE.invokeExact(filterDesc);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnDestroyFilterDescriptor", e);
        }
    }

    private static final class cudnnAddTensor$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("cudnnAddTensor", DESC);
    }

    public static FunctionDescriptor cudnnAddTensor$descriptor() {
        return cudnnAddTensor$.DESC;
    }

    public static MethodHandle cudnnAddTensor$handle() {
        return cudnnAddTensor$.HANDLE;
    }

    /** {@code cudnnStatus_t cudnnAddTensor(cudnnHandle_t handle, const void *alpha, const cudnnTensorDescriptor_t aDesc, const void *A, const void *beta, const cudnnTensorDescriptor_t cDesc, void *C)} */
    public static int cudnnAddTensor(MemorySegment handle, MemorySegment alpha, MemorySegment aDesc, MemorySegment A, MemorySegment beta, MemorySegment cDesc, MemorySegment C) {
        try {
            return (int) cudnnAddTensor$.HANDLE.invokeExact(handle, alpha, aDesc, A, beta, cDesc, C);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnAddTensor", e);
        }
    }

    // ------------------------------------------------------------------ cudnn_ops.h: softmax

    private static final class cudnnSoftmaxForward$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("cudnnSoftmaxForward", DESC);
    }

    public static FunctionDescriptor cudnnSoftmaxForward$descriptor() {
        return cudnnSoftmaxForward$.DESC;
    }

    public static MethodHandle cudnnSoftmaxForward$handle() {
        return cudnnSoftmaxForward$.HANDLE;
    }

    /** {@code cudnnStatus_t cudnnSoftmaxForward(cudnnHandle_t handle, cudnnSoftmaxAlgorithm_t algo, cudnnSoftmaxMode_t mode, const void *alpha, const cudnnTensorDescriptor_t xDesc, const void *x, const void *beta, const cudnnTensorDescriptor_t yDesc, void *y)} */
    public static int cudnnSoftmaxForward(MemorySegment handle, int algo, int mode, MemorySegment alpha, MemorySegment xDesc, MemorySegment x, MemorySegment beta, MemorySegment yDesc, MemorySegment y) {
        try {
            return (int) cudnnSoftmaxForward$.HANDLE.invokeExact(handle, algo, mode, alpha, xDesc, x, beta, yDesc, y);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnSoftmaxForward", e);
        }
    }

    private static final class cudnnSoftmaxBackward$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("cudnnSoftmaxBackward", DESC);
    }

    public static FunctionDescriptor cudnnSoftmaxBackward$descriptor() {
        return cudnnSoftmaxBackward$.DESC;
    }

    public static MethodHandle cudnnSoftmaxBackward$handle() {
        return cudnnSoftmaxBackward$.HANDLE;
    }

    /** {@code cudnnStatus_t cudnnSoftmaxBackward(cudnnHandle_t handle, cudnnSoftmaxAlgorithm_t algo, cudnnSoftmaxMode_t mode, const void *alpha, const cudnnTensorDescriptor_t yDesc, const void *y, const cudnnTensorDescriptor_t dyDesc, const void *dy, const void *beta, const cudnnTensorDescriptor_t dxDesc, void *dx)} */
    public static int cudnnSoftmaxBackward(MemorySegment handle, int algo, int mode, MemorySegment alpha, MemorySegment yDesc, MemorySegment y, MemorySegment dyDesc, MemorySegment dy, MemorySegment beta, MemorySegment dxDesc, MemorySegment dx) {
        try {
            return (int) cudnnSoftmaxBackward$.HANDLE.invokeExact(handle, algo, mode, alpha, yDesc, y, dyDesc, dy, beta, dxDesc, dx);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnSoftmaxBackward", e);
        }
    }

    // ------------------------------------------------------------------ cudnn_ops.h: pooling

    private static final class cudnnCreatePoolingDescriptor$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("cudnnCreatePoolingDescriptor", DESC);
    }

    public static FunctionDescriptor cudnnCreatePoolingDescriptor$descriptor() {
        return cudnnCreatePoolingDescriptor$.DESC;
    }

    public static MethodHandle cudnnCreatePoolingDescriptor$handle() {
        return cudnnCreatePoolingDescriptor$.HANDLE;
    }

    /** {@code cudnnStatus_t cudnnCreatePoolingDescriptor(cudnnPoolingDescriptor_t *poolingDesc)} */
    public static int cudnnCreatePoolingDescriptor(MemorySegment poolingDesc) {
        try {
            return (int) cudnnCreatePoolingDescriptor$.HANDLE.invokeExact(poolingDesc);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnCreatePoolingDescriptor", e);
        }
    }

    private static final class cudnnSetPooling2dDescriptor$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT);
        static final MethodHandle HANDLE = handle("cudnnSetPooling2dDescriptor", DESC);
    }

    public static FunctionDescriptor cudnnSetPooling2dDescriptor$descriptor() {
        return cudnnSetPooling2dDescriptor$.DESC;
    }

    public static MethodHandle cudnnSetPooling2dDescriptor$handle() {
        return cudnnSetPooling2dDescriptor$.HANDLE;
    }

    /** {@code cudnnStatus_t cudnnSetPooling2dDescriptor(cudnnPoolingDescriptor_t poolingDesc, cudnnPoolingMode_t mode, cudnnNanPropagation_t maxpoolingNanOpt, int windowHeight, int windowWidth, int verticalPadding, int horizontalPadding, int verticalStride, int horizontalStride)} */
    public static int cudnnSetPooling2dDescriptor(MemorySegment poolingDesc, int mode, int maxpoolingNanOpt, int windowHeight, int windowWidth, int verticalPadding, int horizontalPadding, int verticalStride, int horizontalStride) {
        try {
            return (int) cudnnSetPooling2dDescriptor$.HANDLE.invokeExact(poolingDesc, mode, maxpoolingNanOpt, windowHeight, windowWidth, verticalPadding, horizontalPadding, verticalStride, horizontalStride);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnSetPooling2dDescriptor", e);
        }
    }

    private static final class cudnnDestroyPoolingDescriptor$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("cudnnDestroyPoolingDescriptor", DESC);
    }

    public static FunctionDescriptor cudnnDestroyPoolingDescriptor$descriptor() {
        return cudnnDestroyPoolingDescriptor$.DESC;
    }

    public static MethodHandle cudnnDestroyPoolingDescriptor$handle() {
        return cudnnDestroyPoolingDescriptor$.HANDLE;
    }

    /** {@code cudnnStatus_t cudnnDestroyPoolingDescriptor(cudnnPoolingDescriptor_t poolingDesc)} */
    public static int cudnnDestroyPoolingDescriptor(MemorySegment poolingDesc) {
        try {
            return (int) cudnnDestroyPoolingDescriptor$.HANDLE.invokeExact(poolingDesc);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnDestroyPoolingDescriptor", e);
        }
    }

    private static final class cudnnPoolingForward$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("cudnnPoolingForward", DESC);
    }

    public static FunctionDescriptor cudnnPoolingForward$descriptor() {
        return cudnnPoolingForward$.DESC;
    }

    public static MethodHandle cudnnPoolingForward$handle() {
        return cudnnPoolingForward$.HANDLE;
    }

    /** {@code cudnnStatus_t cudnnPoolingForward(cudnnHandle_t handle, const cudnnPoolingDescriptor_t poolingDesc, const void *alpha, const cudnnTensorDescriptor_t xDesc, const void *x, const void *beta, const cudnnTensorDescriptor_t yDesc, void *y)} */
    public static int cudnnPoolingForward(MemorySegment handle, MemorySegment poolingDesc, MemorySegment alpha, MemorySegment xDesc, MemorySegment x, MemorySegment beta, MemorySegment yDesc, MemorySegment y) {
        try {
            return (int) cudnnPoolingForward$.HANDLE.invokeExact(handle, poolingDesc, alpha, xDesc, x, beta, yDesc, y);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnPoolingForward", e);
        }
    }

    private static final class cudnnPoolingBackward$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("cudnnPoolingBackward", DESC);
    }

    public static FunctionDescriptor cudnnPoolingBackward$descriptor() {
        return cudnnPoolingBackward$.DESC;
    }

    public static MethodHandle cudnnPoolingBackward$handle() {
        return cudnnPoolingBackward$.HANDLE;
    }

    /** {@code cudnnStatus_t cudnnPoolingBackward(cudnnHandle_t handle, const cudnnPoolingDescriptor_t poolingDesc, const void *alpha, const cudnnTensorDescriptor_t yDesc, const void *y, const cudnnTensorDescriptor_t dyDesc, const void *dy, const cudnnTensorDescriptor_t xDesc, const void *x, const void *beta, const cudnnTensorDescriptor_t dxDesc, void *dx)} */
    public static int cudnnPoolingBackward(MemorySegment handle, MemorySegment poolingDesc, MemorySegment alpha, MemorySegment yDesc, MemorySegment y, MemorySegment dyDesc, MemorySegment dy, MemorySegment xDesc, MemorySegment x, MemorySegment beta, MemorySegment dxDesc, MemorySegment dx) {
        try {
            return (int) cudnnPoolingBackward$.HANDLE.invokeExact(handle, poolingDesc, alpha, yDesc, y, dyDesc, dy, xDesc, x, beta, dxDesc, dx);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnPoolingBackward", e);
        }
    }

    // ------------------------------------------------------------------ cudnn_ops.h: activation

    private static final class cudnnCreateActivationDescriptor$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("cudnnCreateActivationDescriptor", DESC);
    }

    public static FunctionDescriptor cudnnCreateActivationDescriptor$descriptor() {
        return cudnnCreateActivationDescriptor$.DESC;
    }

    public static MethodHandle cudnnCreateActivationDescriptor$handle() {
        return cudnnCreateActivationDescriptor$.HANDLE;
    }

    /** {@code cudnnStatus_t cudnnCreateActivationDescriptor(cudnnActivationDescriptor_t *activationDesc)} */
    public static int cudnnCreateActivationDescriptor(MemorySegment activationDesc) {
        try {
            return (int) cudnnCreateActivationDescriptor$.HANDLE.invokeExact(activationDesc);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnCreateActivationDescriptor", e);
        }
    }

    private static final class cudnnSetActivationDescriptor$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_DOUBLE);
        static final MethodHandle HANDLE = handle("cudnnSetActivationDescriptor", DESC);
    }

    public static FunctionDescriptor cudnnSetActivationDescriptor$descriptor() {
        return cudnnSetActivationDescriptor$.DESC;
    }

    public static MethodHandle cudnnSetActivationDescriptor$handle() {
        return cudnnSetActivationDescriptor$.HANDLE;
    }

    /** {@code cudnnStatus_t cudnnSetActivationDescriptor(cudnnActivationDescriptor_t activationDesc, cudnnActivationMode_t mode, cudnnNanPropagation_t reluNanOpt, double coef)} */
    public static int cudnnSetActivationDescriptor(MemorySegment activationDesc, int mode, int reluNanOpt, double coef) {
        try {
            return (int) cudnnSetActivationDescriptor$.HANDLE.invokeExact(activationDesc, mode, reluNanOpt, coef);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnSetActivationDescriptor", e);
        }
    }

    private static final class cudnnDestroyActivationDescriptor$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("cudnnDestroyActivationDescriptor", DESC);
    }

    public static FunctionDescriptor cudnnDestroyActivationDescriptor$descriptor() {
        return cudnnDestroyActivationDescriptor$.DESC;
    }

    public static MethodHandle cudnnDestroyActivationDescriptor$handle() {
        return cudnnDestroyActivationDescriptor$.HANDLE;
    }

    /** {@code cudnnStatus_t cudnnDestroyActivationDescriptor(cudnnActivationDescriptor_t activationDesc)} */
    public static int cudnnDestroyActivationDescriptor(MemorySegment activationDesc) {
        try {
            return (int) cudnnDestroyActivationDescriptor$.HANDLE.invokeExact(activationDesc);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnDestroyActivationDescriptor", e);
        }
    }

    private static final class cudnnActivationForward$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("cudnnActivationForward", DESC);
    }

    public static FunctionDescriptor cudnnActivationForward$descriptor() {
        return cudnnActivationForward$.DESC;
    }

    public static MethodHandle cudnnActivationForward$handle() {
        return cudnnActivationForward$.HANDLE;
    }

    /** {@code cudnnStatus_t cudnnActivationForward(cudnnHandle_t handle, cudnnActivationDescriptor_t activationDesc, const void *alpha, const cudnnTensorDescriptor_t xDesc, const void *x, const void *beta, const cudnnTensorDescriptor_t yDesc, void *y)} */
    public static int cudnnActivationForward(MemorySegment handle, MemorySegment activationDesc, MemorySegment alpha, MemorySegment xDesc, MemorySegment x, MemorySegment beta, MemorySegment yDesc, MemorySegment y) {
        try {
            return (int) cudnnActivationForward$.HANDLE.invokeExact(handle, activationDesc, alpha, xDesc, x, beta, yDesc, y);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnActivationForward", e);
        }
    }

    private static final class cudnnActivationBackward$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("cudnnActivationBackward", DESC);
    }

    public static FunctionDescriptor cudnnActivationBackward$descriptor() {
        return cudnnActivationBackward$.DESC;
    }

    public static MethodHandle cudnnActivationBackward$handle() {
        return cudnnActivationBackward$.HANDLE;
    }

    /** {@code cudnnStatus_t cudnnActivationBackward(cudnnHandle_t handle, cudnnActivationDescriptor_t activationDesc, const void *alpha, const cudnnTensorDescriptor_t yDesc, const void *y, const cudnnTensorDescriptor_t dyDesc, const void *dy, const cudnnTensorDescriptor_t xDesc, const void *x, const void *beta, const cudnnTensorDescriptor_t dxDesc, void *dx)} */
    public static int cudnnActivationBackward(MemorySegment handle, MemorySegment activationDesc, MemorySegment alpha, MemorySegment yDesc, MemorySegment y, MemorySegment dyDesc, MemorySegment dy, MemorySegment xDesc, MemorySegment x, MemorySegment beta, MemorySegment dxDesc, MemorySegment dx) {
        try {
            return (int) cudnnActivationBackward$.HANDLE.invokeExact(handle, activationDesc, alpha, yDesc, y, dyDesc, dy, xDesc, x, beta, dxDesc, dx);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnActivationBackward", e);
        }
    }

    // ------------------------------------------------------------------ cudnn_cnn.h: convolution descriptor

    private static final class cudnnCreateConvolutionDescriptor$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("cudnnCreateConvolutionDescriptor", DESC);
    }

    public static FunctionDescriptor cudnnCreateConvolutionDescriptor$descriptor() {
        return cudnnCreateConvolutionDescriptor$.DESC;
    }

    public static MethodHandle cudnnCreateConvolutionDescriptor$handle() {
        return cudnnCreateConvolutionDescriptor$.HANDLE;
    }

    /** {@code cudnnStatus_t cudnnCreateConvolutionDescriptor(cudnnConvolutionDescriptor_t *convDesc)} */
    public static int cudnnCreateConvolutionDescriptor(MemorySegment convDesc) {
        try {
            return (int) cudnnCreateConvolutionDescriptor$.HANDLE.invokeExact(convDesc);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnCreateConvolutionDescriptor", e);
        }
    }

    private static final class cudnnSetConvolution2dDescriptor$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT);
        static final MethodHandle HANDLE = handle("cudnnSetConvolution2dDescriptor", DESC);
    }

    public static FunctionDescriptor cudnnSetConvolution2dDescriptor$descriptor() {
        return cudnnSetConvolution2dDescriptor$.DESC;
    }

    public static MethodHandle cudnnSetConvolution2dDescriptor$handle() {
        return cudnnSetConvolution2dDescriptor$.HANDLE;
    }

    /** {@code cudnnStatus_t cudnnSetConvolution2dDescriptor(cudnnConvolutionDescriptor_t convDesc, int pad_h, int pad_w, int u, int v, int dilation_h, int dilation_w, cudnnConvolutionMode_t mode, cudnnDataType_t computeType)} */
    public static int cudnnSetConvolution2dDescriptor(MemorySegment convDesc, int pad_h, int pad_w, int u, int v, int dilation_h, int dilation_w, int mode, int computeType) {
        try {
            return (int) cudnnSetConvolution2dDescriptor$.HANDLE.invokeExact(convDesc, pad_h, pad_w, u, v, dilation_h, dilation_w, mode, computeType);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnSetConvolution2dDescriptor", e);
        }
    }

    private static final class cudnnSetConvolutionGroupCount$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT);
        static final MethodHandle HANDLE = handle("cudnnSetConvolutionGroupCount", DESC);
    }

    public static FunctionDescriptor cudnnSetConvolutionGroupCount$descriptor() {
        return cudnnSetConvolutionGroupCount$.DESC;
    }

    public static MethodHandle cudnnSetConvolutionGroupCount$handle() {
        return cudnnSetConvolutionGroupCount$.HANDLE;
    }

    /** {@code cudnnStatus_t cudnnSetConvolutionGroupCount(cudnnConvolutionDescriptor_t convDesc, int groupCount)} */
    public static int cudnnSetConvolutionGroupCount(MemorySegment convDesc, int groupCount) {
        try {
            return (int) cudnnSetConvolutionGroupCount$.HANDLE.invokeExact(convDesc, groupCount);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnSetConvolutionGroupCount", e);
        }
    }

    private static final class cudnnSetConvolutionMathType$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT);
        static final MethodHandle HANDLE = handle("cudnnSetConvolutionMathType", DESC);
    }

    public static FunctionDescriptor cudnnSetConvolutionMathType$descriptor() {
        return cudnnSetConvolutionMathType$.DESC;
    }

    public static MethodHandle cudnnSetConvolutionMathType$handle() {
        return cudnnSetConvolutionMathType$.HANDLE;
    }

    /** {@code cudnnStatus_t cudnnSetConvolutionMathType(cudnnConvolutionDescriptor_t convDesc, cudnnMathType_t mathType)} */
    public static int cudnnSetConvolutionMathType(MemorySegment convDesc, int mathType) {
        try {
            return (int) cudnnSetConvolutionMathType$.HANDLE.invokeExact(convDesc, mathType);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnSetConvolutionMathType", e);
        }
    }

    private static final class cudnnDestroyConvolutionDescriptor$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("cudnnDestroyConvolutionDescriptor", DESC);
    }

    public static FunctionDescriptor cudnnDestroyConvolutionDescriptor$descriptor() {
        return cudnnDestroyConvolutionDescriptor$.DESC;
    }

    public static MethodHandle cudnnDestroyConvolutionDescriptor$handle() {
        return cudnnDestroyConvolutionDescriptor$.HANDLE;
    }

    /** {@code cudnnStatus_t cudnnDestroyConvolutionDescriptor(cudnnConvolutionDescriptor_t convDesc)} */
    public static int cudnnDestroyConvolutionDescriptor(MemorySegment convDesc) {
        try {
            return (int) cudnnDestroyConvolutionDescriptor$.HANDLE.invokeExact(convDesc);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnDestroyConvolutionDescriptor", e);
        }
    }

    // ------------------------------------------------------------------ cudnn_cnn.h: forward

    private static final class cudnnGetConvolutionForwardAlgorithm_v7$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_INT, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("cudnnGetConvolutionForwardAlgorithm_v7", DESC);
    }

    public static FunctionDescriptor cudnnGetConvolutionForwardAlgorithm_v7$descriptor() {
        return cudnnGetConvolutionForwardAlgorithm_v7$.DESC;
    }

    public static MethodHandle cudnnGetConvolutionForwardAlgorithm_v7$handle() {
        return cudnnGetConvolutionForwardAlgorithm_v7$.HANDLE;
    }

    /** {@code cudnnStatus_t cudnnGetConvolutionForwardAlgorithm_v7(cudnnHandle_t handle, const cudnnTensorDescriptor_t srcDesc, const cudnnFilterDescriptor_t filterDesc, const cudnnConvolutionDescriptor_t convDesc, const cudnnTensorDescriptor_t destDesc, const int requestedAlgoCount, int *returnedAlgoCount, cudnnConvolutionFwdAlgoPerf_t *perfResults)} */
    public static int cudnnGetConvolutionForwardAlgorithm_v7(MemorySegment handle, MemorySegment srcDesc, MemorySegment filterDesc, MemorySegment convDesc, MemorySegment destDesc, int requestedAlgoCount, MemorySegment returnedAlgoCount, MemorySegment perfResults) {
        try {
            return (int) cudnnGetConvolutionForwardAlgorithm_v7$.HANDLE.invokeExact(handle, srcDesc, filterDesc, convDesc, destDesc, requestedAlgoCount, returnedAlgoCount, perfResults);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnGetConvolutionForwardAlgorithm_v7", e);
        }
    }

    private static final class cudnnGetConvolutionForwardWorkspaceSize$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("cudnnGetConvolutionForwardWorkspaceSize", DESC);
    }

    public static FunctionDescriptor cudnnGetConvolutionForwardWorkspaceSize$descriptor() {
        return cudnnGetConvolutionForwardWorkspaceSize$.DESC;
    }

    public static MethodHandle cudnnGetConvolutionForwardWorkspaceSize$handle() {
        return cudnnGetConvolutionForwardWorkspaceSize$.HANDLE;
    }

    /** {@code cudnnStatus_t cudnnGetConvolutionForwardWorkspaceSize(cudnnHandle_t handle, const cudnnTensorDescriptor_t xDesc, const cudnnFilterDescriptor_t wDesc, const cudnnConvolutionDescriptor_t convDesc, const cudnnTensorDescriptor_t yDesc, cudnnConvolutionFwdAlgo_t algo, size_t *sizeInBytes)} */
    public static int cudnnGetConvolutionForwardWorkspaceSize(MemorySegment handle, MemorySegment xDesc, MemorySegment wDesc, MemorySegment convDesc, MemorySegment yDesc, int algo, MemorySegment sizeInBytes) {
        try {
            return (int) cudnnGetConvolutionForwardWorkspaceSize$.HANDLE.invokeExact(handle, xDesc, wDesc, convDesc, yDesc, algo, sizeInBytes);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnGetConvolutionForwardWorkspaceSize", e);
        }
    }

    private static final class cudnnConvolutionForward$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_INT, C_POINTER, C_LONG, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("cudnnConvolutionForward", DESC);
    }

    public static FunctionDescriptor cudnnConvolutionForward$descriptor() {
        return cudnnConvolutionForward$.DESC;
    }

    public static MethodHandle cudnnConvolutionForward$handle() {
        return cudnnConvolutionForward$.HANDLE;
    }

    /** {@code cudnnStatus_t cudnnConvolutionForward(cudnnHandle_t handle, const void *alpha, const cudnnTensorDescriptor_t xDesc, const void *x, const cudnnFilterDescriptor_t wDesc, const void *w, const cudnnConvolutionDescriptor_t convDesc, cudnnConvolutionFwdAlgo_t algo, void *workSpace, size_t workSpaceSizeInBytes, const void *beta, const cudnnTensorDescriptor_t yDesc, void *y)} */
    public static int cudnnConvolutionForward(MemorySegment handle, MemorySegment alpha, MemorySegment xDesc, MemorySegment x, MemorySegment wDesc, MemorySegment w, MemorySegment convDesc, int algo, MemorySegment workSpace, long workSpaceSizeInBytes, MemorySegment beta, MemorySegment yDesc, MemorySegment y) {
        try {
            return (int) cudnnConvolutionForward$.HANDLE.invokeExact(handle, alpha, xDesc, x, wDesc, w, convDesc, algo, workSpace, workSpaceSizeInBytes, beta, yDesc, y);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnConvolutionForward", e);
        }
    }

    // ------------------------------------------------------------------ cudnn_cnn.h: backward data

    private static final class cudnnGetConvolutionBackwardDataAlgorithm_v7$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_INT, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("cudnnGetConvolutionBackwardDataAlgorithm_v7", DESC);
    }

    public static FunctionDescriptor cudnnGetConvolutionBackwardDataAlgorithm_v7$descriptor() {
        return cudnnGetConvolutionBackwardDataAlgorithm_v7$.DESC;
    }

    public static MethodHandle cudnnGetConvolutionBackwardDataAlgorithm_v7$handle() {
        return cudnnGetConvolutionBackwardDataAlgorithm_v7$.HANDLE;
    }

    /** {@code cudnnStatus_t cudnnGetConvolutionBackwardDataAlgorithm_v7(cudnnHandle_t handle, const cudnnFilterDescriptor_t filterDesc, const cudnnTensorDescriptor_t diffDesc, const cudnnConvolutionDescriptor_t convDesc, const cudnnTensorDescriptor_t gradDesc, const int requestedAlgoCount, int *returnedAlgoCount, cudnnConvolutionBwdDataAlgoPerf_t *perfResults)} */
    public static int cudnnGetConvolutionBackwardDataAlgorithm_v7(MemorySegment handle, MemorySegment filterDesc, MemorySegment diffDesc, MemorySegment convDesc, MemorySegment gradDesc, int requestedAlgoCount, MemorySegment returnedAlgoCount, MemorySegment perfResults) {
        try {
            return (int) cudnnGetConvolutionBackwardDataAlgorithm_v7$.HANDLE.invokeExact(handle, filterDesc, diffDesc, convDesc, gradDesc, requestedAlgoCount, returnedAlgoCount, perfResults);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnGetConvolutionBackwardDataAlgorithm_v7", e);
        }
    }

    private static final class cudnnGetConvolutionBackwardDataWorkspaceSize$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("cudnnGetConvolutionBackwardDataWorkspaceSize", DESC);
    }

    public static FunctionDescriptor cudnnGetConvolutionBackwardDataWorkspaceSize$descriptor() {
        return cudnnGetConvolutionBackwardDataWorkspaceSize$.DESC;
    }

    public static MethodHandle cudnnGetConvolutionBackwardDataWorkspaceSize$handle() {
        return cudnnGetConvolutionBackwardDataWorkspaceSize$.HANDLE;
    }

    /** {@code cudnnStatus_t cudnnGetConvolutionBackwardDataWorkspaceSize(cudnnHandle_t handle, const cudnnFilterDescriptor_t wDesc, const cudnnTensorDescriptor_t dyDesc, const cudnnConvolutionDescriptor_t convDesc, const cudnnTensorDescriptor_t dxDesc, cudnnConvolutionBwdDataAlgo_t algo, size_t *sizeInBytes)} */
    public static int cudnnGetConvolutionBackwardDataWorkspaceSize(MemorySegment handle, MemorySegment wDesc, MemorySegment dyDesc, MemorySegment convDesc, MemorySegment dxDesc, int algo, MemorySegment sizeInBytes) {
        try {
            return (int) cudnnGetConvolutionBackwardDataWorkspaceSize$.HANDLE.invokeExact(handle, wDesc, dyDesc, convDesc, dxDesc, algo, sizeInBytes);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnGetConvolutionBackwardDataWorkspaceSize", e);
        }
    }

    private static final class cudnnConvolutionBackwardData$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_INT, C_POINTER, C_LONG, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("cudnnConvolutionBackwardData", DESC);
    }

    public static FunctionDescriptor cudnnConvolutionBackwardData$descriptor() {
        return cudnnConvolutionBackwardData$.DESC;
    }

    public static MethodHandle cudnnConvolutionBackwardData$handle() {
        return cudnnConvolutionBackwardData$.HANDLE;
    }

    /** {@code cudnnStatus_t cudnnConvolutionBackwardData(cudnnHandle_t handle, const void *alpha, const cudnnFilterDescriptor_t wDesc, const void *w, const cudnnTensorDescriptor_t dyDesc, const void *dy, const cudnnConvolutionDescriptor_t convDesc, cudnnConvolutionBwdDataAlgo_t algo, void *workSpace, size_t workSpaceSizeInBytes, const void *beta, const cudnnTensorDescriptor_t dxDesc, void *dx)} */
    public static int cudnnConvolutionBackwardData(MemorySegment handle, MemorySegment alpha, MemorySegment wDesc, MemorySegment w, MemorySegment dyDesc, MemorySegment dy, MemorySegment convDesc, int algo, MemorySegment workSpace, long workSpaceSizeInBytes, MemorySegment beta, MemorySegment dxDesc, MemorySegment dx) {
        try {
            return (int) cudnnConvolutionBackwardData$.HANDLE.invokeExact(handle, alpha, wDesc, w, dyDesc, dy, convDesc, algo, workSpace, workSpaceSizeInBytes, beta, dxDesc, dx);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnConvolutionBackwardData", e);
        }
    }

    // ------------------------------------------------------------------ cudnn_cnn.h: backward filter and bias

    private static final class cudnnGetConvolutionBackwardFilterAlgorithm_v7$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_INT, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("cudnnGetConvolutionBackwardFilterAlgorithm_v7", DESC);
    }

    public static FunctionDescriptor cudnnGetConvolutionBackwardFilterAlgorithm_v7$descriptor() {
        return cudnnGetConvolutionBackwardFilterAlgorithm_v7$.DESC;
    }

    public static MethodHandle cudnnGetConvolutionBackwardFilterAlgorithm_v7$handle() {
        return cudnnGetConvolutionBackwardFilterAlgorithm_v7$.HANDLE;
    }

    /** {@code cudnnStatus_t cudnnGetConvolutionBackwardFilterAlgorithm_v7(cudnnHandle_t handle, const cudnnTensorDescriptor_t srcDesc, const cudnnTensorDescriptor_t diffDesc, const cudnnConvolutionDescriptor_t convDesc, const cudnnFilterDescriptor_t gradDesc, const int requestedAlgoCount, int *returnedAlgoCount, cudnnConvolutionBwdFilterAlgoPerf_t *perfResults)} */
    public static int cudnnGetConvolutionBackwardFilterAlgorithm_v7(MemorySegment handle, MemorySegment srcDesc, MemorySegment diffDesc, MemorySegment convDesc, MemorySegment gradDesc, int requestedAlgoCount, MemorySegment returnedAlgoCount, MemorySegment perfResults) {
        try {
            return (int) cudnnGetConvolutionBackwardFilterAlgorithm_v7$.HANDLE.invokeExact(handle, srcDesc, diffDesc, convDesc, gradDesc, requestedAlgoCount, returnedAlgoCount, perfResults);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnGetConvolutionBackwardFilterAlgorithm_v7", e);
        }
    }

    private static final class cudnnGetConvolutionBackwardFilterWorkspaceSize$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("cudnnGetConvolutionBackwardFilterWorkspaceSize", DESC);
    }

    public static FunctionDescriptor cudnnGetConvolutionBackwardFilterWorkspaceSize$descriptor() {
        return cudnnGetConvolutionBackwardFilterWorkspaceSize$.DESC;
    }

    public static MethodHandle cudnnGetConvolutionBackwardFilterWorkspaceSize$handle() {
        return cudnnGetConvolutionBackwardFilterWorkspaceSize$.HANDLE;
    }

    /** {@code cudnnStatus_t cudnnGetConvolutionBackwardFilterWorkspaceSize(cudnnHandle_t handle, const cudnnTensorDescriptor_t xDesc, const cudnnTensorDescriptor_t dyDesc, const cudnnConvolutionDescriptor_t convDesc, const cudnnFilterDescriptor_t gradDesc, cudnnConvolutionBwdFilterAlgo_t algo, size_t *sizeInBytes)} */
    public static int cudnnGetConvolutionBackwardFilterWorkspaceSize(MemorySegment handle, MemorySegment xDesc, MemorySegment dyDesc, MemorySegment convDesc, MemorySegment gradDesc, int algo, MemorySegment sizeInBytes) {
        try {
            return (int) cudnnGetConvolutionBackwardFilterWorkspaceSize$.HANDLE.invokeExact(handle, xDesc, dyDesc, convDesc, gradDesc, algo, sizeInBytes);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnGetConvolutionBackwardFilterWorkspaceSize", e);
        }
    }

    private static final class cudnnConvolutionBackwardFilter$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_INT, C_POINTER, C_LONG, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("cudnnConvolutionBackwardFilter", DESC);
    }

    public static FunctionDescriptor cudnnConvolutionBackwardFilter$descriptor() {
        return cudnnConvolutionBackwardFilter$.DESC;
    }

    public static MethodHandle cudnnConvolutionBackwardFilter$handle() {
        return cudnnConvolutionBackwardFilter$.HANDLE;
    }

    /** {@code cudnnStatus_t cudnnConvolutionBackwardFilter(cudnnHandle_t handle, const void *alpha, const cudnnTensorDescriptor_t xDesc, const void *x, const cudnnTensorDescriptor_t dyDesc, const void *dy, const cudnnConvolutionDescriptor_t convDesc, cudnnConvolutionBwdFilterAlgo_t algo, void *workSpace, size_t workSpaceSizeInBytes, const void *beta, const cudnnFilterDescriptor_t dwDesc, void *dw)} */
    public static int cudnnConvolutionBackwardFilter(MemorySegment handle, MemorySegment alpha, MemorySegment xDesc, MemorySegment x, MemorySegment dyDesc, MemorySegment dy, MemorySegment convDesc, int algo, MemorySegment workSpace, long workSpaceSizeInBytes, MemorySegment beta, MemorySegment dwDesc, MemorySegment dw) {
        try {
            return (int) cudnnConvolutionBackwardFilter$.HANDLE.invokeExact(handle, alpha, xDesc, x, dyDesc, dy, convDesc, algo, workSpace, workSpaceSizeInBytes, beta, dwDesc, dw);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnConvolutionBackwardFilter", e);
        }
    }

    private static final class cudnnConvolutionBackwardBias$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("cudnnConvolutionBackwardBias", DESC);
    }

    public static FunctionDescriptor cudnnConvolutionBackwardBias$descriptor() {
        return cudnnConvolutionBackwardBias$.DESC;
    }

    public static MethodHandle cudnnConvolutionBackwardBias$handle() {
        return cudnnConvolutionBackwardBias$.HANDLE;
    }

    /** {@code cudnnStatus_t cudnnConvolutionBackwardBias(cudnnHandle_t handle, const void *alpha, const cudnnTensorDescriptor_t dyDesc, const void *dy, const void *beta, const cudnnTensorDescriptor_t dbDesc, void *db)} */
    public static int cudnnConvolutionBackwardBias(MemorySegment handle, MemorySegment alpha, MemorySegment dyDesc, MemorySegment dy, MemorySegment beta, MemorySegment dbDesc, MemorySegment db) {
        try {
            return (int) cudnnConvolutionBackwardBias$.HANDLE.invokeExact(handle, alpha, dyDesc, dy, beta, dbDesc, db);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cudnnConvolutionBackwardBias", e);
        }
    }
}
