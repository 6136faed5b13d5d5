package io.panrec.cuda;

import io.panrec.cuda.CudaLibraries.Library;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.panrec.cuda.raw.cudnn_h.*;

/**
 * The safe layer over {@link io.panrec.cuda.raw.cudnn_h}: AutoCloseable handle and descriptors (tensor,
 * filter, convolution, pooling, activation), each destroyed exactly once, and the operations with every
 * status checked through {@link #check} with {@code cudnnGetErrorString}. All data is FP32 and NCHW.
 */
public final class Cudnn {
    private Cudnn() {
    }

    public static void check(int status, String function) {
        check(status, function, null);
    }

    public static void check(int status, String function, String detail) {
        if (status != CUDNN_STATUS_SUCCESS) {
            throw new CudaException(Library.CUDNN, function, status, statusString(status), detail);
        }
    }

    static String statusString(int status) {
        try {
            return Cuda.cString(cudnnGetErrorString(status));
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    interface Creator {
        int create(MemorySegment out);
    }

    static MemorySegment create(String function, Creator c) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(C_POINTER);
            check(c.create(out), function);
            return out.get(C_POINTER, 0);
        }
    }

    /** Base of the handles: the native pointer and an idempotent close. */
    public abstract static class Resource implements AutoCloseable {
        protected final MemorySegment handle;
        private final AtomicBoolean closed = new AtomicBoolean();

        Resource(MemorySegment handle) {
            this.handle = handle;
        }

        public MemorySegment handle() {
            if (closed.get()) {
                throw new IllegalStateException(getClass().getSimpleName() + " is closed");
            }
            return handle;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                destroy();
            }
        }

        abstract void destroy();
    }

    /** A cuDNN handle bound to a stream; one thread at a time. */
    public static final class Handle extends Resource {
        public Handle(Cuda.Stream stream) {
            super(create("cudnnCreate", out -> cudnnCreate(out)));
            try {
                check(cudnnSetStream(handle, stream.handle()), "cudnnSetStream");
            } catch (RuntimeException e) {
                cudnnDestroy(handle);
                throw e;
            }
        }

        @Override
        void destroy() {
            cudnnDestroy(handle);
        }
    }

    /** An FP32 4-D tensor descriptor with explicit strides (elements). */
    public static final class TensorDesc extends Resource {
        public TensorDesc(int n, int c, int h, int w, int sn, int sc, int sh, int sw) {
            super(create("cudnnCreateTensorDescriptor", out -> cudnnCreateTensorDescriptor(out)));
            try {
                check(cudnnSetTensor4dDescriptorEx(handle, CUDNN_DATA_FLOAT, n, c, h, w, sn, sc, sh, sw),
                        "cudnnSetTensor4dDescriptorEx", "[" + n + ", " + c + ", " + h + ", " + w + "]");
            } catch (RuntimeException e) {
                cudnnDestroyTensorDescriptor(handle);
                throw e;
            }
        }

        /** A packed NCHW tensor. */
        public static TensorDesc packed(int n, int c, int h, int w) {
            return new TensorDesc(n, c, h, w, c * h * w, h * w, w, 1);
        }

        @Override
        void destroy() {
            cudnnDestroyTensorDescriptor(handle);
        }
    }

    /** An FP32 NCHW filter [k, c, h, w] (packed). */
    public static final class FilterDesc extends Resource {
        public FilterDesc(int k, int c, int h, int w) {
            super(create("cudnnCreateFilterDescriptor", out -> cudnnCreateFilterDescriptor(out)));
            try {
                check(cudnnSetFilter4dDescriptor(handle, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, k, c, h, w),
                        "cudnnSetFilter4dDescriptor", "[" + k + ", " + c + ", " + h + ", " + w + "]");
            } catch (RuntimeException e) {
                cudnnDestroyFilterDescriptor(handle);
                throw e;
            }
        }

        @Override
        void destroy() {
            cudnnDestroyFilterDescriptor(handle);
        }
    }

    /**
     * A 2-D cross-correlation (what deep-learning frameworks call convolution) in FP32, with groups. Without
     * {@code tf32} the math type is FMA, so no tensor-core TF32 rounding sneaks in on Ampere and newer.
     */
    public static final class ConvDesc extends Resource {
        public ConvDesc(int padH, int padW, int strideH, int strideW, int dilH, int dilW, int groups, boolean tf32) {
            super(create("cudnnCreateConvolutionDescriptor", out -> cudnnCreateConvolutionDescriptor(out)));
            try {
                check(cudnnSetConvolution2dDescriptor(handle, padH, padW, strideH, strideW, dilH, dilW, CUDNN_CROSS_CORRELATION,
                        CUDNN_DATA_FLOAT), "cudnnSetConvolution2dDescriptor");
                check(cudnnSetConvolutionGroupCount(handle, groups), "cudnnSetConvolutionGroupCount");
                mathType(tf32 ? CUDNN_DEFAULT_MATH : CUDNN_FMA_MATH);
            } catch (RuntimeException e) {
                cudnnDestroyConvolutionDescriptor(handle);
                throw e;
            }
        }

        public void mathType(int type) {
            check(cudnnSetConvolutionMathType(handle(), type), "cudnnSetConvolutionMathType");
        }

        @Override
        void destroy() {
            cudnnDestroyConvolutionDescriptor(handle);
        }
    }

    public static final class PoolingDesc extends Resource {
        public PoolingDesc(int mode, int kh, int kw, int padH, int padW, int strideH, int strideW) {
            super(create("cudnnCreatePoolingDescriptor", out -> cudnnCreatePoolingDescriptor(out)));
            try {
                check(cudnnSetPooling2dDescriptor(handle, mode, CUDNN_PROPAGATE_NAN, kh, kw, padH, padW, strideH, strideW),
                        "cudnnSetPooling2dDescriptor");
            } catch (RuntimeException e) {
                cudnnDestroyPoolingDescriptor(handle);
                throw e;
            }
        }

        @Override
        void destroy() {
            cudnnDestroyPoolingDescriptor(handle);
        }
    }

    public static final class ActivationDesc extends Resource {
        public ActivationDesc(int mode) {
            super(create("cudnnCreateActivationDescriptor", out -> cudnnCreateActivationDescriptor(out)));
            try {
                check(cudnnSetActivationDescriptor(handle, mode, CUDNN_PROPAGATE_NAN, 0.0), "cudnnSetActivationDescriptor");
            } catch (RuntimeException e) {
                cudnnDestroyActivationDescriptor(handle);
                throw e;
            }
        }

        @Override
        void destroy() {
            cudnnDestroyActivationDescriptor(handle);
        }
    }

    // ------------------------------------------------------------------ algorithm choice

    /** An algorithm with the math type it runs in and the workspace it needs. */
    public record Algo(int algo, int mathType, long workspace) {
    }

    /** Which convolution pass an algorithm is for. */
    public enum Pass { FORWARD, BACKWARD_DATA, BACKWARD_FILTER }

    /**
     * The first algorithm cuDNN's heuristics rank that succeeds, needs at most {@code maxWorkspace} bytes and,
     * without {@code tf32}, does not use TF32 tensor ops; its math type is set on {@code conv}.
     */
    public static Algo chooseAlgorithm(Handle h, Pass pass, TensorDesc x, FilterDesc w, ConvDesc conv, TensorDesc y,
                                       long maxWorkspace, boolean tf32) {
        int count = switch (pass) {
            case FORWARD -> CUDNN_CONVOLUTION_FWD_ALGO_COUNT;
            case BACKWARD_DATA -> CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT;
            case BACKWARD_FILTER -> CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT;
        };
        try (Arena a = Arena.ofConfined()) {
            MemorySegment returned = a.allocate(C_INT);
            MemorySegment perf = a.allocate(cudnnConvolutionAlgoPerf_t, count);
            String fn = switch (pass) {
                case FORWARD -> "cudnnGetConvolutionForwardAlgorithm_v7";
                case BACKWARD_DATA -> "cudnnGetConvolutionBackwardDataAlgorithm_v7";
                case BACKWARD_FILTER -> "cudnnGetConvolutionBackwardFilterAlgorithm_v7";
            };
            int rc = switch (pass) {
                case FORWARD -> cudnnGetConvolutionForwardAlgorithm_v7(h.handle(), x.handle(), w.handle(), conv.handle(), y.handle(),
                        count, returned, perf);
                case BACKWARD_DATA -> cudnnGetConvolutionBackwardDataAlgorithm_v7(h.handle(), w.handle(), y.handle(), conv.handle(),
                        x.handle(), count, returned, perf);
                case BACKWARD_FILTER -> cudnnGetConvolutionBackwardFilterAlgorithm_v7(h.handle(), x.handle(), y.handle(),
                        conv.handle(), w.handle(), count, returned, perf);
            };
            check(rc, fn);
            int n = returned.get(C_INT, 0);
            long size = cudnnConvolutionAlgoPerf_t.byteSize();
            StringBuilder tried = new StringBuilder();
            for (int i = 0; i < n; i++) {
                int algo = perf.get(C_INT, i * size);
                int status = perf.get(C_INT, i * size + 4);
                long memory = perf.get(C_LONG, i * size + 16);
                int math = perf.get(C_INT, i * size + 28);
                tried.append(" algo ").append(algo).append(" status ").append(status).append(" math ").append(math)
                        .append(" memory ").append(memory).append(';');
                boolean tensorOps = math == CUDNN_TENSOR_OP_MATH || math == 2;
                if (status != CUDNN_STATUS_SUCCESS || memory > maxWorkspace || (tensorOps && !tf32)) {
                    continue;
                }
                conv.mathType(tf32 ? math : CUDNN_FMA_MATH);
                long ws = workspaceSize(h, pass, x, w, conv, y, algo);
                if (ws <= maxWorkspace) {
                    return new Algo(algo, tf32 ? math : CUDNN_FMA_MATH, ws);
                }
            }
            throw new CudaException(Library.CUDNN, fn, CUDNN_STATUS_NOT_SUPPORTED, "no usable algorithm",
                    pass + " within " + maxWorkspace + " bytes of workspace" + (tf32 ? "" : " without TF32") + ";" + tried);
        }
    }

    static long workspaceSize(Handle h, Pass pass, TensorDesc x, FilterDesc w, ConvDesc conv, TensorDesc y, int algo) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment size = a.allocate(C_LONG);
            switch (pass) {
                case FORWARD -> check(cudnnGetConvolutionForwardWorkspaceSize(h.handle(), x.handle(), w.handle(), conv.handle(),
                        y.handle(), algo, size), "cudnnGetConvolutionForwardWorkspaceSize");
                case BACKWARD_DATA -> check(cudnnGetConvolutionBackwardDataWorkspaceSize(h.handle(), w.handle(), y.handle(),
                        conv.handle(), x.handle(), algo, size), "cudnnGetConvolutionBackwardDataWorkspaceSize");
                case BACKWARD_FILTER -> check(cudnnGetConvolutionBackwardFilterWorkspaceSize(h.handle(), x.handle(), y.handle(),
                        conv.handle(), w.handle(), algo, size), "cudnnGetConvolutionBackwardFilterWorkspaceSize");
            }
            return size.get(C_LONG, 0);
        }
    }

    // ------------------------------------------------------------------ operations (alpha and beta are host floats)

    private static MemorySegment f(Arena a, float v) {
        return a.allocateFrom(C_FLOAT, v);
    }

    private static MemorySegment p(long address) {
        return MemorySegment.ofAddress(address);
    }

    /** y = conv(x, w) (beta 0). */
    public static void convolutionForward(Handle h, TensorDesc xd, long x, FilterDesc wd, long w, ConvDesc conv, Algo algo,
                                          long workspace, TensorDesc yd, long y) {
        try (Arena a = Arena.ofConfined()) {
            check(cudnnConvolutionForward(h.handle(), f(a, 1), xd.handle(), p(x), wd.handle(), p(w), conv.handle(), algo.algo(),
                    p(workspace), algo.workspace(), f(a, 0), yd.handle(), p(y)), "cudnnConvolutionForward", "algo " + algo.algo());
        }
    }

    /** c += a, broadcasting a over c's size-1 dimensions (the bias of a convolution). */
    public static void addTensor(Handle h, TensorDesc ad, long aPtr, TensorDesc cd, long c) {
        try (Arena a = Arena.ofConfined()) {
            check(cudnnAddTensor(h.handle(), f(a, 1), ad.handle(), p(aPtr), f(a, 1), cd.handle(), p(c)), "cudnnAddTensor");
        }
    }

    /** dx = conv^T(dy, w) (beta 0). */
    public static void convolutionBackwardData(Handle h, FilterDesc wd, long w, TensorDesc dyd, long dy, ConvDesc conv, Algo algo,
                                               long workspace, TensorDesc dxd, long dx) {
        try (Arena a = Arena.ofConfined()) {
            check(cudnnConvolutionBackwardData(h.handle(), f(a, 1), wd.handle(), p(w), dyd.handle(), p(dy), conv.handle(),
                    algo.algo(), p(workspace), algo.workspace(), f(a, 0), dxd.handle(), p(dx)), "cudnnConvolutionBackwardData",
                    "algo " + algo.algo());
        }
    }

    /** dw = corr(x, dy) (beta 0). */
    public static void convolutionBackwardFilter(Handle h, TensorDesc xd, long x, TensorDesc dyd, long dy, ConvDesc conv,
                                                 Algo algo, long workspace, FilterDesc dwd, long dw) {
        try (Arena a = Arena.ofConfined()) {
            check(cudnnConvolutionBackwardFilter(h.handle(), f(a, 1), xd.handle(), p(x), dyd.handle(), p(dy), conv.handle(),
                    algo.algo(), p(workspace), algo.workspace(), f(a, 0), dwd.handle(), p(dw)), "cudnnConvolutionBackwardFilter",
                    "algo " + algo.algo());
        }
    }

    /** db = sum of dy over N, H, W (beta 0). */
    public static void convolutionBackwardBias(Handle h, TensorDesc dyd, long dy, TensorDesc dbd, long db) {
        try (Arena a = Arena.ofConfined()) {
            check(cudnnConvolutionBackwardBias(h.handle(), f(a, 1), dyd.handle(), p(dy), f(a, 0), dbd.handle(), p(db)),
                    "cudnnConvolutionBackwardBias");
        }
    }

    public static void poolingForward(Handle h, PoolingDesc pd, TensorDesc xd, long x, TensorDesc yd, long y) {
        try (Arena a = Arena.ofConfined()) {
            check(cudnnPoolingForward(h.handle(), pd.handle(), f(a, 1), xd.handle(), p(x), f(a, 0), yd.handle(), p(y)),
                    "cudnnPoolingForward");
        }
    }

    public static void poolingBackward(Handle h, PoolingDesc pd, TensorDesc yd, long y, TensorDesc dyd, long dy, TensorDesc xd,
                                       long x, TensorDesc dxd, long dx) {
        try (Arena a = Arena.ofConfined()) {
            check(cudnnPoolingBackward(h.handle(), pd.handle(), f(a, 1), yd.handle(), p(y), dyd.handle(), p(dy), xd.handle(), p(x),
                    f(a, 0), dxd.handle(), p(dx)), "cudnnPoolingBackward");
        }
    }

    public static void activationForward(Handle h, ActivationDesc ad, TensorDesc xd, long x, TensorDesc yd, long y) {
        try (Arena a = Arena.ofConfined()) {
            check(cudnnActivationForward(h.handle(), ad.handle(), f(a, 1), xd.handle(), p(x), f(a, 0), yd.handle(), p(y)),
                    "cudnnActivationForward");
        }
    }

    public static void activationBackward(Handle h, ActivationDesc ad, TensorDesc yd, long y, TensorDesc dyd, long dy,
                                          TensorDesc xd, long x, TensorDesc dxd, long dx) {
        try (Arena a = Arena.ofConfined()) {
            check(cudnnActivationBackward(h.handle(), ad.handle(), f(a, 1), yd.handle(), p(y), dyd.handle(), p(dy), xd.handle(),
                    p(x), f(a, 0), dxd.handle(), p(dx)), "cudnnActivationBackward");
        }
    }

    /** (Log-)softmax over C for each (n, h, w). */
    public static void softmaxForward(Handle h, boolean log, TensorDesc xd, long x, TensorDesc yd, long y) {
        try (Arena a = Arena.ofConfined()) {
            check(cudnnSoftmaxForward(h.handle(), log ? CUDNN_SOFTMAX_LOG : CUDNN_SOFTMAX_ACCURATE, CUDNN_SOFTMAX_MODE_CHANNEL,
                    f(a, 1), xd.handle(), p(x), f(a, 0), yd.handle(), p(y)), "cudnnSoftmaxForward");
        }
    }

    public static void softmaxBackward(Handle h, boolean log, TensorDesc yd, long y, TensorDesc dyd, long dy, TensorDesc dxd,
                                       long dx) {
        try (Arena a = Arena.ofConfined()) {
            check(cudnnSoftmaxBackward(h.handle(), log ? CUDNN_SOFTMAX_LOG : CUDNN_SOFTMAX_ACCURATE, CUDNN_SOFTMAX_MODE_CHANNEL,
                    f(a, 1), yd.handle(), p(y), dyd.handle(), p(dy), f(a, 0), dxd.handle(), p(dx)), "cudnnSoftmaxBackward");
        }
    }
}
