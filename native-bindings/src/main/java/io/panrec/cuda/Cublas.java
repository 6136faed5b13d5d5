package io.panrec.cuda;

import io.panrec.cuda.CudaLibraries.Library;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.panrec.cuda.raw.cublas_h.*;

/**
 * The safe layer over {@link io.panrec.cuda.raw.cublas_h}: a closeable handle bound to a stream, and sgemm
 * calls whose status goes through {@link #check} with {@code cublasGetStatusString}. cuBLAS is column-major;
 * callers pass column-major shapes (see {@code CudaBackend.matmul} for the row-major mapping).
 */
public final class Cublas {
    private Cublas() {
    }

    public static void check(int status, String function) {
        check(status, function, null);
    }

    public static void check(int status, String function, String detail) {
        if (status != CUBLAS_STATUS_SUCCESS) {
            throw new CudaException(Library.CUBLAS, function, status, statusString(status), detail);
        }
    }

    static String statusString(int status) {
        try {
            return Cuda.cString(cublasGetStatusString(status));
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** A cuBLAS handle; not to be used by two threads at once. */
    public static final class Handle implements AutoCloseable {
        private final MemorySegment handle;
        private final AtomicBoolean closed = new AtomicBoolean();

        /**
         * A handle whose work goes to {@code stream}. {@code tf32} lets FP32 products use TF32 tensor cores
         * (faster on Ampere and newer, about 3 decimal digits); off, sgemm is plain FP32 like the CPU backends.
         */
        public Handle(Cuda.Stream stream, boolean tf32) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment out = a.allocate(C_POINTER);
                check(cublasCreate_v2(out), "cublasCreate");
                handle = out.get(C_POINTER, 0);
            }
            try {
                check(cublasSetStream_v2(handle, stream.handle()), "cublasSetStream");
                check(cublasSetMathMode(handle, tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
            } catch (RuntimeException e) {
                cublasDestroy_v2(handle);
                throw e;
            }
        }

        public MemorySegment handle() {
            if (closed.get()) {
                throw new IllegalStateException("cuBLAS handle is closed");
            }
            return handle;
        }

        /** The library's version, e.g. 120402 for 12.4.2. */
        public int version() {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment v = a.allocate(C_INT);
                check(cublasGetVersion_v2(handle(), v), "cublasGetVersion");
                return v.get(C_INT, 0);
            }
        }

        /**
         * Column-major {@code C[i] = alpha op(A[i]) op(B[i]) + beta C[i]} for {@code batch} matrices at constant
         * strides (in elements; 0 repeats an operand). With one matrix it calls plain sgemm.
         */
        public void sgemmStridedBatched(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                        long a, int lda, long strideA, long b, int ldb, long strideB, float beta,
                                        long c, int ldc, long strideC, int batch, String what) {
            try (Arena ar = Arena.ofConfined()) {
                MemorySegment al = ar.allocateFrom(C_FLOAT, alpha);
                MemorySegment be = ar.allocateFrom(C_FLOAT, beta);
                int ta = transA ? CUBLAS_OP_T : CUBLAS_OP_N;
                int tb = transB ? CUBLAS_OP_T : CUBLAS_OP_N;
                if (batch == 1) {
                    check(cublasSgemm_v2(handle(), ta, tb, m, n, k, al, MemorySegment.ofAddress(a), lda,
                            MemorySegment.ofAddress(b), ldb, be, MemorySegment.ofAddress(c), ldc), "cublasSgemm", what);
                } else {
                    check(cublasSgemmStridedBatched(handle(), ta, tb, m, n, k, al, MemorySegment.ofAddress(a), lda, strideA,
                            MemorySegment.ofAddress(b), ldb, strideB, be, MemorySegment.ofAddress(c), ldc, strideC, batch),
                            "cublasSgemmStridedBatched", what);
                }
            }
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                cublasDestroy_v2(handle);
            }
        }
    }
}
