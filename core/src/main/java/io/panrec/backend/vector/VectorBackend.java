package io.panrec.backend.vector;

import io.panrec.backend.BinaryOp;
import io.panrec.backend.ConvSpec;
import io.panrec.backend.DelegatingBackend;
import io.panrec.backend.ReduceOp;
import io.panrec.backend.UnaryOp;
import io.panrec.backend.reference.ReferenceBackend;
import io.panrec.tensor.DType;
import io.panrec.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The fast pure-Java backend: F32 kernels with the Vector API over contiguous memory (and the strides
 * that matter: transposed matmul operands, broadcast rows), a packed multithreaded SGEMM, and
 * convolution as im2col + SGEMM. Every case it does not accelerate (F64, unusual strides, pooling) runs
 * on the reference backend over the same memory.
 */
public final class VectorBackend extends DelegatingBackend {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    public VectorBackend() {
        super(new ReferenceBackend());
    }

    /** Threads the kernels may use: {@code -Dpanrec.threads}, else the available processors. */
    public static int threads() {
        int n = Integer.getInteger("panrec.threads", Runtime.getRuntime().availableProcessors());
        return Math.max(1, n);
    }

    @Override
    public String name() {
        return "vector";
    }

    private static boolean f32(Tensor... ts) {
        for (Tensor t : ts) {
            if (t != null && (t.dtype() != DType.F32 || !t.device().isHost())) {
                return false; // device tensors go to the reference, which refuses them with a clear message
            }
        }
        return true;
    }

    private static boolean dense(Tensor... ts) {
        for (Tensor t : ts) {
            if (t != null && (t.dtype() != DType.F32 || !t.isContiguous() || !t.device().isHost())) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ matmul

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
        MemorySegment sa = a.segment();
        MemorySegment sb = b.segment();
        MemorySegment sc = c.segment();
        int threads = threads();
        long work = (long) m * n * k;
        if ((m < Sgemm.MR || work <= SMALL_GEMM) && b.stride(2) == 1 && c.stride(2) == 1) {
            // packing would cost more than the product: row-by-row axpy straight from the operands
            for (int q = 0; q < batches; q++) {
                smallGemm(a, b, c, sa, sb, sc, q, m, n, k, alpha, beta);
            }
            return;
        }
        if (batches >= threads && threads > 1 && work < Sgemm.PARALLEL_THRESHOLD) {
            // many small products (attention heads): one thread per product
            java.util.stream.IntStream.range(0, batches).parallel().forEach(q -> one(a, b, c, sa, sb, sc, q, m, n, k, alpha, beta, 1));
            return;
        }
        for (int q = 0; q < batches; q++) {
            one(a, b, c, sa, sb, sc, q, m, n, k, alpha, beta, threads);
        }
    }

    /** Products up to this many multiply-adds skip packing (about 40^3). */
    private static final long SMALL_GEMM = 64_000;

    /** c[i, :] = beta c[i, :] + sum_p alpha a[i, p] b[p, :], vectorised along the contiguous rows of b and c. */
    private static void smallGemm(Tensor a, Tensor b, Tensor c, MemorySegment sa, MemorySegment sb, MemorySegment sc, int q,
                                  int m, int n, int k, float alpha, float beta) {
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
                    FloatVector cv = FloatVector.fromMemorySegment(S, sc, (crow + j) * 4, NATIVE);
                    xv.fma(FloatVector.fromMemorySegment(S, sb, (brow + j) * 4, NATIVE), cv)
                            .intoMemorySegment(sc, (crow + j) * 4, NATIVE);
                }
                for (; j < n; j++) {
                    sc.setAtIndex(F, crow + j, sc.getAtIndex(F, crow + j) + x * sb.getAtIndex(F, brow + j));
                }
            }
        }
    }

    private static void one(Tensor a, Tensor b, Tensor c, MemorySegment sa, MemorySegment sb, MemorySegment sc, int q,
                            int m, int n, int k, float alpha, float beta, int threads) {
        Sgemm.Mat ma = new Sgemm.Mat(sa, a.offset() + q * a.stride(0), a.stride(1), a.stride(2));
        Sgemm.Mat mb = new Sgemm.Mat(sb, b.offset() + q * b.stride(0), b.stride(1), b.stride(2));
        Sgemm.Mat mc = new Sgemm.Mat(sc, c.offset() + q * c.stride(0), c.stride(1), c.stride(2));
        Sgemm.gemm(m, n, k, alpha, ma, mb, beta, mc, threads);
    }

    // ------------------------------------------------------------------ element-wise

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
        int n = (int) x.numel();
        int i = 0;
        switch (op) {
            case RELU, NEG, ABS, LEAKY_RELU -> {
                FloatVector zero = FloatVector.zero(S);
                for (; i <= n - L; i += L) {
                    FloatVector v = FloatVector.fromMemorySegment(S, xs, (xo + i) * 4, NATIVE);
                    FloatVector r = switch (op) {
                        case RELU -> v.max(zero);
                        case NEG -> v.neg();
                        case ABS -> v.abs();
                        default -> v.blend(v.mul(alpha), v.compare(VectorOperators.LE, 0f));
                    };
                    r.intoMemorySegment(os, (oo + i) * 4, NATIVE);
                }
            }
            default -> {
            }
        }
        for (; i < n; i++) {
            float v = xs.getAtIndex(F, xo + i);
            os.setAtIndex(F, oo + i, scalar(op, alpha, v));
        }
    }

    private static float scalar(UnaryOp op, float alpha, float x) {
        return switch (op) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case RELU -> x > 0 ? x : 0f;
            case LEAKY_RELU -> x > 0 ? x : alpha * x;
            case SIGMOID -> x >= 0 ? 1f / (1f + (float) Math.exp(-x)) : (float) (Math.exp(x) / (1 + Math.exp(x)));
            case TANH -> (float) Math.tanh(x);
            case EXP -> (float) Math.exp(x);
            case LOG -> (float) Math.log(x);
            case SQRT -> (float) Math.sqrt(x);
            case POW -> (float) Math.pow(x, alpha);
            default -> (float) ReferenceBackend.apply(op, alpha, x);
        };
    }

    @Override
    public void unaryBackward(UnaryOp op, float alpha, Tensor x, Tensor y, Tensor gradOut, Tensor gradIn) {
        if (!dense(x, y, gradOut, gradIn)) {
            fallback.unaryBackward(op, alpha, x, y, gradOut, gradIn);
            return;
        }
        MemorySegment xs = x.segment();
        MemorySegment ys = y.segment();
        MemorySegment gs = gradOut.segment();
        MemorySegment is = gradIn.segment();
        int n = (int) x.numel();
        for (int i = 0; i < n; i++) {
            float xv = xs.getAtIndex(F, x.offset() + i);
            float yv = ys.getAtIndex(F, y.offset() + i);
            float g = gs.getAtIndex(F, gradOut.offset() + i);
            float d = switch (op) {
                case RELU -> xv > 0 ? 1f : 0f;
                case SIGMOID -> yv * (1 - yv);
                case TANH -> 1 - yv * yv;
                case EXP -> yv;
                default -> (float) ReferenceBackend.derivative(op, alpha, xv, yv);
            };
            is.setAtIndex(F, gradIn.offset() + i, g * d);
        }
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        int r = out.rank();
        if (!f32(a, b, out) || !out.isContiguous() || r == 0 || op == BinaryOp.EQ || op == BinaryOp.GT) {
            fallback.binary(op, a, b, out);
            return;
        }
        int n = out.shape(r - 1);
        long as = a.stride(r - 1);
        long bs = b.stride(r - 1);
        if ((as != 0 && as != 1 && n > 1) || (bs != 0 && bs != 1 && n > 1)) {
            fallback.binary(op, a, b, out);
            return;
        }
        if (n == 1) {
            as = 1;
            bs = 1;
        }
        MemorySegment sa = a.segment();
        MemorySegment sb = b.segment();
        MemorySegment so = out.segment();
        int rows = (int) (out.numel() / Math.max(n, 1));
        int[] shape = out.shape();
        int[] idx = new int[r];
        for (int row = 0; row < rows; row++) {
            long ao = a.offset();
            long bo = b.offset();
            for (int d = 0; d < r - 1; d++) {
                ao += idx[d] * a.stride(d);
                bo += idx[d] * b.stride(d);
            }
            binaryRow(op, sa, ao, as, sb, bo, bs, so, out.offset() + (long) row * n, n);
            for (int d = r - 2; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
    }

    private static void binaryRow(BinaryOp op, MemorySegment sa, long ao, long as, MemorySegment sb, long bo, long bs,
                                  MemorySegment so, long oo, int n) {
        int i = 0;
        FloatVector ca = as == 0 ? FloatVector.broadcast(S, sa.getAtIndex(F, ao)) : null;
        FloatVector cb = bs == 0 ? FloatVector.broadcast(S, sb.getAtIndex(F, bo)) : null;
        for (; i <= n - L; i += L) {
            FloatVector va = ca != null ? ca : FloatVector.fromMemorySegment(S, sa, (ao + i) * 4, NATIVE);
            FloatVector vb = cb != null ? cb : FloatVector.fromMemorySegment(S, sb, (bo + i) * 4, NATIVE);
            FloatVector r = switch (op) {
                case ADD -> va.add(vb);
                case SUB -> va.sub(vb);
                case MUL -> va.mul(vb);
                case DIV -> va.div(vb);
                case MAX -> va.max(vb);
                case MIN -> va.min(vb);
                default -> throw new AssertionError(op);
            };
            r.intoMemorySegment(so, (oo + i) * 4, NATIVE);
        }
        for (; i < n; i++) {
            float x = sa.getAtIndex(F, ao + i * as);
            float y = sb.getAtIndex(F, bo + i * bs);
            so.setAtIndex(F, oo + i, (float) ReferenceBackend.apply(op, x, y));
        }
    }

    // ------------------------------------------------------------------ reductions

    @Override
    public void reduce(ReduceOp op, Tensor x, Tensor out) {
        if (!dense(x, out) || x.numel() == 0 || x.rank() == 0) {
            fallback.reduce(op, x, out);
            return;
        }
        int r = x.rank();
        int[] xs = x.shape();
        int[] os = out.shape();
        // reduced axes a suffix: rows x inner; a prefix: outer x cols
        int first = 0;
        while (first < r && os[first] == xs[first]) {
            first++;
        }
        boolean suffix = true;
        for (int d = first; d < r; d++) {
            suffix &= os[d] == 1;
        }
        int last = r;
        while (last > 0 && os[last - 1] == xs[last - 1]) {
            last--;
        }
        boolean prefix = true;
        for (int d = 0; d < last; d++) {
            prefix &= os[d] == 1;
        }
        MemorySegment sx = x.segment();
        MemorySegment so = out.segment();
        int total = (int) x.numel();
        int outN = (int) out.numel();
        if (suffix) {
            int inner = total / outN;
            for (int row = 0; row < outN; row++) {
                float v = reduceRun(op, sx, x.offset() + (long) row * inner, inner);
                so.setAtIndex(F, out.offset() + row, v);
            }
        } else if (prefix) {
            int cols = outN;
            int rows = total / cols;
            float[] acc = new float[cols];
            float init = op == ReduceOp.MAX ? Float.NEGATIVE_INFINITY : op == ReduceOp.MIN ? Float.POSITIVE_INFINITY : 0f;
            java.util.Arrays.fill(acc, init);
            for (int row = 0; row < rows; row++) {
                long base = x.offset() + (long) row * cols;
                int j = 0;
                for (; j <= cols - L; j += L) {
                    FloatVector v = FloatVector.fromMemorySegment(S, sx, (base + j) * 4, NATIVE);
                    FloatVector a = FloatVector.fromArray(S, acc, j);
                    a = switch (op) {
                        case SUM, MEAN -> a.add(v);
                        case MAX -> a.max(v);
                        case MIN -> a.min(v);
                    };
                    a.intoArray(acc, j);
                }
                for (; j < cols; j++) {
                    float v = sx.getAtIndex(F, base + j);
                    acc[j] = switch (op) {
                        case SUM, MEAN -> acc[j] + v;
                        case MAX -> Math.max(acc[j], v);
                        case MIN -> Math.min(acc[j], v);
                    };
                }
            }
            for (int j = 0; j < cols; j++) {
                so.setAtIndex(F, out.offset() + j, op == ReduceOp.MEAN ? acc[j] / rows : acc[j]);
            }
        } else {
            fallback.reduce(op, x, out);
        }
    }

    private static float reduceRun(ReduceOp op, MemorySegment s, long off, int n) {
        int i = 0;
        FloatVector acc = switch (op) {
            case SUM, MEAN -> FloatVector.zero(S);
            case MAX -> FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            case MIN -> FloatVector.broadcast(S, Float.POSITIVE_INFINITY);
        };
        for (; i <= n - L; i += L) {
            FloatVector v = FloatVector.fromMemorySegment(S, s, (off + i) * 4, NATIVE);
            acc = switch (op) {
                case SUM, MEAN -> acc.add(v);
                case MAX -> acc.max(v);
                case MIN -> acc.min(v);
            };
        }
        float r = switch (op) {
            case SUM, MEAN -> acc.reduceLanes(VectorOperators.ADD);
            case MAX -> acc.reduceLanes(VectorOperators.MAX);
            case MIN -> acc.reduceLanes(VectorOperators.MIN);
        };
        for (; i < n; i++) {
            float v = s.getAtIndex(F, off + i);
            r = switch (op) {
                case SUM, MEAN -> r + v;
                case MAX -> Math.max(r, v);
                case MIN -> Math.min(r, v);
            };
        }
        return op == ReduceOp.MEAN ? r / n : r;
    }

    @Override
    public void softmax(Tensor x, int axis, boolean log, Tensor out) {
        if (!dense(x, out) || axis != x.rank() - 1 || x.numel() == 0) {
            fallback.softmax(x, axis, log, out);
            return;
        }
        int n = x.shape(axis);
        int rows = (int) (x.numel() / n);
        MemorySegment sx = x.segment();
        MemorySegment so = out.segment();
        for (int row = 0; row < rows; row++) {
            long xo = x.offset() + (long) row * n;
            long oo = out.offset() + (long) row * n;
            float max = reduceRun(ReduceOp.MAX, sx, xo, n);
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += Math.exp(sx.getAtIndex(F, xo + i) - max);
            }
            double logSum = Math.log(sum);
            for (int i = 0; i < n; i++) {
                double z = sx.getAtIndex(F, xo + i) - max;
                so.setAtIndex(F, oo + i, (float) (log ? z - logSum : Math.exp(z) / sum));
            }
        }
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor gradOut, int axis, boolean log, Tensor gradIn) {
        if (!dense(y, gradOut, gradIn) || axis != y.rank() - 1 || y.numel() == 0) {
            fallback.softmaxBackward(y, gradOut, axis, log, gradIn);
            return;
        }
        int n = y.shape(axis);
        int rows = (int) (y.numel() / n);
        MemorySegment sy = y.segment();
        MemorySegment sg = gradOut.segment();
        MemorySegment si = gradIn.segment();
        for (int row = 0; row < rows; row++) {
            long yo = y.offset() + (long) row * n;
            long go = gradOut.offset() + (long) row * n;
            long io = gradIn.offset() + (long) row * n;
            double dot = 0;
            for (int i = 0; i < n; i++) {
                float g = sg.getAtIndex(F, go + i);
                dot += log ? g : g * sy.getAtIndex(F, yo + i);
            }
            for (int i = 0; i < n; i++) {
                float g = sg.getAtIndex(F, go + i);
                float yv = sy.getAtIndex(F, yo + i);
                si.setAtIndex(F, io + i, (float) (log ? g - Math.exp(yv) * dot : yv * (g - dot)));
            }
        }
    }

    // ------------------------------------------------------------------ memory

    @Override
    public void copy(Tensor src, Tensor dst) {
        if (src.dtype() == dst.dtype() && src.isContiguous() && dst.isContiguous()) {
            long bytes = src.numel() * src.dtype().byteSize();
            MemorySegment.copy(src.segment(), src.offset() * src.dtype().byteSize(), dst.segment(),
                    dst.offset() * dst.dtype().byteSize(), bytes);
            return;
        }
        fallback.copy(src, dst);
    }

    @Override
    public void fill(Tensor dst, double value) {
        if (dense(dst)) {
            MemorySegment s = dst.segment();
            long o = dst.offset();
            long n = dst.numel();
            float v = (float) value;
            for (long i = 0; i < n; i++) {
                s.setAtIndex(F, o + i, v);
            }
            return;
        }
        fallback.fill(dst, value);
    }

    @Override
    public void gatherRows(Tensor table, Tensor indices, Tensor out) {
        if (!f32(table, out) || table.stride(1) != 1 || !out.isContiguous()) {
            fallback.gatherRows(table, indices, out);
            return;
        }
        int n = indices.shape(0);
        int d = table.shape(1);
        MemorySegment st = table.segment();
        MemorySegment so = out.segment();
        for (int i = 0; i < n; i++) {
            long row = index(indices, i);
            MemorySegment.copy(st, (table.offset() + row * table.stride(0)) * 4, so, (out.offset() + (long) i * d) * 4, d * 4L);
        }
    }

    private static long index(Tensor indices, int i) {
        long o = indices.offset() + i * indices.stride(0);
        return indices.dtype() == DType.I64 ? indices.segment().getAtIndex(ValueLayout.JAVA_LONG, o)
                : indices.segment().getAtIndex(ValueLayout.JAVA_INT, o);
    }

    @Override
    public void scatterAddRows(Tensor src, Tensor indices, Tensor target) {
        if (!f32(src, target) || src.stride(1) != 1 || target.stride(1) != 1) {
            fallback.scatterAddRows(src, indices, target);
            return;
        }
        int n = indices.shape(0);
        int d = target.shape(1);
        MemorySegment ss = src.segment();
        MemorySegment st = target.segment();
        for (int i = 0; i < n; i++) {
            long row = index(indices, i);
            long so = src.offset() + i * src.stride(0);
            long to = target.offset() + row * target.stride(0);
            int j = 0;
            for (; j <= d - L; j += L) {
                FloatVector.fromMemorySegment(S, st, (to + j) * 4, NATIVE)
                        .add(FloatVector.fromMemorySegment(S, ss, (so + j) * 4, NATIVE))
                        .intoMemorySegment(st, (to + j) * 4, NATIVE);
            }
            for (; j < d; j++) {
                st.setAtIndex(F, to + j, st.getAtIndex(F, to + j) + ss.getAtIndex(F, so + j));
            }
        }
    }

    // ------------------------------------------------------------------ convolution: im2col + SGEMM

    /** cols [C/g * KH * KW, OH * OW] of image b, group g (zero where the window leaves the image). */
    private static float[] im2col(MemorySegment xs, long xo, int c, int h, int w, int g, int cg, int kh, int kw,
                                  int oh, int ow, ConvSpec s) {
        float[] cols = new float[cg * kh * kw * oh * ow];
        walkColumns(xs, xo, h, w, g, cg, kh, kw, oh, ow, s, cols, true);
        return cols;
    }

    /**
     * Visits every (column row, output pixel) pair of the im2col matrix whose input pixel lies inside
     * the image: {@code toColumns} copies the pixel into the column (im2col), otherwise the column entry
     * is added back onto its pixel (col2im, the adjoint).
     */
    private static void walkColumns(MemorySegment xs, long xo, int h, int w, int g, int cg, int kh, int kw,
                                    int oh, int ow, ConvSpec s, float[] cols, boolean toColumns) {
        int r = 0;
        for (int cc = 0; cc < cg; cc++) {
            long plane = xo + (long) (g * cg + cc) * h * w;
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++, r++) {
                    int base = r * oh * ow;
                    for (int y = 0; y < oh; y++) {
                        int iy = y * s.strideH() - s.padH() + i * s.dilationH();
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        for (int x = 0; x < ow; x++) {
                            int ix = x * s.strideW() - s.padW() + j * s.dilationW();
                            if (ix < 0 || ix >= w) {
                                continue;
                            }
                            long p = plane + (long) iy * w + ix;
                            if (toColumns) {
                                cols[base + y * ow + x] = xs.getAtIndex(F, p);
                            } else {
                                xs.setAtIndex(F, p, xs.getAtIndex(F, p) + cols[base + y * ow + x]);
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
        if (!f32(x, w, bias, out)) {
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
        for (int b = 0; b < n; b++) {
            for (int g = 0; g < groups; g++) {
                float[] cols = im2col(xs, x.offset() + (long) b * c * h * wd, c, h, wd, g, cg, kh, kw, oh, ow, s);
                Sgemm.Mat wm = new Sgemm.Mat(ws, w.offset() + (long) g * og * kdim, kdim, 1);
                Sgemm.Mat om = new Sgemm.Mat(os, out.offset() + ((long) b * o + (long) g * og) * spatial, spatial, 1);
                Sgemm.gemm(og, spatial, kdim, 1f, wm, heap(cols, spatial, 1), 0f, om, threads());
            }
            if (bias != null) {
                for (int oc = 0; oc < o; oc++) {
                    float bv = bias.segment().getAtIndex(F, bias.offset() + oc * bias.stride(0));
                    long base = out.offset() + ((long) b * o + oc) * spatial;
                    for (int i = 0; i < spatial; i++) {
                        os.setAtIndex(F, base + i, os.getAtIndex(F, base + i) + bv);
                    }
                }
            }
        }
    }

    @Override
    public void conv2dBackwardData(Tensor gradOut, Tensor w, Tensor gradIn, ConvSpec s) {
        if (!f32(gradOut, w, gradIn)) {
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
                // cols = W_g^T [kdim, og] @ gradOut_g [og, spatial]
                Sgemm.Mat wt = new Sgemm.Mat(ws, w.offset() + (long) g * og * kdim, 1, kdim);
                Sgemm.Mat gm = new Sgemm.Mat(gs, gradOut.offset() + ((long) b * o + (long) g * og) * spatial, spatial, 1);
                Sgemm.gemm(kdim, spatial, og, 1f, wt, gm, 0f, colsMat, threads());
                // col2im: add each column entry back to the pixel it came from
                walkColumns(is, gradIn.offset() + (long) b * c * h * wd, h, wd, g, cg, kh, kw, oh, ow, s, cols, false);
            }
        }
    }

    @Override
    public void conv2dBackwardWeights(Tensor x, Tensor gradOut, Tensor gradW, Tensor gradBias, ConvSpec s) {
        if (!f32(x, gradOut, gradW, gradBias)) {
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
        for (int b = 0; b < n; b++) {
            for (int g = 0; g < groups; g++) {
                float[] cols = im2col(xs, x.offset() + (long) b * c * h * wd, c, h, wd, g, cg, kh, kw, oh, ow, s);
                // gradW_g [og, kdim] (+)= gradOut_g [og, spatial] @ cols^T [spatial, kdim]
                Sgemm.Mat gm = new Sgemm.Mat(gs, gradOut.offset() + ((long) b * o + (long) g * og) * spatial, spatial, 1);
                Sgemm.Mat wm = new Sgemm.Mat(ws, gradW.offset() + (long) g * og * kdim, kdim, 1);
                Sgemm.gemm(og, kdim, spatial, 1f, gm, heap(cols, 1, spatial), b == 0 ? 0f : 1f, wm, threads());
            }
        }
        if (gradBias != null) {
            MemorySegment bs = gradBias.segment();
            for (int oc = 0; oc < o; oc++) {
                double sum = 0;
                for (int b = 0; b < n; b++) {
                    long base = gradOut.offset() + ((long) b * o + oc) * spatial;
                    sum += reduceRun(ReduceOp.SUM, gs, base, spatial);
                }
                bs.setAtIndex(F, gradBias.offset() + oc * gradBias.stride(0), (float) sum);
            }
        }
    }

    // ------------------------------------------------------------------ pooling

    @Override
    public void pool2d(io.panrec.backend.PoolSpec p, Tensor x, Tensor out) {
        if (!dense(x, out)) {
            fallback.pool2d(p, x, out);
            return;
        }
        int planes = x.shape(0) * x.shape(1), h = x.shape(2), w = x.shape(3), oh = out.shape(2), ow = out.shape(3);
        MemorySegment xs = x.segment();
        MemorySegment os = out.segment();
        boolean max = p.kind() == io.panrec.backend.PoolSpec.Kind.MAX;
        java.util.stream.IntStream.range(0, planes).parallel().forEach(pl -> {
            long xb = x.offset() + (long) pl * h * w;
            long ob = out.offset() + (long) pl * oh * ow;
            for (int y = 0; y < oh; y++) {
                int y0 = y * p.strideH() - p.padH();
                int ya = Math.max(y0, 0), yb = Math.min(y0 + p.kernelH(), h);
                for (int xo = 0; xo < ow; xo++) {
                    int x0 = xo * p.strideW() - p.padW();
                    int xa = Math.max(x0, 0), xe = Math.min(x0 + p.kernelW(), w);
                    float acc = max ? Float.NEGATIVE_INFINITY : 0f;
                    for (int iy = ya; iy < yb; iy++) {
                        long row = xb + (long) iy * w;
                        for (int ix = xa; ix < xe; ix++) {
                            float v = xs.getAtIndex(F, row + ix);
                            acc = max ? Math.max(acc, v) : acc + v;
                        }
                    }
                    if (!max) {
                        acc /= p.countIncludePad() ? p.kernelH() * p.kernelW() : (yb - ya) * (xe - xa);
                    }
                    os.setAtIndex(F, ob + (long) y * ow + xo, acc);
                }
            }
        });
    }

    @Override
    public void pool2dBackward(io.panrec.backend.PoolSpec p, Tensor x, Tensor out, Tensor gradOut, Tensor gradIn) {
        if (!dense(x, gradOut, gradIn)) {
            fallback.pool2dBackward(p, x, out, gradOut, gradIn);
            return;
        }
        int planes = x.shape(0) * x.shape(1), h = x.shape(2), w = x.shape(3), oh = gradOut.shape(2), ow = gradOut.shape(3);
        MemorySegment xs = x.segment();
        MemorySegment gs = gradOut.segment();
        MemorySegment is = gradIn.segment();
        boolean max = p.kind() == io.panrec.backend.PoolSpec.Kind.MAX;
        // planes are independent, so threads never write the same gradient element
        java.util.stream.IntStream.range(0, planes).parallel().forEach(pl -> {
            long xb = x.offset() + (long) pl * h * w;
            long ib = gradIn.offset() + (long) pl * h * w;
            long gb = gradOut.offset() + (long) pl * oh * ow;
            for (long i = 0; i < (long) h * w; i++) {
                is.setAtIndex(F, ib + i, 0f);
            }
            for (int y = 0; y < oh; y++) {
                int y0 = y * p.strideH() - p.padH();
                int ya = Math.max(y0, 0), yb = Math.min(y0 + p.kernelH(), h);
                for (int xo = 0; xo < ow; xo++) {
                    int x0 = xo * p.strideW() - p.padW();
                    int xa = Math.max(x0, 0), xe = Math.min(x0 + p.kernelW(), w);
                    float g = gs.getAtIndex(F, gb + (long) y * ow + xo);
                    if (max) {
                        // the first maximum in row-major order gets the gradient, as the reference defines
                        long best = -1;
                        float bestV = Float.NEGATIVE_INFINITY;
                        for (int iy = ya; iy < yb; iy++) {
                            for (int ix = xa; ix < xe; ix++) {
                                float v = xs.getAtIndex(F, xb + (long) iy * w + ix);
                                if (best < 0 || v > bestV) {
                                    best = (long) iy * w + ix;
                                    bestV = v;
                                }
                            }
                        }
                        if (best >= 0) {
                            is.setAtIndex(F, ib + best, is.getAtIndex(F, ib + best) + g);
                        }
                    } else {
                        float share = g / (p.countIncludePad() ? p.kernelH() * p.kernelW() : (yb - ya) * (xe - xa));
                        for (int iy = ya; iy < yb; iy++) {
                            for (int ix = xa; ix < xe; ix++) {
                                long o = ib + (long) iy * w + ix;
                                is.setAtIndex(F, o, is.getAtIndex(F, o) + share);
                            }
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
        for (int r = 0; r < rows; r++) {
            long xo = x.offset() + (long) r * d;
            double mu = reduceRun(ReduceOp.SUM, xs, xo, d) / (double) d;
            double var = 0;
            for (int j = 0; j < d; j++) {
                double z = xs.getAtIndex(F, xo + j) - mu;
                var += z * z;
            }
            double rs = 1 / Math.sqrt(var / d + eps);
            long oo = out.offset() + (long) r * d;
            for (int j = 0; j < d; j++) {
                double v = (xs.getAtIndex(F, xo + j) - mu) * rs;
                if (gamma != null) {
                    v *= gamma.segment().getAtIndex(F, gamma.offset() + j);
                }
                if (beta != null) {
                    v += beta.segment().getAtIndex(F, beta.offset() + j);
                }
                os.setAtIndex(F, oo + j, (float) v);
            }
            mean.segment().setAtIndex(F, mean.offset() + r, (float) mu);
            rstd.segment().setAtIndex(F, rstd.offset() + r, (float) rs);
        }
    }
}
