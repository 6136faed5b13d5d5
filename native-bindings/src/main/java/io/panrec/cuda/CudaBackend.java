package io.panrec.cuda;

import io.panrec.backend.Backend;
import io.panrec.backend.Backends;
import io.panrec.backend.BinaryOp;
import io.panrec.backend.ConvSpec;
import io.panrec.backend.PoolSpec;
import io.panrec.backend.ReduceOp;
import io.panrec.backend.UnaryOp;
import io.panrec.cuda.CudaChecks.Route;
import io.panrec.tensor.DType;
import io.panrec.tensor.Device;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Shape;
import io.panrec.tensor.Tensor;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static io.panrec.cuda.CudaChecks.f32;
import static io.panrec.cuda.CudaChecks.fitsInt;
import static io.panrec.cuda.CudaChecks.rank;
import static io.panrec.cuda.CudaChecks.route;
import static io.panrec.cuda.CudaChecks.sameShape;
import static io.panrec.cuda.CudaChecks.shape;
import static io.panrec.cuda.CudaChecks.writable;
import static io.panrec.cuda.raw.cudnn_h.CUDNN_ACTIVATION_RELU;
import static io.panrec.cuda.raw.cudnn_h.CUDNN_ACTIVATION_SIGMOID;
import static io.panrec.cuda.raw.cudnn_h.CUDNN_ACTIVATION_TANH;
import static io.panrec.cuda.raw.cudnn_h.CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING;
import static io.panrec.cuda.raw.cudnn_h.CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING;
import static io.panrec.cuda.raw.cudnn_h.CUDNN_POOLING_MAX_DETERMINISTIC;

/**
 * The GPU backend: every kernel of the SPI on tensors in the memory of one NVIDIA GPU.
 * <ul>
 *   <li>matmul: cuBLAS sgemm / strided-batched sgemm. cuBLAS is column-major: a row-major
 *       {@code C = A B} is computed as {@code C^T = B^T A^T}, which is the same memory, and transposed or
 *       column-major views are passed as transpose flags, so no operand is copied unless its strides fit
 *       neither layout;</li>
 *   <li>conv2d (forward, both backward passes, with algorithm choice by cuDNN's heuristics, cached per shape,
 *       and a reused workspace), max/average pooling and its gradient, (log-)softmax and its gradient, and
 *       ReLU/sigmoid/tanh on contiguous tensors: cuDNN 9;</li>
 *   <li>the other element-wise functions and gradients, broadcasting binary ops, reductions, copies with dtype
 *       conversion, fill, gather and scatter-add of rows, layer norm: small kernels compiled at run time with
 *       NVRTC ({@link CudaKernels}).</li>
 * </ul>
 *
 * <p>Which memory: a call whose tensors are all on this GPU runs there; a call whose tensors are all in host
 * memory runs on the best CPU backend ({@code onednn}, else the pure-Java one; {@code -Dpanrec.cuda.host=NAME}
 * chooses), so that ranking this backend first on a GPU machine leaves host code as it was. A call mixing the
 * two is an error: data moves only through {@link CudaTensors}. Computation on the GPU is FP32; other dtypes
 * are an {@link UnsupportedOperationException} naming the op (copy and fill take every dtype).
 *
 * <p>Everything is checked in Java before a native call: devices, liveness, dtypes, shapes, int limits.
 * GPU work is queued on the device's stream and runs asynchronously; {@link CudaTensors#toHost} waits for it,
 * and the errors of a kernel that failed surface at that point.
 */
public final class CudaBackend implements Backend {
    /** Names the backend that runs calls on host tensors (default: onednn if available, else vector/reference). */
    public static final String HOST_PROPERTY = "panrec.cuda.host";

    private final CudaDevice dev;
    private final CudaKernels k;
    private final Map<String, Cudnn.Algo> algorithms = new ConcurrentHashMap<>();
    private volatile Backend host;

    CudaBackend(CudaDevice dev) {
        this.dev = dev;
        this.k = dev.kernels();
    }

    /** The backend of GPU {@code index} (after {@link CudaLibraries#availability()} said yes). */
    public static CudaBackend create(int index) {
        return new CudaBackend(CudaDevice.get(index));
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public Device.Kind deviceKind() {
        return Device.Kind.CUDA;
    }

    /** The GPU this backend computes on. */
    public Device device() {
        return Device.cuda(dev.index);
    }

    /** Its GPU, and the host (calls on host tensors run on {@link #host()}). */
    @Override
    public boolean runsOn(Device d) {
        return d.isHost() || (d.kind() == Device.Kind.CUDA && d.index() == dev.index);
    }

    /** GPU memory for {@code cuda:N} (this backend's GPU), host memory for the CPU. */
    @Override
    public Tensor empty(Scope scope, Device d, DType dtype, int... shape) {
        if (d.isHost()) {
            return Tensor.empty(scope, dtype, shape);
        }
        return CudaTensors.allocate(scope, deviceFor("empty", d), dtype, Shape.check(shape));
    }

    @Override
    public Tensor zeros(Scope scope, Device d, DType dtype, int... shape) {
        if (d.isHost()) {
            return Tensor.zeros(scope, dtype, shape);
        }
        deviceFor("zeros", d);
        return CudaTensors.zeros(scope, d, dtype, shape);
    }

    /** Host to GPU or GPU to host, through {@link CudaTensors} (which waits until the host side is done with). */
    @Override
    public void transfer(Tensor src, Tensor dst) {
        if (src.device().isHost() && !dst.device().isHost()) {
            deviceFor("transfer", dst.device());
            CudaTensors.copyFromHost(src, dst);
        } else if (!src.device().isHost() && dst.device().isHost()) {
            deviceFor("transfer", src.device());
            CudaTensors.copyToHost(src, dst);
        } else {
            throw new IllegalArgumentException("cuda transfer: needs one host and one cuda:" + dev.index + " tensor, got "
                    + src.describe() + " on " + src.device() + " -> " + dst.describe() + " on " + dst.device());
        }
    }

    private CudaDevice deviceFor(String op, Device d) {
        if (d.kind() != Device.Kind.CUDA || d.index() != dev.index) {
            throw new IllegalArgumentException("cuda " + op + ": this backend runs on cuda:" + dev.index + ", not on " + d);
        }
        return dev;
    }

    /** "sm_90 CUBIN" once the NVRTC kernels are compiled. */
    public String kernelImage() {
        return dev.kernelImage();
    }

    /** The backend that runs calls whose tensors are all in host memory; resolved on first use. */
    public Backend host() {
        Backend h = host;
        if (h == null) {
            synchronized (this) {
                h = host;
                if (h == null) {
                    String forced = System.getProperty(HOST_PROPERTY, "").trim();
                    if (!forced.isEmpty()) {
                        h = Backends.named(forced);
                    } else {
                        try {
                            h = Backends.named("onednn");
                        } catch (IllegalStateException | IllegalArgumentException e) {
                            h = Backends.bestPureJava();
                        }
                    }
                    if (h.deviceKind() != Device.Kind.CPU) {
                        throw new IllegalStateException("-D" + HOST_PROPERTY + "=" + forced + " names a backend for "
                                + h.deviceKind() + " memory; name a CPU backend (onednn, vector, reference)");
                    }
                    host = h;
                }
            }
        }
        return h;
    }

    private Route where(String op, Tensor... ts) {
        return route(op, dev.index, ts);
    }

    // ------------------------------------------------------------------ matmul (cuBLAS)

    @Override
    public void matmul(Tensor a, Tensor b, Tensor c, float alpha, float beta) {
        if (where("matmul", a, b, c) == Route.HOST) {
            host().matmul(a, b, c, alpha, beta);
            return;
        }
        String op = "matmul";
        f32(op, a, b, c);
        rank(op, "a", a, 3);
        rank(op, "b", b, 3);
        rank(op, "c", c, 3);
        int batch = c.shape(0);
        int m = c.shape(1);
        int n = c.shape(2);
        int kk = a.shape(2);
        shape(op, "a", a, batch, m, kk);
        shape(op, "b", b, batch, kk, n);
        writable(op, c);
        if (batch == 0 || m == 0 || n == 0) {
            return;
        }
        dev.enter();
        if (kk == 0) {
            // nothing to sum: C = beta C, and with beta 0 C's old contents (even NaN) are ignored
            if (beta == 0) {
                k.fill(c, 0);
            } else {
                k.scale(beta, c, c);
            }
            return;
        }
        try (Packed pa = matrixOperand(a); Packed pb = matrixOperand(b); Packed pc = matrixResult(c, beta != 0);
             CudaDevice.Context ctx = dev.acquire()) {
            Gemm g = Gemm.plan(pa.t, pa.batchStride(a.stride(0)), pb.t, pb.batchStride(b.stride(0)), pc.t);
            String what = "[" + batch + ", " + m + ", " + kk + "] x [" + batch + ", " + kk + ", " + n + "]";
            ctx.cublas.sgemmStridedBatched(g.transA(), g.transB(), g.m(), g.n(), g.k(), alpha, addr(g.a()), g.lda(), g.strideA(),
                    addr(g.b()), g.ldb(), g.strideB(), beta, addr(pc.t), g.ldc(), g.strideC(), batch, what);
        }
    }

    /**
     * How a [R, S] matrix view looks to column-major cuBLAS: {@code trans == false} means the memory is the
     * R x S matrix column-major with leading dimension {@code ld}; {@code true} means it is the S x R transpose
     * (i.e. row-major R x S), so op = T recovers it.
     */
    record Layout(boolean trans, int ld) {
    }

    /** The layout of the last two axes of a rank-3 view, or null if they fit neither (a copy is needed). */
    static Layout layoutOrNull(Tensor t) {
        int r = t.shape(1);
        int s = t.shape(2);
        long sr = t.stride(1);
        long ss = t.stride(2);
        if ((ss == 1 || s == 1) && (r == 1 || sr >= s) && sr >= 0) {
            long ld = r == 1 ? Math.max(s, 1) : sr;
            return ld <= Integer.MAX_VALUE ? new Layout(true, (int) ld) : null;
        }
        if ((sr == 1 || r == 1) && (s == 1 || ss >= r) && ss >= 0) {
            long ld = s == 1 ? Math.max(r, 1) : ss;
            return ld <= Integer.MAX_VALUE ? new Layout(false, (int) ld) : null;
        }
        return null;
    }

    /**
     * One cuBLAS call for a batched row-major product C = A B (rank-3 views whose matrices each have a
     * {@link Layout}): column-major {@code C = op(a) op(b)} with a, b the tensors whose memory cuBLAS reads. A
     * row-major C is the column-major n x m matrix C^T, so then the call computes C^T = B^T A^T, swapping the
     * operands and flipping their transpose flags.
     */
    record Gemm(boolean transA, boolean transB, int m, int n, int k, Tensor a, int lda, long strideA, Tensor b, int ldb,
                long strideB, int ldc, long strideC) {

        static Gemm plan(Tensor a, long strideA, Tensor b, long strideB, Tensor c) {
            Layout la = layout(a);
            Layout lb = layout(b);
            Layout lc = layout(c);
            int m = c.shape(1);
            int n = c.shape(2);
            int k = a.shape(2);
            if (lc.trans) {
                return new Gemm(!lb.trans, !la.trans, n, m, k, b, lb.ld, strideB, a, la.ld, strideA, lc.ld, c.stride(0));
            }
            return new Gemm(la.trans, lb.trans, m, n, k, a, la.ld, strideA, b, lb.ld, strideB, lc.ld, c.stride(0));
        }
    }

    private static Layout layout(Tensor t) {
        Layout l = layoutOrNull(t);
        if (l == null) {
            throw new IllegalStateException("matrix operand " + t.describe() + " was not packed");
        }
        return l;
    }

    private Packed matrixOperand(Tensor t) {
        return layoutOrNull(t) != null ? new Packed(t) : Packed.copyOf(this, t, false, true);
    }

    /** C as is when cuBLAS can write it (row- or column-major), else a packed temporary written back on close. */
    private Packed matrixResult(Tensor c, boolean keepOld) {
        return layoutOrNull(c) != null ? new Packed(c) : Packed.copyOf(this, c, true, keepOld);
    }

    /**
     * A tensor as a native call sees it: itself, or a packed (contiguous) temporary copy on the device. An
     * output temporary is copied back into the original on close; temporaries are freed in stream order.
     */
    static final class Packed implements AutoCloseable {
        final Tensor t;
        private final Tensor original;
        private final long temp;
        private final CudaBackend owner;
        private final boolean writeBack;

        Packed(Tensor t) {
            this.t = t;
            this.original = t;
            this.temp = 0;
            this.owner = null;
            this.writeBack = false;
        }

        private Packed(CudaBackend owner, Tensor original, Tensor temp, long address, boolean writeBack) {
            this.t = temp;
            this.original = original;
            this.temp = address;
            this.owner = owner;
            this.writeBack = writeBack;
        }

        /** A packed copy of {@code t}: filled from it when {@code copyIn}, copied back into it on close when {@code output}. */
        static Packed copyOf(CudaBackend owner, Tensor t, boolean output, boolean copyIn) {
            long bytes = Math.max(t.numel() * t.dtype().byteSize(), 1);
            long address = owner.dev.allocTemp(bytes);
            Tensor tmp = CudaTensors.temp(address, t);
            if (copyIn) {
                owner.k.copy(t, tmp);
            }
            return new Packed(owner, t, tmp, address, output);
        }

        long address() {
            return t == null ? 0 : t.dataSegment().address();
        }

        /** A batch stride for a packed temporary is its matrix size unless the original broadcast (stride 0). */
        long batchStride(long originalStride) {
            if (temp == 0 || originalStride == 0) {
                return originalStride;
            }
            return t.stride(0);
        }

        @Override
        public void close() {
            if (temp != 0) {
                try {
                    if (writeBack) {
                        owner.k.copy(t, original);
                    }
                } finally {
                    owner.dev.freeTemp(temp);
                }
            }
        }
    }

    /** Packed input for cuDNN (which takes packed NCHW): t itself when contiguous. */
    private Packed in(Tensor t) {
        if (t == null) {
            return new Packed(null);
        }
        return t.isContiguous() ? new Packed(t) : Packed.copyOf(this, t, false, true);
    }

    /** Packed output for cuDNN; a temporary is written back on close. */
    private Packed out(Tensor t) {
        if (t == null) {
            return new Packed(null);
        }
        writable("output", t);
        return t.isContiguous() ? new Packed(t) : Packed.copyOf(this, t, true, false);
    }

    // ------------------------------------------------------------------ element-wise

    private static boolean cudnnActivation(UnaryOp op) {
        return op == UnaryOp.RELU || op == UnaryOp.SIGMOID || op == UnaryOp.TANH;
    }

    private static int activationMode(UnaryOp op) {
        return switch (op) {
            case RELU -> CUDNN_ACTIVATION_RELU;
            case SIGMOID -> CUDNN_ACTIVATION_SIGMOID;
            case TANH -> CUDNN_ACTIVATION_TANH;
            default -> throw new IllegalArgumentException(op + " is not a cuDNN activation");
        };
    }

    private static boolean packedAll(Tensor... ts) {
        for (Tensor t : ts) {
            if (!t.isContiguous() || t.numel() > Integer.MAX_VALUE) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void unary(UnaryOp op, float alpha, Tensor x, Tensor out) {
        if (where("unary " + op, x, out) == Route.HOST) {
            host().unary(op, alpha, x, out);
            return;
        }
        f32("unary " + op, x, out);
        sameShape("unary " + op, out, x);
        writable("unary " + op, out);
        if (out.numel() == 0) {
            return;
        }
        dev.enter();
        if (cudnnActivation(op) && packedAll(x, out)) {
            int n = (int) out.numel();
            try (CudaDevice.Context ctx = dev.acquire(); Cudnn.ActivationDesc ad = new Cudnn.ActivationDesc(activationMode(op));
                 Cudnn.TensorDesc d = flat(n)) {
                Cudnn.activationForward(ctx.cudnn, ad, d, addr(x), d, addr(out));
            }
            return;
        }
        k.unary(op, alpha, x, out);
    }

    @Override
    public void unaryBackward(UnaryOp op, float alpha, Tensor x, Tensor y, Tensor gradOut, Tensor gradIn) {
        String name = "unaryBackward " + op;
        CudaChecks.notNull(name, "y (the forward output)", y);
        if (where(name, x, y, gradOut, gradIn) == Route.HOST) {
            host().unaryBackward(op, alpha, x, y, gradOut, gradIn);
            return;
        }
        f32(name, x, y, gradOut, gradIn);
        sameShape(name, gradIn, x, y, gradOut);
        writable(name, gradIn);
        if (gradIn.numel() == 0) {
            return;
        }
        dev.enter();
        if (cudnnActivation(op) && packedAll(x, y, gradOut, gradIn)) {
            int n = (int) gradIn.numel();
            try (CudaDevice.Context ctx = dev.acquire(); Cudnn.ActivationDesc ad = new Cudnn.ActivationDesc(activationMode(op));
                 Cudnn.TensorDesc d = flat(n)) {
                Cudnn.activationBackward(ctx.cudnn, ad, d, addr(y), d, addr(gradOut), d, addr(x), d, addr(gradIn));
            }
            return;
        }
        k.unaryBackward(op, alpha, x, y, gradOut, gradIn);
    }

    /** n elements as a packed [1, 1, 1, n] tensor: what cuDNN's element-wise calls need. */
    private static Cudnn.TensorDesc flat(int n) {
        return Cudnn.TensorDesc.packed(1, 1, 1, n);
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        if (where("binary " + op, a, b, out) == Route.HOST) {
            host().binary(op, a, b, out);
            return;
        }
        f32("binary " + op, a, b, out);
        sameShape("binary " + op, out, a, b);
        writable("binary " + op, out);
        dev.enter();
        k.binary(op, a, b, out);
    }

    @Override
    public void reduce(ReduceOp op, Tensor x, Tensor out) {
        if (where("reduce " + op, x, out) == Route.HOST) {
            host().reduce(op, x, out);
            return;
        }
        f32("reduce " + op, x, out);
        CudaChecks.reduceShapes("reduce " + op, x, out);
        writable("reduce " + op, out);
        dev.enter();
        k.reduce(op, x, out);
    }

    // ------------------------------------------------------------------ softmax (cuDNN)

    /** [outer, n, inner] around {@code axis}, as cuDNN's N, C, H with W = 1. */
    private static int[] aroundAxis(String op, Tensor t, int axis) {
        long outer = 1;
        long inner = 1;
        for (int d = 0; d < axis; d++) {
            outer *= t.shape(d);
        }
        for (int d = axis + 1; d < t.rank(); d++) {
            inner *= t.shape(d);
        }
        fitsInt(op, t);
        return new int[] {(int) outer, t.shape(axis), (int) inner};
    }

    @Override
    public void softmax(Tensor x, int axis, boolean log, Tensor out) {
        String op = log ? "logSoftmax" : "softmax";
        if (where(op, x, out) == Route.HOST) {
            host().softmax(x, axis, log, out);
            return;
        }
        f32(op, x, out);
        sameShape(op, out, x);
        int ax = CudaChecks.axis(op, axis, x.rank());
        if (out.numel() == 0) {
            return;
        }
        int[] s = aroundAxis(op, x, ax);
        dev.enter();
        try (Packed px = in(x); Packed po = out(out); CudaDevice.Context ctx = dev.acquire();
             Cudnn.TensorDesc d = Cudnn.TensorDesc.packed(s[0], s[1], s[2], 1)) {
            Cudnn.softmaxForward(ctx.cudnn, log, d, px.address(), d, po.address());
        }
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor gradOut, int axis, boolean log, Tensor gradIn) {
        String op = log ? "logSoftmaxBackward" : "softmaxBackward";
        if (where(op, y, gradOut, gradIn) == Route.HOST) {
            host().softmaxBackward(y, gradOut, axis, log, gradIn);
            return;
        }
        f32(op, y, gradOut, gradIn);
        sameShape(op, gradIn, y, gradOut);
        int ax = CudaChecks.axis(op, axis, y.rank());
        if (gradIn.numel() == 0) {
            return;
        }
        int[] s = aroundAxis(op, y, ax);
        dev.enter();
        try (Packed py = in(y); Packed pg = in(gradOut); Packed pi = out(gradIn); CudaDevice.Context ctx = dev.acquire();
             Cudnn.TensorDesc d = Cudnn.TensorDesc.packed(s[0], s[1], s[2], 1)) {
            Cudnn.softmaxBackward(ctx.cudnn, log, d, py.address(), d, pg.address(), d, pi.address());
        }
    }

    // ------------------------------------------------------------------ memory

    @Override
    public void copy(Tensor src, Tensor dst) {
        if (where("copy", src, dst) == Route.HOST) {
            host().copy(src, dst);
            return;
        }
        sameShape("copy", dst, src);
        writable("copy", dst);
        dev.enter();
        k.copy(src, dst);
    }

    @Override
    public void fill(Tensor dst, double value) {
        if (where("fill", dst) == Route.HOST) {
            host().fill(dst, value);
            return;
        }
        dev.enter();
        k.fill(dst, value);
    }

    @Override
    public void gatherRows(Tensor table, Tensor indices, Tensor out) {
        if (where("gatherRows", table, indices, out) == Route.HOST) {
            host().gatherRows(table, indices, out);
            return;
        }
        String op = "gatherRows";
        f32(op, table, out);
        CudaChecks.indices(op, indices);
        rank(op, "table", table, 2);
        rank(op, "indices", indices, 1);
        shape(op, "out", out, indices.shape(0), table.shape(1));
        writable(op, out);
        dev.enter();
        k.gatherRows(table, indices, out);
    }

    @Override
    public void scatterAddRows(Tensor src, Tensor indices, Tensor target) {
        if (where("scatterAddRows", src, indices, target) == Route.HOST) {
            host().scatterAddRows(src, indices, target);
            return;
        }
        String op = "scatterAddRows";
        f32(op, src, target);
        CudaChecks.indices(op, indices);
        rank(op, "target", target, 2);
        rank(op, "indices", indices, 1);
        shape(op, "src", src, indices.shape(0), target.shape(1));
        writable(op, target);
        dev.enter();
        k.scatterAddRows(src, indices, target);
    }

    // ------------------------------------------------------------------ convolution (cuDNN)

    /** Checked geometry of a convolution: x [n, c, h, w], w [o, c / groups, kh, kw], y [n, o, oh, ow]. */
    private record ConvShapes(int n, int c, int h, int w, int o, int kh, int kw, int oh, int ow) {
        String key(ConvSpec s) {
            return n + "," + c + "," + h + "," + w + "," + o + "," + kh + "," + kw + "|" + s;
        }
    }

    private static ConvShapes convShapes(String op, int[] x, Tensor w, ConvSpec s) {
        rank(op, "w", w, 4);
        int o = w.shape(0);
        int g = s.groups();
        if (x[1] % g != 0 || o % g != 0) {
            throw new IllegalArgumentException("cuda " + op + ": " + x[1] + " input and " + o + " output channels must both divide "
                    + "by groups = " + g);
        }
        if (w.shape(1) != x[1] / g) {
            throw new IllegalArgumentException("cuda " + op + ": w " + w.describe() + " must have " + x[1] / g
                    + " input channels per group (" + x[1] + " / " + g + ")");
        }
        int kh = w.shape(2);
        int kw = w.shape(3);
        int oh = ConvSpec.outputSize(x[2], kh, s.strideH(), s.padH(), s.dilationH());
        int ow = ConvSpec.outputSize(x[3], kw, s.strideW(), s.padW(), s.dilationW());
        if (oh <= 0 || ow <= 0) {
            throw new IllegalArgumentException("cuda " + op + ": input " + x[2] + "x" + x[3] + " is too small for a " + kh + "x" + kw
                    + " kernel with " + s);
        }
        return new ConvShapes(x[0], x[1], x[2], x[3], o, kh, kw, oh, ow);
    }

    private Cudnn.ConvDesc convDesc(ConvSpec s) {
        return new Cudnn.ConvDesc(s.padH(), s.padW(), s.strideH(), s.strideW(), s.dilationH(), s.dilationW(), s.groups(), dev.tf32);
    }

    private Cudnn.Algo algorithm(Cudnn.Pass pass, String key, CudaDevice.Context ctx, Cudnn.TensorDesc x, Cudnn.FilterDesc w,
                                 Cudnn.ConvDesc conv, Cudnn.TensorDesc y) {
        String full = pass + "|" + key + "|" + dev.tf32;
        Cudnn.Algo a = algorithms.get(full);
        if (a != null) {
            conv.mathType(a.mathType());
            return a;
        }
        a = Cudnn.chooseAlgorithm(ctx.cudnn, pass, x, w, conv, y, dev.maxWorkspace, dev.tf32);
        algorithms.put(full, a);
        return a;
    }

    /** Algorithms chosen so far (cuDNN's heuristics run once per shape). */
    public int algorithmsCached() {
        return algorithms.size();
    }

    @Override
    public void conv2d(Tensor x, Tensor w, Tensor bias, Tensor out, ConvSpec spec) {
        String op = "conv2d";
        if (where(op, x, w, bias, out) == Route.HOST) {
            host().conv2d(x, w, bias, out, spec);
            return;
        }
        f32(op, x, w, bias, out);
        rank(op, "x", x, 4);
        ConvShapes s = convShapes(op, x.shape(), w, spec);
        if (bias != null) {
            shape(op, "bias", bias, s.o());
        }
        shape(op, "out", out, s.n(), s.o(), s.oh(), s.ow());
        fitsInt(op, x);
        fitsInt(op, out);
        if (out.numel() == 0) {
            return;
        }
        dev.enter();
        try (Packed px = in(x); Packed pw = in(w); Packed pb = in(bias); Packed po = out(out); CudaDevice.Context ctx = dev.acquire();
             Cudnn.TensorDesc xd = Cudnn.TensorDesc.packed(s.n(), s.c(), s.h(), s.w());
             Cudnn.FilterDesc wd = new Cudnn.FilterDesc(s.o(), s.c() / spec.groups(), s.kh(), s.kw());
             Cudnn.ConvDesc cd = convDesc(spec);
             Cudnn.TensorDesc yd = Cudnn.TensorDesc.packed(s.n(), s.o(), s.oh(), s.ow())) {
            Cudnn.Algo algo = algorithm(Cudnn.Pass.FORWARD, s.key(spec), ctx, xd, wd, cd, yd);
            long ws = ctx.workspace(algo.workspace());
            Cudnn.convolutionForward(ctx.cudnn, xd, px.address(), wd, pw.address(), cd, algo, ws, yd, po.address());
            if (bias != null) {
                try (Cudnn.TensorDesc bd = Cudnn.TensorDesc.packed(1, s.o(), 1, 1)) {
                    Cudnn.addTensor(ctx.cudnn, bd, pb.address(), yd, po.address());
                }
            }
        }
    }

    @Override
    public void conv2dBackwardData(Tensor gradOut, Tensor w, Tensor gradIn, ConvSpec spec) {
        String op = "conv2dBackwardData";
        if (where(op, gradOut, w, gradIn) == Route.HOST) {
            host().conv2dBackwardData(gradOut, w, gradIn, spec);
            return;
        }
        f32(op, gradOut, w, gradIn);
        rank(op, "gradIn", gradIn, 4);
        ConvShapes s = convShapes(op, gradIn.shape(), w, spec);
        shape(op, "gradOut", gradOut, s.n(), s.o(), s.oh(), s.ow());
        fitsInt(op, gradIn);
        fitsInt(op, gradOut);
        if (gradIn.numel() == 0) {
            return;
        }
        dev.enter();
        try (Packed pg = in(gradOut); Packed pw = in(w); Packed pi = out(gradIn); CudaDevice.Context ctx = dev.acquire();
             Cudnn.TensorDesc xd = Cudnn.TensorDesc.packed(s.n(), s.c(), s.h(), s.w());
             Cudnn.FilterDesc wd = new Cudnn.FilterDesc(s.o(), s.c() / spec.groups(), s.kh(), s.kw());
             Cudnn.ConvDesc cd = convDesc(spec);
             Cudnn.TensorDesc yd = Cudnn.TensorDesc.packed(s.n(), s.o(), s.oh(), s.ow())) {
            if (gradOut.numel() == 0) {
                k.fill(pi.t, 0);
                return;
            }
            Cudnn.Algo algo = algorithm(Cudnn.Pass.BACKWARD_DATA, s.key(spec), ctx, xd, wd, cd, yd);
            long ws = ctx.workspace(algo.workspace());
            Cudnn.convolutionBackwardData(ctx.cudnn, wd, pw.address(), yd, pg.address(), cd, algo, ws, xd, pi.address());
        }
    }

    @Override
    public void conv2dBackwardWeights(Tensor x, Tensor gradOut, Tensor gradW, Tensor gradBias, ConvSpec spec) {
        String op = "conv2dBackwardWeights";
        if (where(op, x, gradOut, gradW, gradBias) == Route.HOST) {
            host().conv2dBackwardWeights(x, gradOut, gradW, gradBias, spec);
            return;
        }
        f32(op, x, gradOut, gradW, gradBias);
        rank(op, "x", x, 4);
        ConvShapes s = convShapes(op, x.shape(), gradW, spec);
        shape(op, "gradOut", gradOut, s.n(), s.o(), s.oh(), s.ow());
        if (gradBias != null) {
            shape(op, "gradBias", gradBias, s.o());
        }
        fitsInt(op, x);
        fitsInt(op, gradOut);
        if (gradW.numel() == 0) {
            return;
        }
        dev.enter();
        try (Packed px = in(x); Packed pg = in(gradOut); Packed pw = out(gradW); Packed pb = out(gradBias);
             CudaDevice.Context ctx = dev.acquire();
             Cudnn.TensorDesc xd = Cudnn.TensorDesc.packed(s.n(), s.c(), s.h(), s.w());
             Cudnn.FilterDesc wd = new Cudnn.FilterDesc(s.o(), s.c() / spec.groups(), s.kh(), s.kw());
             Cudnn.ConvDesc cd = convDesc(spec);
             Cudnn.TensorDesc yd = Cudnn.TensorDesc.packed(s.n(), s.o(), s.oh(), s.ow())) {
            if (gradOut.numel() == 0) {
                k.fill(pw.t, 0);
                if (gradBias != null) {
                    k.fill(pb.t, 0);
                }
                return;
            }
            Cudnn.Algo algo = algorithm(Cudnn.Pass.BACKWARD_FILTER, s.key(spec), ctx, xd, wd, cd, yd);
            long ws = ctx.workspace(algo.workspace());
            Cudnn.convolutionBackwardFilter(ctx.cudnn, xd, px.address(), yd, pg.address(), cd, algo, ws, wd, pw.address());
            if (gradBias != null) {
                try (Cudnn.TensorDesc bd = Cudnn.TensorDesc.packed(1, s.o(), 1, 1)) {
                    Cudnn.convolutionBackwardBias(ctx.cudnn, yd, pg.address(), bd, pb.address());
                }
            }
        }
    }

    // ------------------------------------------------------------------ pooling (cuDNN)

    private Cudnn.PoolingDesc poolingDesc(PoolSpec p) {
        int mode = switch (p.kind()) {
            // the deterministic variant: the same gradient on every run (the plain one may pick among ties by race)
            case MAX -> CUDNN_POOLING_MAX_DETERMINISTIC;
            case AVG -> p.countIncludePad() ? CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING : CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING;
        };
        return new Cudnn.PoolingDesc(mode, p.kernelH(), p.kernelW(), p.padH(), p.padW(), p.strideH(), p.strideW());
    }

    private static int[] poolShapes(String op, PoolSpec p, Tensor x, Tensor out) {
        rank(op, "x", x, 4);
        int oh = p.outputH(x.shape(2));
        int ow = p.outputW(x.shape(3));
        if (oh <= 0 || ow <= 0) {
            throw new IllegalArgumentException("cuda " + op + ": input " + x.shape(2) + "x" + x.shape(3) + " is smaller than the "
                    + p.kernelH() + "x" + p.kernelW() + " window");
        }
        shape(op, "out", out, x.shape(0), x.shape(1), oh, ow);
        fitsInt(op, x);
        return new int[] {x.shape(0), x.shape(1), x.shape(2), x.shape(3), oh, ow};
    }

    @Override
    public void pool2d(PoolSpec spec, Tensor x, Tensor out) {
        String op = "pool2d";
        if (where(op, x, out) == Route.HOST) {
            host().pool2d(spec, x, out);
            return;
        }
        f32(op, x, out);
        int[] s = poolShapes(op, spec, x, out);
        if (out.numel() == 0) {
            return;
        }
        dev.enter();
        try (Packed px = in(x); Packed po = out(out); CudaDevice.Context ctx = dev.acquire(); Cudnn.PoolingDesc pd = poolingDesc(spec);
             Cudnn.TensorDesc xd = Cudnn.TensorDesc.packed(s[0], s[1], s[2], s[3]);
             Cudnn.TensorDesc yd = Cudnn.TensorDesc.packed(s[0], s[1], s[4], s[5])) {
            Cudnn.poolingForward(ctx.cudnn, pd, xd, px.address(), yd, po.address());
        }
    }

    @Override
    public void pool2dBackward(PoolSpec spec, Tensor x, Tensor out, Tensor gradOut, Tensor gradIn) {
        String op = "pool2dBackward";
        if (where(op, x, out, gradOut, gradIn) == Route.HOST) {
            host().pool2dBackward(spec, x, out, gradOut, gradIn);
            return;
        }
        f32(op, x, out, gradOut, gradIn);
        int[] s = poolShapes(op, spec, x, out);
        sameShape(op, gradOut, out);
        sameShape(op, gradIn, x);
        if (gradIn.numel() == 0) {
            return;
        }
        dev.enter();
        try (Packed px = in(x); Packed py = in(out); Packed pg = in(gradOut); Packed pi = out(gradIn);
             CudaDevice.Context ctx = dev.acquire(); Cudnn.PoolingDesc pd = poolingDesc(spec);
             Cudnn.TensorDesc xd = Cudnn.TensorDesc.packed(s[0], s[1], s[2], s[3]);
             Cudnn.TensorDesc yd = Cudnn.TensorDesc.packed(s[0], s[1], s[4], s[5])) {
            Cudnn.poolingBackward(ctx.cudnn, pd, yd, py.address(), yd, pg.address(), xd, px.address(), xd, pi.address());
        }
    }

    // ------------------------------------------------------------------ layer norm (NVRTC)

    @Override
    public void layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps, Tensor out, Tensor mean, Tensor rstd) {
        String op = "layerNorm";
        if (where(op, x, gamma, beta, out, mean, rstd) == Route.HOST) {
            host().layerNorm(x, gamma, beta, eps, out, mean, rstd);
            return;
        }
        f32(op, x, gamma, beta, out, mean, rstd);
        rank(op, "x", x, 2);
        int r = x.shape(0);
        int d = x.shape(1);
        if (gamma != null) {
            shape(op, "gamma", gamma, d);
        }
        if (beta != null) {
            shape(op, "beta", beta, d);
        }
        shape(op, "out", out, r, d);
        shape(op, "mean", mean, r);
        shape(op, "rstd", rstd, r);
        writable(op, out);
        dev.enter();
        k.layerNorm(x, gamma, beta, eps, out, mean, rstd);
    }

    @Override
    public void layerNormBackward(Tensor x, Tensor gamma, Tensor mean, Tensor rstd, Tensor gradOut, Tensor gradIn,
                                  Tensor gradGamma, Tensor gradBeta) {
        String op = "layerNormBackward";
        if (where(op, x, gamma, mean, rstd, gradOut, gradIn, gradGamma, gradBeta) == Route.HOST) {
            host().layerNormBackward(x, gamma, mean, rstd, gradOut, gradIn, gradGamma, gradBeta);
            return;
        }
        f32(op, x, gamma, mean, rstd, gradOut, gradIn, gradGamma, gradBeta);
        rank(op, "x", x, 2);
        int r = x.shape(0);
        int d = x.shape(1);
        if (gamma != null) {
            shape(op, "gamma", gamma, d);
        }
        shape(op, "mean", mean, r);
        shape(op, "rstd", rstd, r);
        shape(op, "gradOut", gradOut, r, d);
        shape(op, "gradIn", gradIn, r, d);
        if (gradGamma != null) {
            shape(op, "gradGamma", gradGamma, d);
        }
        if (gradBeta != null) {
            shape(op, "gradBeta", gradBeta, d);
        }
        writable(op, gradIn);
        dev.enter();
        k.layerNormBackward(x, gamma, mean, rstd, gradOut, gradIn, gradGamma, gradBeta);
    }

    private static long addr(Tensor t) {
        return CudaKernels.addr(t);
    }

    @Override
    public String toString() {
        return "cuda backend on " + device() + " (" + CudaLibraries.info().describe() + "; host tensors on " + host().name() + ")";
    }
}
