package io.panrec.backend.vector;

import io.panrec.backend.BinaryOp;
import io.panrec.backend.ConvSpec;
import io.panrec.backend.DelegatingBackend;
import io.panrec.backend.PoolSpec;
import io.panrec.backend.ReduceOp;
import io.panrec.backend.UnaryOp;
import io.panrec.backend.reference.ReferenceBackend;
import io.panrec.tensor.DType;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The fast pure-Java backend: F32 kernels written with the Vector API over contiguous memory (and the
 * strides that matter: transposed matmul operands, broadcast dimensions of binary operands, strided
 * copies), a packed multithreaded SGEMM ({@link Sgemm}), and convolution as im2col + SGEMM. Each kernel
 * has a vector loop and a scalar tail computing the same formula. Whatever it does not accelerate (F64
 * and integer tensors, reductions over scattered axes, layer-norm backward) runs on the reference
 * backend over the same memory.
 *
 * <p>Loaded by name from {@link VectorBackendProvider} only when {@code jdk.incubator.vector} is in the
 * boot layer, so nothing else in core links against the incubator module.
 */
public final class VectorBackend extends DelegatingBackend {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private static final float GELU_C = (float) Math.sqrt(2 / Math.PI);

    public VectorBackend() {
        super(new ReferenceBackend());
    }

    /** Threads the kernels may use: {@code -Dpanrec.threads=N}, else the available processors. */
    public static int threads() {
        int n = Integer.getInteger("panrec.threads", Runtime.getRuntime().availableProcessors());
        return Math.max(1, n);
    }

    @Override
    public String name() {
        return "vector";
    }

    /**
     * True if every non-null tensor is F32 in host memory. Device tensors go to the reference, which
     * refuses them with a clear message: a device pointer read from Java would crash the JVM.
     */
    private static boolean f32(Tensor... ts) {
        for (Tensor t : ts) {
            if (t != null && (t.dtype() != DType.F32 || !t.device().isHost())) {
                return false;
            }
        }
        return true;
    }

    /** True if every non-null tensor is F32, in host memory and contiguous. */
    private static boolean dense(Tensor... ts) {
        for (Tensor t : ts) {
            if (t != null && (t.dtype() != DType.F32 || !t.isContiguous() || !t.device().isHost())) {
                return false;
            }
        }
        return true;
    }

    /** {@code t} itself if contiguous, else a contiguous F32 copy in the current scope (made by {@link #copy}). */
    private Tensor contiguous(Tensor t) {
        if (t.isContiguous()) {
            return t;
        }
        Tensor c = Tensor.zeros(DType.F32, t.shape());
        copy(t, c);
        return c;
    }

    private static boolean host(Tensor... ts) {
        for (Tensor t : ts) {
            if (!t.device().isHost()) {
                return false;
            }
        }
        return true;
    }

    /**
     * The lanes of {@code v} added in lane order. {@code reduceLanes(ADD)} leaves the order open, and the
     * compiled intrinsic and the interpreted fallback do differ: the same input then sums to results a few
     * ulps apart depending on whether the calling code was compiled yet, and search threads disagreed with
     * the thread that ran first. A fixed order costs a few adds per reduced row.
     */
    static float sumLanes(FloatVector v) {
        float s = 0;
        for (int i = 0; i < L; i++) {
            s += v.lane(i);
        }
        return s;
    }

    private static FloatVector load(MemorySegment s, long element) {
        return FloatVector.fromMemorySegment(S, s, element * 4, NATIVE);
    }

    private static void store(FloatVector v, MemorySegment s, long element) {
        v.intoMemorySegment(s, element * 4, NATIVE);
    }

    // ------------------------------------------------------------------ matmul

    /** {@code c[q, i, 0] = alpha a[q, i, :] . b[q, :, 0] + beta c[q, i, 0]} with unit-stride rows of a and column of b. */
    private static void matvec(Tensor a, Tensor b, Tensor c, int q, int m, int k, float alpha, float beta) {
        MemorySegment sa = a.segment();
        MemorySegment sb = b.segment();
        MemorySegment sc = c.segment();
        long ao = a.offset() + q * a.stride(0);
        long bo = b.offset() + q * b.stride(0);
        long co = c.offset() + q * c.stride(0);
        for (int i = 0; i < m; i++) {
            long ar = ao + i * a.stride(1);
            FloatVector acc0 = FloatVector.zero(S);
            FloatVector acc1 = FloatVector.zero(S);
            int j = 0;
            for (; j <= k - 2 * L; j += 2 * L) {
                acc0 = load(sa, ar + j).fma(load(sb, bo + j), acc0);
                acc1 = load(sa, ar + j + L).fma(load(sb, bo + j + L), acc1);
            }
            for (; j <= k - L; j += L) {
                acc0 = load(sa, ar + j).fma(load(sb, bo + j), acc0);
            }
            float dot = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
            for (; j < k; j++) {
                dot = Math.fma(sa.getAtIndex(F, ar + j), sb.getAtIndex(F, bo + j), dot);
            }
            long at = co + i * c.stride(1);
            float v = alpha * dot;
            sc.setAtIndex(F, at, beta == 0f ? v : v + beta * sc.getAtIndex(F, at));
        }
    }

    @Override
    public void matmul(Tensor a, Tensor b, Tensor c, float alpha, float beta) {
        if (!f32(a, b, c)) {
            fallback.matmul(a, b, c, alpha, beta);
            return;
        }
        int batches = c.shape(0);
        int m = c.shape(1);
        int n = c.shape(2);
        int k = a.shape(2);
        if (n == 1 && k > 0 && (k == 1 || (a.stride(2) == 1 && b.stride(1) == 1))) {
            // a matrix times a vector (a scoring layer, [B, d] x [d, 1]): one dot per row; packing B's single
            // column into panels cost twenty times the arithmetic
            for (int q = 0; q < batches; q++) {
                matvec(a, b, c, q, m, k, alpha, beta);
            }
            return;
        }
        if ((m < Sgemm.MR || (long) m * n * k <= SMALL_GEMM) && b.stride(2) == 1 && c.stride(2) == 1) {
            // packing would cost more than the product: row-by-row axpy straight from the operands
            for (int q = 0; q < batches; q++) {
                smallGemm(a, b, c, q, m, n, k, alpha, beta);
            }
            return;
        }
        Sgemm.Mat[] ma = new Sgemm.Mat[batches];
        Sgemm.Mat[] mb = new Sgemm.Mat[batches];
        Sgemm.Mat[] mc = new Sgemm.Mat[batches];
        MemorySegment sa = a.segment();
        MemorySegment sb = b.segment();
        MemorySegment sc = c.segment();
        for (int q = 0; q < batches; q++) {
            // a batch stride of 0 (a broadcast operand) simply points every entry at the same matrix
            ma[q] = new Sgemm.Mat(sa, a.offset() + q * a.stride(0), a.stride(1), a.stride(2));
            mb[q] = new Sgemm.Mat(sb, b.offset() + q * b.stride(0), b.stride(1), b.stride(2));
            mc[q] = new Sgemm.Mat(sc, c.offset() + q * c.stride(0), c.stride(1), c.stride(2));
        }
        Sgemm.gemm(ma, mb, mc, m, n, k, alpha, beta, threads());
    }

    /** Products up to this many multiply-adds skip packing (about 40^3). */
    private static final long SMALL_GEMM = 64_000;

    /** c[i, :] = beta c[i, :] + sum_p alpha a[i, p] b[p, :], vectorised along the contiguous rows of b and c. */
    private static void smallGemm(Tensor a, Tensor b, Tensor c, int q, int m, int n, int k, float alpha, float beta) {
        MemorySegment sa = a.segment();
        MemorySegment sb = b.segment();
        MemorySegment sc = c.segment();
        long ao = a.offset() + q * a.stride(0);
        long bo = b.offset() + q * b.stride(0);
        long co = c.offset() + q * c.stride(0);
        long ars = a.stride(1), acs = a.stride(2), brs = b.stride(1), crs = c.stride(1);
        for (int i = 0; i < m; i++) {
            long crow = co + i * crs;
            for (int j = 0; j < n; j++) {
                float old = beta == 0 ? 0f : beta * sc.getAtIndex(F, crow + j);
                sc.setAtIndex(F, crow + j, old);
            }
            for (int p = 0; p < k; p++) {
                float x = alpha * sa.getAtIndex(F, ao + i * ars + p * acs);
                long brow = bo + p * brs;
                FloatVector xv = FloatVector.broadcast(S, x);
                int j = 0;
                for (; j <= n - L; j += L) {
                    store(xv.fma(load(sb, brow + j), load(sc, crow + j)), sc, crow + j);
                }
                for (; j < n; j++) {
                    sc.setAtIndex(F, crow + j, sc.getAtIndex(F, crow + j) + x * sb.getAtIndex(F, brow + j));
                }
            }
        }
    }

    // ------------------------------------------------------------------ element-wise

    /** Sigmoid computed from exp(-|x|), which neither overflows nor loses tiny results for large |x|. */
    private static FloatVector sigmoid(FloatVector v) {
        FloatVector e = v.abs().neg().lanewise(VectorOperators.EXP);
        FloatVector onePlus = e.add(1f);
        return e.div(onePlus).blend(FloatVector.broadcast(S, 1f).div(onePlus), v.compare(VectorOperators.GE, 0f));
    }

    private static float sigmoid(float x) {
        float e = (float) Math.exp(-Math.abs(x));
        return x >= 0 ? 1f / (1f + e) : e / (1f + e);
    }

    /** f(x) on a vector; the formulas of {@link ReferenceBackend#apply(UnaryOp, double, double)}. */
    private static FloatVector apply(UnaryOp op, float alpha, FloatVector v) {
        return switch (op) {
            case NEG -> v.neg();
            case ABS -> v.abs();
            // x > 0 ? x : 0, so that NaN gives 0 as in the reference (max(NaN, 0) would be NaN)
            case RELU -> FloatVector.zero(S).blend(v, v.compare(VectorOperators.GT, 0f));
            case LEAKY_RELU -> v.mul(alpha).blend(v, v.compare(VectorOperators.GT, 0f));
            case SIGMOID -> sigmoid(v);
            case TANH -> v.lanewise(VectorOperators.TANH);
            case EXP -> v.lanewise(VectorOperators.EXP);
            case LOG -> v.lanewise(VectorOperators.LOG);
            case SQRT -> v.sqrt();
            case POW -> alpha == 2f ? v.mul(v) : v.pow(alpha);
            case SOFTPLUS -> v.max(0f).add(v.abs().neg().lanewise(VectorOperators.EXP).lanewise(VectorOperators.LOG1P));
            case GELU_TANH -> {
                FloatVector inner = v.mul(v).mul(v).mul(0.044715f).add(v).mul(GELU_C);
                yield inner.lanewise(VectorOperators.TANH).add(1f).mul(v).mul(0.5f);
            }
        };
    }

    /** f(x) on one element, in float like the vector loop. */
    private static float apply(UnaryOp op, float alpha, float x) {
        return switch (op) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case RELU -> x > 0 ? x : 0f;
            case LEAKY_RELU -> x > 0 ? x : alpha * x;
            case SIGMOID -> sigmoid(x);
            case TANH -> (float) Math.tanh(x);
            case EXP -> (float) Math.exp(x);
            case LOG -> (float) Math.log(x);
            case SQRT -> (float) Math.sqrt(x);
            case POW -> alpha == 2f ? x * x : (float) Math.pow(x, alpha);
            case SOFTPLUS -> Math.max(x, 0f) + (float) Math.log1p(Math.exp(-Math.abs(x)));
            case GELU_TANH -> 0.5f * x * (1f + (float) Math.tanh(GELU_C * (x + 0.044715f * x * x * x)));
        };
    }

    @Override
    public void unary(UnaryOp op, float alpha, Tensor x, Tensor out) {
        if (!dense(x, out)) {
            fallback.unary(op, alpha, x, out);
            return;
        }
        MemorySegment xs = x.segment();
        MemorySegment os = out.segment();
        long xo = x.offset();
        long oo = out.offset();
        long n = x.numel();
        long i = 0;
        for (; i <= n - L; i += L) {
            store(apply(op, alpha, load(xs, xo + i)), os, oo + i);
        }
        for (; i < n; i++) {
            os.setAtIndex(F, oo + i, apply(op, alpha, xs.getAtIndex(F, xo + i)));
        }
    }

    /** f'(x) on a vector, given y = f(x); the formulas of {@link ReferenceBackend#derivative}. */
    private static FloatVector derivative(UnaryOp op, float alpha, FloatVector x, FloatVector y) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        return switch (op) {
            case NEG -> FloatVector.broadcast(S, -1f);
            case ABS -> {
                // sign(x): 0 at 0, NaN at NaN (as Math.signum)
                FloatVector s = FloatVector.zero(S).blend(one, x.compare(VectorOperators.GT, 0f))
                        .blend(-1f, x.compare(VectorOperators.LT, 0f));
                yield s.blend(x, x.test(VectorOperators.IS_NAN));
            }
            case RELU -> FloatVector.zero(S).blend(one, x.compare(VectorOperators.GT, 0f));
            case LEAKY_RELU -> FloatVector.broadcast(S, alpha).blend(one, x.compare(VectorOperators.GT, 0f));
            case SIGMOID -> y.mul(one.sub(y));
            case TANH -> one.sub(y.mul(y));
            case EXP -> y;
            case LOG -> one.div(x);
            case SQRT -> FloatVector.broadcast(S, 0.5f).div(y);
            case POW -> alpha == 0f ? FloatVector.zero(S)
                    : alpha == 2f ? x.mul(2f) : x.pow(alpha - 1f).mul(alpha);
            case SOFTPLUS -> sigmoid(x);
            case GELU_TANH -> {
                FloatVector x2 = x.mul(x);
                FloatVector t = x2.mul(x).mul(0.044715f).add(x).mul(GELU_C).lanewise(VectorOperators.TANH);
                // 0.5 (1 + t) + 0.5 x (1 - t^2) c (1 + 3 * 0.044715 x^2)
                FloatVector sech2 = one.sub(t.mul(t));
                FloatVector dInner = x2.mul(3 * 0.044715f).add(1f).mul(GELU_C);
                yield t.add(1f).mul(0.5f).add(x.mul(0.5f).mul(sech2).mul(dInner));
            }
        };
    }

    private static float derivative(UnaryOp op, float alpha, float x, float y) {
        return switch (op) {
            case NEG -> -1f;
            case ABS -> Math.signum(x);
            case RELU -> x > 0 ? 1f : 0f;
            case LEAKY_RELU -> x > 0 ? 1f : alpha;
            case SIGMOID -> y * (1f - y);
            case TANH -> 1f - y * y;
            case EXP -> y;
            case LOG -> 1f / x;
            case SQRT -> 0.5f / y;
            case POW -> alpha == 0f ? 0f : alpha == 2f ? 2f * x : alpha * (float) Math.pow(x, alpha - 1f);
            case SOFTPLUS -> sigmoid(x);
            case GELU_TANH -> (float) ReferenceBackend.derivative(op, alpha, x, y);
        };
    }

    @Override
    public void unaryBackward(UnaryOp op, float alpha, Tensor x, Tensor y, Tensor gradOut, Tensor gradIn) {
        if (!dense(x, y, gradOut, gradIn)) {
            if (!f32(x, gradOut, gradIn) || (y != null && !f32(y)) || !host(x, gradOut, gradIn) || x.numel() == 0) {
                fallback.unaryBackward(op, alpha, x, y, gradOut, gradIn);
                return;
            }
            // strided views (slices of a concatenation's gradient, transposes): gather them into contiguous
            // temporaries with the vector copy, which is many times faster than the reference backend's
            // strided loops (the fallback cost NeuMF's training a quarter of its step time)
            Tensor in = gradIn.isContiguous() ? gradIn : Tensor.zeros(DType.F32, gradIn.shape());
            unaryBackward(op, alpha, contiguous(x), y == null ? null : contiguous(y), contiguous(gradOut), in);
            if (in != gradIn) {
                copy(in, gradIn);
            }
            return;
        }
        MemorySegment xs = x.segment();
        MemorySegment ys = y.segment();
        MemorySegment gs = gradOut.segment();
        MemorySegment is = gradIn.segment();
        long xo = x.offset();
        long yo = y.offset();
        long go = gradOut.offset();
        long io = gradIn.offset();
        long n = x.numel();
        long i = 0;
        for (; i <= n - L; i += L) {
            FloatVector d = derivative(op, alpha, load(xs, xo + i), load(ys, yo + i));
            store(load(gs, go + i).mul(d), is, io + i);
        }
        for (; i < n; i++) {
            float d = derivative(op, alpha, xs.getAtIndex(F, xo + i), ys.getAtIndex(F, yo + i));
            is.setAtIndex(F, io + i, gs.getAtIndex(F, go + i) * d);
        }
    }

    private static FloatVector apply(BinaryOp op, FloatVector a, FloatVector b) {
        return switch (op) {
            case ADD -> a.add(b);
            case SUB -> a.sub(b);
            case MUL -> a.mul(b);
            case DIV -> a.div(b);
            case MAX -> a.max(b);
            case MIN -> a.min(b);
            case EQ -> FloatVector.zero(S).blend(1f, a.compare(VectorOperators.EQ, b));
            case GT -> FloatVector.zero(S).blend(1f, a.compare(VectorOperators.GT, b));
        };
    }

    private static float apply(BinaryOp op, float a, float b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            case EQ -> a == b ? 1f : 0f;
            case GT -> a > b ? 1f : 0f;
        };
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        if (!f32(a, b, out) || !out.isContiguous() || out.rank() == 0 || out.numel() == 0) {
            fallback.binary(op, a, b, out);
            return;
        }
        // axes of size 1 move no offset: drop them, or a trailing one ([B, 1] scores plus a [1, 1] bias) would
        // make every row a single element and the loop below a scalar loop with a vector loop's overhead
        int[] shape = out.shape();
        long[] aStr = a.strides();
        long[] bStr = b.strides();
        int r = 0;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] != 1) {
                shape[r] = shape[d];
                aStr[r] = aStr[d];
                bStr[r] = bStr[d];
                r++;
            }
        }
        if (r == 0) { // one element
            shape[0] = 1;
            aStr[0] = 1;
            bStr[0] = 1;
            r = 1;
        }
        // neighbouring axes that both operands walk as one (contiguous, or both broadcast) merge, so that two
        // contiguous [1000, 32] tensors are one run of 32000, not 1000 rows of 32 with a row's overhead each;
        // out is contiguous, so its strides always merge
        int merged = 1;
        for (int d = 1; d < r; d++) {
            int last = merged - 1;
            if (aStr[last] == aStr[d] * shape[d] && bStr[last] == bStr[d] * shape[d]
                    && (long) shape[last] * shape[d] <= Integer.MAX_VALUE) {
                shape[last] *= shape[d];
                aStr[last] = aStr[d];
                bStr[last] = bStr[d];
            } else {
                shape[merged] = shape[d];
                aStr[merged] = aStr[d];
                bStr[merged] = bStr[d];
                merged++;
            }
        }
        r = merged;
        int n = shape[r - 1];
        // the last axis must be contiguous or broadcast (stride 0) in both operands
        long as = n == 1 ? 1 : aStr[r - 1];
        long bs = n == 1 ? 1 : bStr[r - 1];
        if ((as != 0 && as != 1) || (bs != 0 && bs != 1)) {
            if (!host(a, b, out)) {
                fallback.binary(op, a, b, out);
                return;
            }
            // an operand strided along the last axis (e.g. a transposed weight gradient added into .grad):
            // gather it contiguously first, then take the vector path; out is contiguous, so never aliased
            binary(op, as != 0 && as != 1 ? contiguous(a) : a, bs != 0 && bs != 1 ? contiguous(b) : b, out);
            return;
        }
        MemorySegment sa = a.segment();
        MemorySegment sb = b.segment();
        MemorySegment so = out.segment();
        if (r <= 2) {
            // one call for all rows: a call per row (a bias added to [1000, 32]) cost 30 ns a row, eight times
            // the arithmetic
            int rows = r == 1 ? 1 : shape[0];
            binaryRows(op, sa, a.offset(), r == 1 ? 0 : aStr[0], as, sb, b.offset(), r == 1 ? 0 : bStr[0], bs, so, out.offset(), rows, n);
            return;
        }
        long rows = out.numel() / n;
        int[] idx = new int[r];
        long ao = a.offset();
        long bo = b.offset();
        for (long row = 0; row < rows; row++) {
            binaryRow(op, sa, ao, as, sb, bo, bs, so, out.offset() + row * n, n);
            // odometer over the leading axes, moving the operand offsets along
            for (int d = r - 2; d >= 0; d--) {
                ao += aStr[d];
                bo += bStr[d];
                if (++idx[d] < shape[d]) {
                    break;
                }
                ao -= aStr[d] * shape[d];
                bo -= bStr[d] * shape[d];
                idx[d] = 0;
            }
        }
    }

    /**
     * {@link #binaryRow} for {@code rows} rows whose operands start {@code ars} and {@code brs} apart; out is
     * contiguous. Each kernel method keeps one vector call of {@link #apply}: with several in one method C2
     * stopped inlining some of them, and a vector that crosses a call is boxed (a scalar broadcast ran at
     * half the speed of the old loop).
     */
    private static void binaryRows(BinaryOp op, MemorySegment sa, long ao, long ars, long as, MemorySegment sb, long bo, long brs,
                                   long bs, MemorySegment so, long oo, int rows, int n) {
        if (rows > 1 && n >= L && as == 1 && bs == 1 && (brs == 0 || ars == 0)) {
            binaryBroadcastRow(op, sa, ao, ars, sb, bo, brs, so, oo, rows, n);
            return;
        }
        for (int row = 0; row < rows; row++) {
            binaryRow(op, sa, ao + row * ars, as, sb, bo + row * brs, bs, so, oo + (long) row * n, n);
        }
    }

    /**
     * One operand is a row broadcast down the other (a bias: {@code brs == 0} or {@code ars == 0}), both with unit
     * column stride. Column block by column block, the row's vector stays in a register and the loop runs down
     * the rows, long enough for the JIT to hoist the op's dispatch: row by row, rows of 32 floats ran two
     * iterations per call and cost eight times the arithmetic.
     */
    private static void binaryBroadcastRow(BinaryOp op, MemorySegment sa, long ao, long ars, MemorySegment sb, long bo, long brs,
                                           MemorySegment so, long oo, int rows, int n) {
        boolean bRow = brs == 0;
        int whole = n - n % L;
        for (int j = 0; j < whole; j += L) {
            FloatVector row = bRow ? load(sb, bo + j) : load(sa, ao + j);
            for (int q = 0; q < rows; q++) {
                FloatVector other = bRow ? load(sa, ao + q * ars + j) : load(sb, bo + q * brs + j);
                store(apply(op, bRow ? other : row, bRow ? row : other), so, oo + (long) q * n + j);
            }
        }
        for (int q = 0; q < rows && whole < n; q++) {
            for (int i = whole; i < n; i++) {
                so.setAtIndex(F, oo + (long) q * n + i, apply(op, sa.getAtIndex(F, ao + q * ars + i), sb.getAtIndex(F, bo + q * brs + i)));
            }
        }
    }

    /**
     * One row of n elements; {@code as} and {@code bs} are 1 (contiguous) or 0 (a broadcast element). Each
     * layout has a loop of its own: one loop that picked a loaded or a broadcast vector per operand ran at
     * the scalar loop's speed once both kinds had been seen (the vector went through a merge the JIT could
     * not keep in a register).
     */
    private static void binaryRow(BinaryOp op, MemorySegment sa, long ao, long as, MemorySegment sb, long bo, long bs,
                                  MemorySegment so, long oo, int n) {
        int i = as == 1 && bs == 1 ? rowBoth(op, sa, ao, sb, bo, so, oo, n)
                : as == 1 ? rowBroadcastB(op, sa, ao, sb.getAtIndex(F, bo), so, oo, n)
                : bs == 1 ? rowBroadcastA(op, sa.getAtIndex(F, ao), sb, bo, so, oo, n)
                : 0;
        for (; i < n; i++) {
            so.setAtIndex(F, oo + i, apply(op, sa.getAtIndex(F, ao + i * as), sb.getAtIndex(F, bo + i * bs)));
        }
    }

    /** The whole vectors of a contiguous row of both operands; returns where the scalar tail starts. */
    private static int rowBoth(BinaryOp op, MemorySegment sa, long ao, MemorySegment sb, long bo, MemorySegment so, long oo, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            store(apply(op, load(sa, ao + i), load(sb, bo + i)), so, oo + i);
        }
        return i;
    }

    /** As {@link #rowBoth} with b one element broadcast. */
    private static int rowBroadcastB(BinaryOp op, MemorySegment sa, long ao, float b, MemorySegment so, long oo, int n) {
        FloatVector vb = FloatVector.broadcast(S, b);
        int i = 0;
        for (; i <= n - L; i += L) {
            store(apply(op, load(sa, ao + i), vb), so, oo + i);
        }
        return i;
    }

    /** As {@link #rowBoth} with a one element broadcast. */
    private static int rowBroadcastA(BinaryOp op, float a, MemorySegment sb, long bo, MemorySegment so, long oo, int n) {
        FloatVector va = FloatVector.broadcast(S, a);
        int i = 0;
        for (; i <= n - L; i += L) {
            store(apply(op, va, load(sb, bo + i)), so, oo + i);
        }
        return i;
    }

    // ------------------------------------------------------------------ reductions

    private static float identity(ReduceOp op) {
        return switch (op) {
            case SUM, MEAN -> 0f;
            case MAX -> Float.NEGATIVE_INFINITY;
            case MIN -> Float.POSITIVE_INFINITY;
        };
    }

    private static FloatVector combine(ReduceOp op, FloatVector acc, FloatVector v) {
        return switch (op) {
            case SUM, MEAN -> acc.add(v);
            case MAX -> acc.max(v);
            case MIN -> acc.min(v);
        };
    }

    private static float combine(ReduceOp op, float acc, float v) {
        return switch (op) {
            case SUM, MEAN -> acc + v;
            case MAX -> Math.max(acc, v);
            case MIN -> Math.min(acc, v);
        };
    }

    /**
     * Reduces x into out when the reduced axes are one contiguous run: x is then [outer, red, inner] and
     * out [outer, inner]. Rows (inner == 1) reduce along memory; otherwise whole vectors of the inner
     * axis are combined row after row. Reductions over scattered axes go to the reference.
     */
    @Override
    public void reduce(ReduceOp op, Tensor x, Tensor out) {
        if (!dense(x, out) || x.numel() == 0) {
            fallback.reduce(op, x, out);
            return;
        }
        int r = x.rank();
        int[] xs = x.shape();
        int[] os = out.shape();
        int first = -1;
        int last = -1;
        for (int d = 0; d < r; d++) {
            if (os[d] != xs[d]) {
                if (first < 0) {
                    first = d;
                }
                last = d;
            }
        }
        if (first < 0) { // nothing reduced: every "reduction" has one element
            first = r;
            last = r - 1;
        }
        for (int d = first; d <= last; d++) {
            if (os[d] != 1) {
                fallback.reduce(op, x, out); // a kept axis between reduced ones
                return;
            }
        }
        long outer = 1;
        long red = 1;
        long inner = 1;
        for (int d = 0; d < r; d++) {
            if (d < first) {
                outer *= xs[d];
            } else if (d <= last) {
                red *= xs[d];
            } else {
                inner *= xs[d];
            }
        }
        MemorySegment sx = x.segment();
        MemorySegment so = out.segment();
        long xo = x.offset();
        long oo = out.offset();
        if (inner == 1) {
            for (long o = 0; o < outer; o++) {
                so.setAtIndex(F, oo + o, reduceRun(op, sx, xo + o * red, red));
            }
            return;
        }
        float init = identity(op);
        for (long o = 0; o < outer; o++) {
            long base = xo + o * red * inner;
            long dst = oo + o * inner;
            long j = 0;
            for (; j <= inner - L; j += L) {
                FloatVector acc = FloatVector.broadcast(S, init);
                for (long i = 0; i < red; i++) {
                    acc = combine(op, acc, load(sx, base + i * inner + j));
                }
                if (op == ReduceOp.MEAN) {
                    acc = acc.div((float) red);
                }
                store(acc, so, dst + j);
            }
            for (; j < inner; j++) {
                float acc = init;
                for (long i = 0; i < red; i++) {
                    acc = combine(op, acc, sx.getAtIndex(F, base + i * inner + j));
                }
                so.setAtIndex(F, dst + j, op == ReduceOp.MEAN ? acc / red : acc);
            }
        }
    }

    /** Reduction of n contiguous floats; four vector accumulators for speed and a shorter sum chain. */
    static float reduceRun(ReduceOp op, MemorySegment s, long off, long n) {
        float init = identity(op);
        FloatVector a0 = FloatVector.broadcast(S, init);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        long i = 0;
        for (; i <= n - 4L * L; i += 4L * L) {
            a0 = combine(op, a0, load(s, off + i));
            a1 = combine(op, a1, load(s, off + i + L));
            a2 = combine(op, a2, load(s, off + i + 2L * L));
            a3 = combine(op, a3, load(s, off + i + 3L * L));
        }
        for (; i <= n - L; i += L) {
            a0 = combine(op, a0, load(s, off + i));
        }
        FloatVector acc = combine(op, combine(op, a0, a1), combine(op, a2, a3));
        float res = switch (op) {
            case SUM, MEAN -> sumLanes(acc);
            case MAX -> acc.reduceLanes(VectorOperators.MAX);
            case MIN -> acc.reduceLanes(VectorOperators.MIN);
        };
        for (; i < n; i++) {
            res = combine(op, res, s.getAtIndex(F, off + i));
        }
        return op == ReduceOp.MEAN ? res / n : res;
    }

    // ------------------------------------------------------------------ softmax

    /** Sizes of the axes before, at and after {@code axis}. */
    private static long[] around(Tensor t, int axis) {
        long outer = 1;
        long inner = 1;
        int[] s = t.shape();
        for (int d = 0; d < s.length; d++) {
            if (d < axis) {
                outer *= s[d];
            } else if (d > axis) {
                inner *= s[d];
            }
        }
        return new long[] {outer, s[axis], inner};
    }

    @Override
    public void softmax(Tensor x, int axis, boolean log, Tensor out) {
        if (!dense(x, out) || x.numel() == 0) {
            fallback.softmax(x, axis, log, out);
            return;
        }
        long[] oli = around(x, axis);
        long outer = oli[0];
        int len = (int) oli[1];
        long inner = oli[2];
        MemorySegment sx = x.segment();
        MemorySegment so = out.segment();
        for (long o = 0; o < outer; o++) {
            long xb = x.offset() + o * len * inner;
            long ob = out.offset() + o * len * inner;
            if (inner == 1) {
                softmaxRow(sx, xb, so, ob, len, log);
                continue;
            }
            // the axis is strided: handle L lines at once, one vector per position along the axis
            long j = 0;
            for (; j <= inner - L; j += L) {
                FloatVector max = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
                for (int i = 0; i < len; i++) {
                    max = max.max(load(sx, xb + i * inner + j));
                }
                FloatVector sum = FloatVector.zero(S);
                for (int i = 0; i < len; i++) {
                    sum = sum.add(load(sx, xb + i * inner + j).sub(max).lanewise(VectorOperators.EXP));
                }
                FloatVector logSum = sum.lanewise(VectorOperators.LOG);
                FloatVector inv = FloatVector.broadcast(S, 1f).div(sum);
                for (int i = 0; i < len; i++) {
                    FloatVector z = load(sx, xb + i * inner + j).sub(max);
                    store(log ? z.sub(logSum) : z.lanewise(VectorOperators.EXP).mul(inv), so, ob + i * inner + j);
                }
            }
            for (; j < inner; j++) {
                float max = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < len; i++) {
                    max = Math.max(max, sx.getAtIndex(F, xb + i * inner + j));
                }
                float sum = 0f;
                for (int i = 0; i < len; i++) {
                    sum += (float) Math.exp(sx.getAtIndex(F, xb + i * inner + j) - max);
                }
                float logSum = (float) Math.log(sum);
                for (int i = 0; i < len; i++) {
                    float z = sx.getAtIndex(F, xb + i * inner + j) - max;
                    so.setAtIndex(F, ob + i * inner + j, log ? z - logSum : (float) Math.exp(z) / sum);
                }
            }
        }
    }

    private static void softmaxRow(MemorySegment sx, long xb, MemorySegment so, long ob, int n, boolean log) {
        float max = reduceRun(ReduceOp.MAX, sx, xb, n);
        FloatVector vmax = FloatVector.broadcast(S, max);
        FloatVector vsum = FloatVector.zero(S);
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector e = load(sx, xb + i).sub(vmax).lanewise(VectorOperators.EXP);
            if (!log) {
                store(e, so, ob + i); // keep exp(z): normalised below without recomputing it
            }
            vsum = vsum.add(e);
        }
        float sum = sumLanes(vsum);
        for (; i < n; i++) {
            float e = (float) Math.exp(sx.getAtIndex(F, xb + i) - max);
            if (!log) {
                so.setAtIndex(F, ob + i, e);
            }
            sum += e;
        }
        if (log) {
            float logSum = (float) Math.log(sum);
            i = 0;
            for (; i <= n - L; i += L) {
                store(load(sx, xb + i).sub(vmax).sub(logSum), so, ob + i);
            }
            for (; i < n; i++) {
                so.setAtIndex(F, ob + i, sx.getAtIndex(F, xb + i) - max - logSum);
            }
            return;
        }
        float inv = 1f / sum;
        i = 0;
        for (; i <= n - L; i += L) {
            store(load(so, ob + i).mul(inv), so, ob + i);
        }
        for (; i < n; i++) {
            so.setAtIndex(F, ob + i, so.getAtIndex(F, ob + i) * inv);
        }
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor gradOut, int axis, boolean log, Tensor gradIn) {
        if (!dense(y, gradOut, gradIn) || y.numel() == 0) {
            fallback.softmaxBackward(y, gradOut, axis, log, gradIn);
            return;
        }
        long[] oli = around(y, axis);
        long outer = oli[0];
        int len = (int) oli[1];
        long inner = oli[2];
        MemorySegment sy = y.segment();
        MemorySegment sg = gradOut.segment();
        MemorySegment si = gradIn.segment();
        for (long o = 0; o < outer; o++) {
            long yb = y.offset() + o * len * inner;
            long gb = gradOut.offset() + o * len * inner;
            long ib = gradIn.offset() + o * len * inner;
            long j = 0;
            if (inner == 1) {
                softmaxBackwardRow(sy, yb, sg, gb, si, ib, len, log);
                continue;
            }
            for (; j <= inner - L; j += L) {
                FloatVector dot = FloatVector.zero(S);
                for (int i = 0; i < len; i++) {
                    FloatVector g = load(sg, gb + i * inner + j);
                    dot = log ? dot.add(g) : g.fma(load(sy, yb + i * inner + j), dot);
                }
                for (int i = 0; i < len; i++) {
                    long off = i * inner + j;
                    FloatVector g = load(sg, gb + off);
                    FloatVector yv = load(sy, yb + off);
                    store(log ? g.sub(yv.lanewise(VectorOperators.EXP).mul(dot)) : yv.mul(g.sub(dot)), si, ib + off);
                }
            }
            for (; j < inner; j++) {
                float dot = 0f;
                for (int i = 0; i < len; i++) {
                    float g = sg.getAtIndex(F, gb + i * inner + j);
                    dot += log ? g : g * sy.getAtIndex(F, yb + i * inner + j);
                }
                for (int i = 0; i < len; i++) {
                    long off = i * inner + j;
                    float g = sg.getAtIndex(F, gb + off);
                    float yv = sy.getAtIndex(F, yb + off);
                    si.setAtIndex(F, ib + off, log ? g - (float) Math.exp(yv) * dot : yv * (g - dot));
                }
            }
        }
    }

    private static void softmaxBackwardRow(MemorySegment sy, long yb, MemorySegment sg, long gb, MemorySegment si,
                                           long ib, int n, boolean log) {
        FloatVector vdot = FloatVector.zero(S);
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector g = load(sg, gb + i);
            vdot = log ? vdot.add(g) : g.fma(load(sy, yb + i), vdot);
        }
        float dot = sumLanes(vdot);
        for (; i < n; i++) {
            float g = sg.getAtIndex(F, gb + i);
            dot += log ? g : g * sy.getAtIndex(F, yb + i);
        }
        i = 0;
        for (; i <= n - L; i += L) {
            FloatVector g = load(sg, gb + i);
            FloatVector yv = load(sy, yb + i);
            store(log ? g.sub(yv.lanewise(VectorOperators.EXP).mul(dot)) : yv.mul(g.sub(dot)), si, ib + i);
        }
        for (; i < n; i++) {
            float g = sg.getAtIndex(F, gb + i);
            float yv = sy.getAtIndex(F, yb + i);
            si.setAtIndex(F, ib + i, log ? g - (float) Math.exp(yv) * dot : yv * (g - dot));
        }
    }

    // ------------------------------------------------------------------ memory

    @Override
    public void copy(Tensor src, Tensor dst) {
        if (src.dtype() == dst.dtype() && src.isContiguous() && dst.isContiguous() && host(src, dst)) {
            long bytes = src.numel() * src.dtype().byteSize();
            MemorySegment.copy(src.segment(), src.offset() * src.dtype().byteSize(), dst.segment(),
                    dst.offset() * dst.dtype().byteSize(), bytes);
            return;
        }
        if (!f32(src, dst) || src.rank() == 0 || src.numel() == 0) {
            fallback.copy(src, dst);
            return;
        }
        // strided F32 (e.g. making a transposed view contiguous): row by row along the last axis
        int r = src.rank();
        int[] shape = src.shape();
        long[] ss = src.strides();
        long[] ds = dst.strides();
        int n = shape[r - 1];
        long sStep = ss[r - 1];
        long dStep = ds[r - 1];
        MemorySegment sseg = src.segment();
        MemorySegment dseg = dst.segment();
        long rows = src.numel() / n;
        int[] idx = new int[r];
        long so = src.offset();
        long dOff = dst.offset();
        for (long row = 0; row < rows; row++) {
            if (sStep == 1 && dStep == 1) {
                MemorySegment.copy(sseg, so * 4, dseg, dOff * 4, n * 4L);
            } else {
                for (int i = 0; i < n; i++) {
                    dseg.setAtIndex(F, dOff + i * dStep, sseg.getAtIndex(F, so + i * sStep));
                }
            }
            for (int d = r - 2; d >= 0; d--) {
                so += ss[d];
                dOff += ds[d];
                if (++idx[d] < shape[d]) {
                    break;
                }
                so -= ss[d] * shape[d];
                dOff -= ds[d] * shape[d];
                idx[d] = 0;
            }
        }
    }

    @Override
    public void fill(Tensor dst, double value) {
        if (!dense(dst)) {
            fallback.fill(dst, value);
            return;
        }
        MemorySegment s = dst.segment();
        long o = dst.offset();
        long n = dst.numel();
        float v = (float) value;
        if (Float.floatToRawIntBits(v) == 0) {
            s.asSlice(o * 4, n * 4).fill((byte) 0);
            return;
        }
        FloatVector vv = FloatVector.broadcast(S, v);
        long i = 0;
        for (; i <= n - L; i += L) {
            store(vv, s, o + i);
        }
        for (; i < n; i++) {
            s.setAtIndex(F, o + i, v);
        }
    }

    @Override
    public void gatherRows(Tensor table, Tensor indices, Tensor out) {
        if (!f32(table, out) || !host(indices) || table.stride(1) != 1 || out.stride(1) != 1) {
            fallback.gatherRows(table, indices, out);
            return;
        }
        int n = indices.shape(0);
        int d = table.shape(1);
        MemorySegment st = table.segment();
        MemorySegment so = out.segment();
        long[] ids = indices.toLongArray(); // one bulk read: reading each id through the segment cost as much as a row
        long tableOffset = table.offset();
        long rowStride = table.stride(0);
        long outOffset = out.offset();
        long outStride = out.stride(0);
        if (d > 64) {
            for (int i = 0; i < n; i++) {
                MemorySegment.copy(st, (tableOffset + ids[i] * rowStride) * 4, so, (outOffset + i * outStride) * 4, d * 4L);
            }
            return;
        }
        // embedding rows are short (8 to 64 floats): a few vector moves per row cost less than the checks
        // and dispatch of one MemorySegment.copy call, which dominated gathering the rows of a rerank batch
        for (int i = 0; i < n; i++) {
            long from = tableOffset + ids[i] * rowStride;
            long to = outOffset + i * outStride;
            int j = 0;
            for (; j <= d - L; j += L) {
                store(load(st, from + j), so, to + j);
            }
            for (; j < d; j++) {
                so.setAtIndex(F, to + j, st.getAtIndex(F, from + j));
            }
        }
    }

    @Override
    public boolean canFuseLookup(Tensor table, Tensor indices, Tensor row) {
        return f32(table, row) && host(table, indices, row) && table.rank() == 2 && table.stride(1) == 1
                && row.rank() == 1 && row.shape(0) == table.shape(1) && (row.shape(0) <= 1 || row.stride(0) == 1)
                && indices.rank() == 1;
    }

    @Override
    public void gatherRowsAdd(Tensor table, Tensor indices, Tensor row, boolean relu, Tensor out) {
        if (!canFuseLookup(table, indices, row) || !f32(out) || !out.isContiguous() || out.rank() != 2
                || out.shape(0) != indices.shape(0) || out.shape(1) != table.shape(1)) {
            throw new IllegalArgumentException("vector gatherRowsAdd: needs F32 table [V, D] with unit column stride, "
                    + "indices [N], row [D] and contiguous out [N, D], got " + table.describe() + ", " + indices.describe()
                    + ", " + row.describe() + ", " + out.describe());
        }
        int n = indices.shape(0);
        int d = table.shape(1);
        MemorySegment st = table.segment();
        MemorySegment sr = row.segment();
        MemorySegment so = out.segment();
        long[] ids = indices.toLongArray();
        long tableOffset = table.offset();
        long rowStride = table.stride(0);
        long rowOffset = row.offset();
        long outOffset = out.offset();
        FloatVector zero = FloatVector.zero(S);
        for (int i = 0; i < n; i++) {
            long from = tableOffset + ids[i] * rowStride;
            long to = outOffset + (long) i * d;
            int j = 0;
            for (; j <= d - L; j += L) {
                FloatVector v = load(st, from + j).add(load(sr, rowOffset + j));
                store(relu ? v.max(zero) : v, so, to + j);
            }
            for (; j < d; j++) {
                float v = st.getAtIndex(F, from + j) + sr.getAtIndex(F, rowOffset + j);
                so.setAtIndex(F, to + j, relu ? (v > 0 ? v : 0f) : v);
            }
        }
    }

    private static long index(Tensor indices, MemorySegment seg, int i) {
        long o = indices.offset() + i * indices.stride(0);
        return indices.dtype() == DType.I64 ? seg.getAtIndex(ValueLayout.JAVA_LONG, o)
                : seg.getAtIndex(ValueLayout.JAVA_INT, o);
    }

    @Override
    public void scatterAddRows(Tensor src, Tensor indices, Tensor target) {
        if (!f32(src, target) || !host(indices) || src.stride(1) != 1 || target.stride(1) != 1) {
            fallback.scatterAddRows(src, indices, target);
            return;
        }
        int n = indices.shape(0);
        int d = target.shape(1);
        MemorySegment ss = src.segment();
        MemorySegment st = target.segment();
        MemorySegment si = indices.segment();
        for (int i = 0; i < n; i++) {
            long row = index(indices, si, i);
            long so = src.offset() + i * src.stride(0);
            long to = target.offset() + row * target.stride(0);
            int j = 0;
            for (; j <= d - L; j += L) {
                store(load(st, to + j).add(load(ss, so + j)), st, to + j);
            }
            for (; j < d; j++) {
                st.setAtIndex(F, to + j, st.getAtIndex(F, to + j) + ss.getAtIndex(F, so + j));
            }
        }
    }

    // ------------------------------------------------------------------ convolution: im2col + SGEMM

    /**
     * The im2col matrix of image b, group g is cols [C/g * KH * KW, OH * OW]: row (c, i, j) holds, for
     * every output position, the input pixel that kernel tap (i, j) of channel c sees there (0 where it
     * falls in the padding). With {@code toColumns} this fills cols from the image (im2col); otherwise it
     * adds every column entry back onto its pixel (col2im, the adjoint, for the input gradient).
     */
    private static void walkColumns(MemorySegment xs, long xo, int h, int w, int g, int cg, int kh, int kw,
                                    int oh, int ow, ConvSpec s, float[] cols, boolean toColumns) {
        if (toColumns) {
            java.util.Arrays.fill(cols, 0f);
        }
        int sw = s.strideW();
        int r = 0;
        for (int cc = 0; cc < cg; cc++) {
            long plane = xo + (long) (g * cg + cc) * h * w;
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++, r++) {
                    int base = r * oh * ow;
                    int dx = j * s.dilationW() - s.padW();
                    // the output columns whose tap lies inside the row: 0 <= x * sw + dx < w
                    int xLo = dx >= 0 ? 0 : (-dx + sw - 1) / sw;
                    int xHi = Math.min(ow, dx >= w ? 0 : (w - 1 - dx) / sw + 1);
                    if (xHi <= xLo) {
                        continue;
                    }
                    for (int y = 0; y < oh; y++) {
                        int iy = y * s.strideH() - s.padH() + i * s.dilationH();
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        long rowStart = plane + (long) iy * w + dx;
                        int dst = base + y * ow;
                        if (toColumns && sw == 1) {
                            MemorySegment.copy(xs, F, (rowStart + xLo) * 4, cols, dst + xLo, xHi - xLo);
                        } else if (toColumns) {
                            for (int x = xLo; x < xHi; x++) {
                                cols[dst + x] = xs.getAtIndex(F, rowStart + (long) x * sw);
                            }
                        } else {
                            for (int x = xLo; x < xHi; x++) {
                                long p = rowStart + (long) x * sw;
                                xs.setAtIndex(F, p, xs.getAtIndex(F, p) + cols[dst + x]);
                            }
                        }
                    }
                }
            }
        }
    }

    private static Sgemm.Mat heap(float[] data, long rs, long cs) {
        return new Sgemm.Mat(MemorySegment.ofArray(data), 0, rs, cs);
    }

    @Override
    public void conv2d(Tensor x, Tensor w, Tensor bias, Tensor out, ConvSpec s) {
        if (!f32(x, w, bias, out) || !dense(x, w, out)) {
            fallback.conv2d(x, w, bias, out, s);
            return;
        }
        int n = x.shape(0), c = x.shape(1), h = x.shape(2), wd = x.shape(3);
        int o = w.shape(0), cg = w.shape(1), kh = w.shape(2), kw = w.shape(3);
        int oh = out.shape(2), ow = out.shape(3);
        int groups = s.groups();
        int og = o / groups;
        int kdim = cg * kh * kw;
        int spatial = oh * ow;
        MemorySegment xs = x.segment();
        MemorySegment ws = w.segment();
        MemorySegment os = out.segment();
        float[] cols = new float[kdim * spatial];
        Sgemm.Mat colsMat = heap(cols, spatial, 1);
        for (int b = 0; b < n; b++) {
            for (int g = 0; g < groups; g++) {
                walkColumns(xs, x.offset() + (long) b * c * h * wd, h, wd, g, cg, kh, kw, oh, ow, s, cols, true);
                // out_g [og, spatial] = W_g [og, kdim] @ cols [kdim, spatial]
                Sgemm.Mat wm = new Sgemm.Mat(ws, w.offset() + (long) g * og * kdim, kdim, 1);
                Sgemm.Mat om = new Sgemm.Mat(os, out.offset() + ((long) b * o + (long) g * og) * spatial, spatial, 1);
                Sgemm.gemm(og, spatial, kdim, 1f, wm, colsMat, 0f, om, threads());
            }
            if (bias != null) {
                MemorySegment bs = bias.segment();
                for (int oc = 0; oc < o; oc++) {
                    float bv = bs.getAtIndex(F, bias.offset() + oc * bias.stride(0));
                    long base = out.offset() + ((long) b * o + oc) * spatial;
                    FloatVector vb = FloatVector.broadcast(S, bv);
                    int i = 0;
                    for (; i <= spatial - L; i += L) {
                        store(load(os, base + i).add(vb), os, base + i);
                    }
                    for (; i < spatial; i++) {
                        os.setAtIndex(F, base + i, os.getAtIndex(F, base + i) + bv);
                    }
                }
            }
        }
    }

    @Override
    public void conv2dBackwardData(Tensor gradOut, Tensor w, Tensor gradIn, ConvSpec s) {
        if (!dense(gradOut, w, gradIn)) {
            fallback.conv2dBackwardData(gradOut, w, gradIn, s);
            return;
        }
        int n = gradIn.shape(0), c = gradIn.shape(1), h = gradIn.shape(2), wd = gradIn.shape(3);
        int o = w.shape(0), cg = w.shape(1), kh = w.shape(2), kw = w.shape(3);
        int oh = gradOut.shape(2), ow = gradOut.shape(3);
        int groups = s.groups();
        int og = o / groups;
        int kdim = cg * kh * kw;
        int spatial = oh * ow;
        MemorySegment gs = gradOut.segment();
        MemorySegment ws = w.segment();
        MemorySegment is = gradIn.segment();
        fill(gradIn, 0);
        float[] cols = new float[kdim * spatial];
        Sgemm.Mat colsMat = heap(cols, spatial, 1);
        for (int b = 0; b < n; b++) {
            for (int g = 0; g < groups; g++) {
                // cols [kdim, spatial] = W_g^T [kdim, og] @ gradOut_g [og, spatial]
                Sgemm.Mat wt = new Sgemm.Mat(ws, w.offset() + (long) g * og * kdim, 1, kdim);
                Sgemm.Mat gm = new Sgemm.Mat(gs, gradOut.offset() + ((long) b * o + (long) g * og) * spatial, spatial, 1);
                Sgemm.gemm(kdim, spatial, og, 1f, wt, gm, 0f, colsMat, threads());
                walkColumns(is, gradIn.offset() + (long) b * c * h * wd, h, wd, g, cg, kh, kw, oh, ow, s, cols, false);
            }
        }
    }

    @Override
    public void conv2dBackwardWeights(Tensor x, Tensor gradOut, Tensor gradW, Tensor gradBias, ConvSpec s) {
        if (!f32(gradBias) || !dense(x, gradOut, gradW)) {
            fallback.conv2dBackwardWeights(x, gradOut, gradW, gradBias, s);
            return;
        }
        int n = x.shape(0), c = x.shape(1), h = x.shape(2), wd = x.shape(3);
        int o = gradW.shape(0), cg = gradW.shape(1), kh = gradW.shape(2), kw = gradW.shape(3);
        int oh = gradOut.shape(2), ow = gradOut.shape(3);
        int groups = s.groups();
        int og = o / groups;
        int kdim = cg * kh * kw;
        int spatial = oh * ow;
        MemorySegment xs = x.segment();
        MemorySegment gs = gradOut.segment();
        MemorySegment ws = gradW.segment();
        float[] cols = new float[kdim * spatial];
        Sgemm.Mat colsT = heap(cols, 1, spatial);
        if (n == 0) {
            fill(gradW, 0);
        }
        for (int b = 0; b < n; b++) {
            for (int g = 0; g < groups; g++) {
                walkColumns(xs, x.offset() + (long) b * c * h * wd, h, wd, g, cg, kh, kw, oh, ow, s, cols, true);
                // gradW_g [og, kdim] (+)= gradOut_g [og, spatial] @ cols^T [spatial, kdim]
                Sgemm.Mat gm = new Sgemm.Mat(gs, gradOut.offset() + ((long) b * o + (long) g * og) * spatial, spatial, 1);
                Sgemm.Mat wm = new Sgemm.Mat(ws, gradW.offset() + (long) g * og * kdim, kdim, 1);
                Sgemm.gemm(og, kdim, spatial, 1f, gm, colsT, b == 0 ? 0f : 1f, wm, threads());
            }
        }
        if (gradBias != null) {
            MemorySegment bs = gradBias.segment();
            for (int oc = 0; oc < o; oc++) {
                double sum = 0;
                for (int b = 0; b < n; b++) {
                    sum += reduceRun(ReduceOp.SUM, gs, gradOut.offset() + ((long) b * o + oc) * spatial, spatial);
                }
                bs.setAtIndex(F, gradBias.offset() + oc * gradBias.stride(0), (float) sum);
            }
        }
    }

    // ------------------------------------------------------------------ pooling

    @Override
    public void pool2d(PoolSpec p, Tensor x, Tensor out) {
        if (!dense(x, out)) {
            fallback.pool2d(p, x, out);
            return;
        }
        int planes = x.shape(0) * x.shape(1);
        int h = x.shape(2), w = x.shape(3);
        int oh = out.shape(2), ow = out.shape(3);
        boolean max = p.kind() == PoolSpec.Kind.MAX;
        int kh = p.kernelH(), kw = p.kernelW(), sh = p.strideH(), sw = p.strideW(), ph = p.padH(), pw = p.padW();
        float fullWindow = kh * kw;
        boolean includePad = p.countIncludePad();
        // the planes run on the pool's threads: views they may use while this call waits for them
        MemorySegment xs = Scope.forWorkers(x.segment());
        MemorySegment os = Scope.forWorkers(out.segment());
        // with stride 1, the output columns whose whole window lies inside the row go L at a time
        int vLo = pw;
        int vHi = sw == 1 ? Math.min(ow, w - kw + pw + 1) : 0;
        boolean vectorRows = sw == 1 && vHi - vLo >= L;
        // planes are independent: spread them over the threads when there is enough work
        Sgemm.forEach(planes, (long) oh * ow * kh * kw, threads(), plane -> {
            long xb = x.offset() + (long) plane * h * w;
            long ob = out.offset() + (long) plane * oh * ow;
            for (int y = 0; y < oh; y++) {
                int y0 = y * sh - ph;
                int ylo = Math.max(y0, 0);
                int yhi = Math.min(y0 + kh, h);
                long orow = ob + (long) y * ow;
                int vFrom = ow;
                int vTo = ow;
                if (vectorRows) {
                    vFrom = vLo;
                    float div = includePad ? fullWindow : (yhi - ylo) * kw;
                    int xo = vLo;
                    for (; xo <= vHi - L; xo += L) {
                        FloatVector acc = FloatVector.broadcast(S, max ? Float.NEGATIVE_INFINITY : 0f);
                        for (int iy = ylo; iy < yhi; iy++) {
                            long row = xb + (long) iy * w + xo - pw;
                            for (int j = 0; j < kw; j++) {
                                FloatVector v = load(xs, row + j);
                                acc = max ? acc.max(v) : acc.add(v);
                            }
                        }
                        store(max ? acc : acc.div(div), os, orow + xo);
                    }
                    vTo = xo;
                }
                // every other output column: a plain loop over the real pixels of its window
                for (int xo = 0; xo < ow; xo++) {
                    if (xo == vFrom) {
                        xo = vTo - 1;
                        continue;
                    }
                    int x0 = xo * sw - pw;
                    int xlo = Math.max(x0, 0);
                    int xhi = Math.min(x0 + kw, w);
                    float acc = max ? Float.NEGATIVE_INFINITY : 0f;
                    for (int iy = ylo; iy < yhi; iy++) {
                        long row = xb + (long) iy * w;
                        for (int ix = xlo; ix < xhi; ix++) {
                            float v = xs.getAtIndex(F, row + ix);
                            acc = max ? Math.max(acc, v) : acc + v;
                        }
                    }
                    if (!max) {
                        acc /= includePad ? fullWindow : Math.max(0, yhi - ylo) * Math.max(0, xhi - xlo);
                    }
                    os.setAtIndex(F, orow + xo, acc);
                }
            }
        });
    }

    @Override
    public void pool2dBackward(PoolSpec p, Tensor x, Tensor out, Tensor gradOut, Tensor gradIn) {
        if (!dense(x, gradOut, gradIn)) {
            fallback.pool2dBackward(p, x, out, gradOut, gradIn);
            return;
        }
        int planes = x.shape(0) * x.shape(1);
        int h = x.shape(2), w = x.shape(3);
        int oh = gradOut.shape(2), ow = gradOut.shape(3);
        // the planes run on the pool's threads: views they may use while this call waits for them
        MemorySegment xs = Scope.forWorkers(x.segment());
        MemorySegment gs = Scope.forWorkers(gradOut.segment());
        MemorySegment is = Scope.forWorkers(gradIn.segment());
        fill(gradIn, 0);
        boolean max = p.kind() == PoolSpec.Kind.MAX;
        // planes are independent, so no two threads ever add into the same gradient element
        Sgemm.forEach(planes, (long) oh * ow * p.kernelH() * p.kernelW(), threads(), plane -> {
            long xb = x.offset() + (long) plane * h * w;
            long gb = gradOut.offset() + (long) plane * oh * ow;
            long ib = gradIn.offset() + (long) plane * h * w;
            for (int y = 0; y < oh; y++) {
                int y0 = y * p.strideH() - p.padH();
                int ylo = Math.max(y0, 0);
                int yhi = Math.min(y0 + p.kernelH(), h);
                for (int xo = 0; xo < ow; xo++) {
                    int x0 = xo * p.strideW() - p.padW();
                    int xlo = Math.max(x0, 0);
                    int xhi = Math.min(x0 + p.kernelW(), w);
                    float g = gs.getAtIndex(F, gb + (long) y * ow + xo);
                    if (max) {
                        // the first maximum in row-major order takes the whole gradient
                        long best = -1;
                        float m = Float.NEGATIVE_INFINITY;
                        for (int iy = ylo; iy < yhi; iy++) {
                            for (int ix = xlo; ix < xhi; ix++) {
                                long at = (long) iy * w + ix;
                                float v = xs.getAtIndex(F, xb + at);
                                if (best < 0 || v > m) {
                                    best = at;
                                    m = v;
                                }
                            }
                        }
                        if (best >= 0) {
                            is.setAtIndex(F, ib + best, is.getAtIndex(F, ib + best) + g);
                        }
                        continue;
                    }
                    int real = Math.max(0, yhi - ylo) * Math.max(0, xhi - xlo);
                    float share = g / (p.countIncludePad() ? p.kernelH() * p.kernelW() : real);
                    for (int iy = ylo; iy < yhi; iy++) {
                        for (int ix = xlo; ix < xhi; ix++) {
                            long at = ib + (long) iy * w + ix;
                            is.setAtIndex(F, at, is.getAtIndex(F, at) + share);
                        }
                    }
                }
            }
        });
    }

    // ------------------------------------------------------------------ layer norm

    @Override
    public void layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps, Tensor out, Tensor mean, Tensor rstd) {
        if (!dense(x, gamma, beta, out, mean, rstd)) {
            fallback.layerNorm(x, gamma, beta, eps, out, mean, rstd);
            return;
        }
        int rows = x.shape(0);
        int d = x.shape(1);
        MemorySegment xs = x.segment();
        MemorySegment os = out.segment();
        MemorySegment gs = gamma == null ? null : gamma.segment();
        MemorySegment bs = beta == null ? null : beta.segment();
        MemorySegment ms = mean.segment();
        MemorySegment rs = rstd.segment();
        for (int r = 0; r < rows; r++) {
            long xo = x.offset() + (long) r * d;
            long oo = out.offset() + (long) r * d;
            float mu = reduceRun(ReduceOp.SUM, xs, xo, d) / d;
            // two passes (mean, then squared deviations): no cancellation as in E[x^2] - E[x]^2
            FloatVector vmu = FloatVector.broadcast(S, mu);
            FloatVector vvar = FloatVector.zero(S);
            int j = 0;
            for (; j <= d - L; j += L) {
                FloatVector z = load(xs, xo + j).sub(vmu);
                vvar = z.fma(z, vvar);
            }
            float var = sumLanes(vvar);
            for (; j < d; j++) {
                float z = xs.getAtIndex(F, xo + j) - mu;
                var += z * z;
            }
            float rsd = (float) (1 / Math.sqrt(var / d + eps));
            j = 0;
            for (; j <= d - L; j += L) {
                FloatVector v = load(xs, xo + j).sub(vmu).mul(rsd);
                if (gs != null) {
                    v = v.mul(load(gs, gamma.offset() + j));
                }
                if (bs != null) {
                    v = v.add(load(bs, beta.offset() + j));
                }
                store(v, os, oo + j);
            }
            for (; j < d; j++) {
                float v = (xs.getAtIndex(F, xo + j) - mu) * rsd;
                if (gs != null) {
                    v *= gs.getAtIndex(F, gamma.offset() + j);
                }
                if (bs != null) {
                    v += bs.getAtIndex(F, beta.offset() + j);
                }
                os.setAtIndex(F, oo + j, v);
            }
            ms.setAtIndex(F, mean.offset() + r, mu);
            rs.setAtIndex(F, rstd.offset() + r, rsd);
        }
    }
}
