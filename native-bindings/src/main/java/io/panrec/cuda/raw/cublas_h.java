package io.panrec.cuda.raw;

import io.panrec.cuda.CudaLibraries;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Raw bindings of cuBLAS (libcublas 12 or 13, the v2 API), in jextract's layout: for each function
 * {@code foo} a static {@code foo(...)}, {@code foo$handle()} and {@code foo$descriptor()}, and the
 * constants of cublas_api.h that panrec uses. The exported names are the {@code _v2} ones that
 * cublas_v2.h maps {@code cublasCreate}, {@code cublasSgemm}... to. Handles are resolved lazily from
 * {@link CudaLibraries#lookup}.
 *
 * <p>Generated once from the prototypes of cublas_api.h (CUDA 12.6) and not edited by hand; no cuBLAS header
 * was installed on the machine that wrote this, so the prototypes and enum values were read from the
 * published header text. Checks live in {@code io.panrec.cuda.Cublas}.
 */
@SuppressWarnings({"unused", "checkstyle:MethodName"})
public final class cublas_h {
    private cublas_h() {
    }

    public static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    public static final ValueLayout.OfLong C_LONG = ValueLayout.JAVA_LONG;
    public static final ValueLayout.OfFloat C_FLOAT = ValueLayout.JAVA_FLOAT;
    public static final ValueLayout.OfDouble C_DOUBLE = ValueLayout.JAVA_DOUBLE;
    public static final AddressLayout C_POINTER = ValueLayout.ADDRESS;

    // ------------------------------------------------------------------ cublas_api.h: cublasStatus_t
    public static final int CUBLAS_STATUS_SUCCESS = 0;
    public static final int CUBLAS_STATUS_NOT_INITIALIZED = 1;
    public static final int CUBLAS_STATUS_ALLOC_FAILED = 3;
    public static final int CUBLAS_STATUS_INVALID_VALUE = 7;
    public static final int CUBLAS_STATUS_ARCH_MISMATCH = 8;
    public static final int CUBLAS_STATUS_MAPPING_ERROR = 11;
    public static final int CUBLAS_STATUS_EXECUTION_FAILED = 13;
    public static final int CUBLAS_STATUS_INTERNAL_ERROR = 14;
    public static final int CUBLAS_STATUS_NOT_SUPPORTED = 15;
    public static final int CUBLAS_STATUS_LICENSE_ERROR = 16;

    // ------------------------------------------------------------------ cublas_api.h: other enums
    public static final int CUBLAS_OP_N = 0;
    public static final int CUBLAS_OP_T = 1;
    public static final int CUBLAS_DEFAULT_MATH = 0;
    public static final int CUBLAS_PEDANTIC_MATH = 2;
    public static final int CUBLAS_TF32_TENSOR_OP_MATH = 3;

    // ------------------------------------------------------------------ lookup

    private static MethodHandle handle(String name, FunctionDescriptor desc) {
        MemorySegment address = CudaLibraries.lookup(CudaLibraries.Library.CUBLAS).find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("cuBLAS symbol not found: " + name + " in "
                        + CudaLibraries.path(CudaLibraries.Library.CUBLAS)));
        return Linker.nativeLinker().downcallHandle(address, desc);
    }

    // ------------------------------------------------------------------ handle

    private static final class cublasCreate_v2$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("cublasCreate_v2", DESC);
    }

    public static FunctionDescriptor cublasCreate_v2$descriptor() {
        return cublasCreate_v2$.DESC;
    }

    public static MethodHandle cublasCreate_v2$handle() {
        return cublasCreate_v2$.HANDLE;
    }

    /** {@code cublasStatus_t cublasCreate_v2(cublasHandle_t *handle)} */
    public static int cublasCreate_v2(MemorySegment handle) {
        try {
            return (int) cublasCreate_v2$.HANDLE.invokeExact(handle);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cublasCreate_v2", e);
        }
    }

    private static final class cublasDestroy_v2$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("cublasDestroy_v2", DESC);
    }

    public static FunctionDescriptor cublasDestroy_v2$descriptor() {
        return cublasDestroy_v2$.DESC;
    }

    public static MethodHandle cublasDestroy_v2$handle() {
        return cublasDestroy_v2$.HANDLE;
    }

    /** {@code cublasStatus_t cublasDestroy_v2(cublasHandle_t handle)} */
    public static int cublasDestroy_v2(MemorySegment handle) {
        try {
            return (int) cublasDestroy_v2$.HANDLE.invokeExact(handle);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cublasDestroy_v2", e);
        }
    }

    private static final class cublasGetVersion_v2$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("cublasGetVersion_v2", DESC);
    }

    public static FunctionDescriptor cublasGetVersion_v2$descriptor() {
        return cublasGetVersion_v2$.DESC;
    }

    public static MethodHandle cublasGetVersion_v2$handle() {
        return cublasGetVersion_v2$.HANDLE;
    }

    /** {@code cublasStatus_t cublasGetVersion_v2(cublasHandle_t handle, int *version)} */
    public static int cublasGetVersion_v2(MemorySegment handle, MemorySegment version) {
        try {
            return (int) cublasGetVersion_v2$.HANDLE.invokeExact(handle, version);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cublasGetVersion_v2", e);
        }
    }

    private static final class cublasSetStream_v2$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("cublasSetStream_v2", DESC);
    }

    public static FunctionDescriptor cublasSetStream_v2$descriptor() {
        return cublasSetStream_v2$.DESC;
    }

    public static MethodHandle cublasSetStream_v2$handle() {
        return cublasSetStream_v2$.HANDLE;
    }

    /** {@code cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t streamId)} */
    public static int cublasSetStream_v2(MemorySegment handle, MemorySegment streamId) {
        try {
            return (int) cublasSetStream_v2$.HANDLE.invokeExact(handle, streamId);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cublasSetStream_v2", e);
        }
    }

    private static final class cublasSetMathMode$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT);
        static final MethodHandle HANDLE = handle("cublasSetMathMode", DESC);
    }

    public static FunctionDescriptor cublasSetMathMode$descriptor() {
        return cublasSetMathMode$.DESC;
    }

    public static MethodHandle cublasSetMathMode$handle() {
        return cublasSetMathMode$.HANDLE;
    }

    /** {@code cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode)} */
    public static int cublasSetMathMode(MemorySegment handle, int mode) {
        try {
            return (int) cublasSetMathMode$.HANDLE.invokeExact(handle, mode);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cublasSetMathMode", e);
        }
    }

    private static final class cublasGetStatusString$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER, C_INT);
        static final MethodHandle HANDLE = handle("cublasGetStatusString", DESC);
    }

    public static FunctionDescriptor cublasGetStatusString$descriptor() {
        return cublasGetStatusString$.DESC;
    }

    public static MethodHandle cublasGetStatusString$handle() {
        return cublasGetStatusString$.HANDLE;
    }

    /** {@code const char *cublasGetStatusString(cublasStatus_t status)} */
    public static MemorySegment cublasGetStatusString(int status) {
        try {
            return (MemorySegment) cublasGetStatusString$.HANDLE.invokeExact(status);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cublasGetStatusString", e);
        }
    }

    private static final class cublasGetStatusName$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER, C_INT);
        static final MethodHandle HANDLE = handle("cublasGetStatusName", DESC);
    }

    public static FunctionDescriptor cublasGetStatusName$descriptor() {
        return cublasGetStatusName$.DESC;
    }

    public static MethodHandle cublasGetStatusName$handle() {
        return cublasGetStatusName$.HANDLE;
    }

    /** {@code const char *cublasGetStatusName(cublasStatus_t status)} */
    public static MemorySegment cublasGetStatusName(int status) {
        try {
            return (MemorySegment) cublasGetStatusName$.HANDLE.invokeExact(status);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cublasGetStatusName", e);
        }
    }

    // ------------------------------------------------------------------ level 3

    private static final class cublasSgemm_v2$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_INT, C_INT, C_INT, C_POINTER, C_POINTER, C_INT, C_POINTER, C_INT, C_POINTER, C_POINTER, C_INT);
        static final MethodHandle HANDLE = handle("cublasSgemm_v2", DESC);
    }

    public static FunctionDescriptor cublasSgemm_v2$descriptor() {
        return cublasSgemm_v2$.DESC;
    }

    public static MethodHandle cublasSgemm_v2$handle() {
        return cublasSgemm_v2$.HANDLE;
    }

    /** {@code cublasStatus_t cublasSgemm_v2(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const float *alpha, const float *A, int lda, const float *B, int ldb, const float *beta, float *C, int ldc)} */
    public static int cublasSgemm_v2(MemorySegment handle, int transa, int transb, int m, int n, int k, MemorySegment alpha, MemorySegment A, int lda, MemorySegment B, int ldb, MemorySegment beta, MemorySegment C, int ldc) {
        try {
            return (int) cublasSgemm_v2$.HANDLE.invokeExact(handle, transa, transb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cublasSgemm_v2", e);
        }
    }

    private static final class cublasSgemmStridedBatched$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_INT, C_INT, C_INT, C_POINTER, C_POINTER, C_INT, C_LONG, C_POINTER, C_INT, C_LONG, C_POINTER, C_POINTER, C_INT, C_LONG, C_INT);
        static final MethodHandle HANDLE = handle("cublasSgemmStridedBatched", DESC);
    }

    public static FunctionDescriptor cublasSgemmStridedBatched$descriptor() {
        return cublasSgemmStridedBatched$.DESC;
    }

    public static MethodHandle cublasSgemmStridedBatched$handle() {
        return cublasSgemmStridedBatched$.HANDLE;
    }

    /** {@code cublasStatus_t cublasSgemmStridedBatched(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const float *alpha, const float *A, int lda, long long int strideA, const float *B, int ldb, long long int strideB, const float *beta, float *C, int ldc, long long int strideC, int batchCount)} */
    public static int cublasSgemmStridedBatched(MemorySegment handle, int transa, int transb, int m, int n, int k, MemorySegment alpha, MemorySegment A, int lda, long strideA, MemorySegment B, int ldb, long strideB, MemorySegment beta, MemorySegment C, int ldc, long strideC, int batchCount) {
        try {
            return (int) cublasSgemmStridedBatched$.HANDLE.invokeExact(handle, transa, transb, m, n, k, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc, strideC, batchCount);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from cublasSgemmStridedBatched", e);
        }
    }
}
