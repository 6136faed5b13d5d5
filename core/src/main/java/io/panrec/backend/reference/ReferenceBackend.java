package io.panrec.backend.reference;

import io.panrec.backend.Backend;
import io.panrec.backend.BinaryOp;
import io.panrec.backend.ConvSpec;
import io.panrec.backend.PoolSpec;
import io.panrec.backend.ReduceOp;
import io.panrec.backend.UnaryOp;
import io.panrec.tensor.Tensor;

/**
 * The living definition of every kernel: scalar loops over strided views, computing in double and
 * rounding once when storing. Slow on purpose (plain enough to read against the formulas); every other
 * backend is tested against it. Supports F32 and F64 (gradient checks run in F64), and I32/I64 where
 * indices or copies are involved.
 */
public final class ReferenceBackend implements Backend {

    @Override
    public String name() {
        return "reference";
    }

    // ------------------------------------------------------------------ matmul

    @Override
    public void matmul(Tensor a, Tensor b, Tensor c, float alpha, float beta) {
        Strided sa = new Strided(a);
        Strided sb = new Strided(b);
        Strided sc = new Strided(c);
        int batches = c.shape(0);
        int m = c.shape(1);
        int n = c.shape(2);
        int k = a.shape(2);
        for (int q = 0; q < batches; q++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    for (int p = 0; p < k; p++) {
                        sum += sa.get(sa.at(q, i, p)) * sb.get(sb.at(q, p, j));
                    }
                    long oc = sc.at(q, i, j);
                    double old = beta == 0 ? 0 : beta * sc.get(oc);
                    sc.set(oc, alpha * sum + old);
                }
            }
        }
    }

    // ------------------------------------------------------------------ element-wise

    /** f(x) for one element; the formulas of {@link UnaryOp}. */
    public static double apply(UnaryOp op, double alpha, double x) {
        return switch (op) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case RELU -> x > 0 ? x : 0;
            case LEAKY_RELU -> x > 0 ? x : alpha * x;
            case SIGMOID -> x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
            case TANH -> Math.tanh(x);
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case POW -> Math.pow(x, alpha);
            case SOFTPLUS -> Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
            case GELU_TANH -> 0.5 * x * (1 + Math.tanh(GELU_C * (x + 0.044715 * x * x * x)));
        };
    }

    private static final double GELU_C = Math.sqrt(2 / Math.PI);

    /** f'(x) for one element, given y = f(x). */
    public static double derivative(UnaryOp op, double alpha, double x, double y) {
        return switch (op) {
            case NEG -> -1;
            case ABS -> Math.signum(x);
            case RELU -> x > 0 ? 1 : 0;
            case LEAKY_RELU -> x > 0 ? 1 : alpha;
            case SIGMOID -> y * (1 - y);
            case TANH -> 1 - y * y;
            case EXP -> y;
            case LOG -> 1 / x;
            case SQRT -> 0.5 / y;
            case POW -> alpha == 0 ? 0 : alpha * Math.pow(x, alpha - 1);
            case SOFTPLUS -> apply(UnaryOp.SIGMOID, 0, x);
            case GELU_TANH -> {
                double inner = GELU_C * (x + 0.044715 * x * x * x);
                double t = Math.tanh(inner);
                yield 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_C * (1 + 3 * 0.044715 * x * x);
            }
        };
    }

    @Override
    public void unary(UnaryOp op, float alpha, Tensor x, Tensor out) {
        Strided sx = new Strided(x);
        Strided so = new Strided(out);
        long[] ox = sx.offsets();
        long[] oo = so.offsets();
        for (int i = 0; i < ox.length; i++) {
            so.set(oo[i], apply(op, alpha, sx.get(ox[i])));
        }
    }

    @Override
    public void unaryBackward(UnaryOp op, float alpha, Tensor x, Tensor y, Tensor gradOut, Tensor gradIn) {
        Strided sx = new Strided(x);
        Strided sy = new Strided(y);
        Strided sg = new Strided(gradOut);
        Strided si = new Strided(gradIn);
        long[] ox = sx.offsets();
        long[] oy = sy.offsets();
        long[] og = sg.offsets();
        long[] oi = si.offsets();
        for (int i = 0; i < ox.length; i++) {
            si.set(oi[i], sg.get(og[i]) * derivative(op, alpha, sx.get(ox[i]), sy.get(oy[i])));
        }
    }

    /** a (op) b for one pair of elements. */
    public static double apply(BinaryOp op, double a, double b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            case EQ -> a == b ? 1 : 0;
            case GT -> a > b ? 1 : 0;
        };
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        Strided sa = new Strided(a);
        Strided sb = new Strided(b);
        Strided so = new Strided(out);
        long[] oa = sa.offsets();
        long[] ob = sb.offsets();
        long[] oo = so.offsets();
        // read everything first: out may alias a (in-place accumulation of gradients)
        double[] r = new double[oo.length];
        for (int i = 0; i < oo.length; i++) {
            r[i] = apply(op, sa.get(oa[i]), sb.get(ob[i]));
        }
        for (int i = 0; i < oo.length; i++) {
            so.set(oo[i], r[i]);
        }
    }

    // ------------------------------------------------------------------ reductions

    @Override
    public void reduce(ReduceOp op, Tensor x, Tensor out) {
        Strided sx = new Strided(x);
        Strided so = new Strided(out);
        int rank = x.rank();
        int[] xs = x.shape();
        int[] os = out.shape();
        int outN = (int) out.numel();
        double[] acc = new double[outN];
        long[] count = new long[outN];
        double init = switch (op) {
            case SUM, MEAN -> 0;
            case MAX -> Double.NEGATIVE_INFINITY;
            case MIN -> Double.POSITIVE_INFINITY;
        };
        java.util.Arrays.fill(acc, init);
        long[] ox = sx.offsets();
        int[] idx = new int[rank];
        for (int i = 0; i < ox.length; i++) {
            int o = 0;
            for (int d = 0; d < rank; d++) {
                o = o * os[d] + (os[d] == 1 ? 0 : idx[d]);
            }
            double v = sx.get(ox[i]);
            acc[o] = switch (op) {
                case SUM, MEAN -> acc[o] + v;
                case MAX -> Math.max(acc[o], v);
                case MIN -> Math.min(acc[o], v);
            };
            count[o]++;
            for (int d = rank - 1; d >= 0; d--) {
                if (++idx[d] < xs[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        long[] oo = so.offsets();
        for (int o = 0; o < outN; o++) {
            double v = op == ReduceOp.MEAN ? (count[o] == 0 ? Double.NaN : acc[o] / count[o]) : acc[o];
            so.set(oo[o], v);
        }
    }

    /** Calls body(offsets of x along axis, offsets of the same line in the others) for each line along axis. */
    private static void lines(Tensor shapeOf, int axis, java.util.function.Consumer<int[]> body) {
        int[] shape = shapeOf.shape();
        int rank = shape.length;
        int[] idx = new int[rank];
        long lines = shapeOf.numel() / Math.max(shape[axis], 1);
        if (shape[axis] == 0) {
            return;
        }
        for (long l = 0; l < lines; l++) {
            body.accept(idx.clone());
            for (int d = rank - 1; d >= 0; d--) {
                if (d == axis) {
                    continue;
                }
                if (++idx[d] < shape[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
    }

    @Override
    public void softmax(Tensor x, int axis, boolean log, Tensor out) {
        Strided sx = new Strided(x);
        Strided so = new Strided(out);
        int len = x.shape(axis);
        lines(x, axis, idx -> {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < len; i++) {
                idx[axis] = i;
                max = Math.max(max, sx.get(sx.at(idx)));
            }
            double sum = 0;
            for (int i = 0; i < len; i++) {
                idx[axis] = i;
                sum += Math.exp(sx.get(sx.at(idx)) - max);
            }
            double logSum = Math.log(sum);
            for (int i = 0; i < len; i++) {
                idx[axis] = i;
                double z = sx.get(sx.at(idx)) - max;
                so.set(so.at(idx), log ? z - logSum : Math.exp(z) / sum);
            }
        });
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor gradOut, int axis, boolean log, Tensor gradIn) {
        Strided sy = new Strided(y);
        Strided sg = new Strided(gradOut);
        Strided si = new Strided(gradIn);
        int len = y.shape(axis);
        lines(y, axis, idx -> {
            double dot = 0;
            for (int i = 0; i < len; i++) {
                idx[axis] = i;
                double g = sg.get(sg.at(idx));
                dot += log ? g : g * sy.get(sy.at(idx));
            }
            for (int i = 0; i < len; i++) {
                idx[axis] = i;
                double g = sg.get(sg.at(idx));
                double yv = sy.get(sy.at(idx));
                // softmax: y (g - sum g y); log-softmax: g - exp(y) sum g
                si.set(si.at(idx), log ? g - Math.exp(yv) * dot : yv * (g - dot));
            }
        });
    }

    // ------------------------------------------------------------------ memory

    @Override
    public void copy(Tensor src, Tensor dst) {
        Strided ss = new Strided(src);
        Strided sd = new Strided(dst);
        long[] os = ss.offsets();
        long[] od = sd.offsets();
        boolean integral = !src.dtype().isFloating() && !dst.dtype().isFloating();
        double[] vals = new double[os.length];
        long[] longs = integral ? new long[os.length] : null;
        for (int i = 0; i < os.length; i++) {
            if (integral) {
                longs[i] = ss.getLong(os[i]);
            } else {
                vals[i] = ss.get(os[i]);
            }
        }
        for (int i = 0; i < od.length; i++) {
            if (integral) {
                // integers move as longs: a double would round ids beyond 2^53
                if (dst.dtype() == io.panrec.tensor.DType.I64) {
                    sd.seg.setAtIndex(java.lang.foreign.ValueLayout.JAVA_LONG, od[i], longs[i]);
                } else {
                    sd.seg.setAtIndex(java.lang.foreign.ValueLayout.JAVA_INT, od[i], (int) longs[i]);
                }
            } else {
                sd.set(od[i], vals[i]);
            }
        }
    }

    @Override
    public void fill(Tensor dst, double value) {
        Strided sd = new Strided(dst);
        for (long o : sd.offsets()) {
            sd.set(o, value);
        }
    }

    @Override
    public void gatherRows(Tensor table, Tensor indices, Tensor out) {
        Strided st = new Strided(table);
        Strided si = new Strided(indices);
        Strided so = new Strided(out);
        int n = indices.shape(0);
        int d = table.shape(1);
        for (int i = 0; i < n; i++) {
            int row = (int) si.getLong(si.at(i));
            for (int j = 0; j < d; j++) {
                so.set(so.at(i, j), st.get(st.at(row, j)));
            }
        }
    }

    @Override
    public void scatterAddRows(Tensor src, Tensor indices, Tensor target) {
        Strided ss = new Strided(src);
        Strided si = new Strided(indices);
        Strided st = new Strided(target);
        int n = indices.shape(0);
        int d = target.shape(1);
        for (int i = 0; i < n; i++) {
            int row = (int) si.getLong(si.at(i));
            for (int j = 0; j < d; j++) {
                long o = st.at(row, j);
                st.set(o, st.get(o) + ss.get(ss.at(i, j)));
            }
        }
    }

    // ------------------------------------------------------------------ convolution

    @Override
    public void conv2d(Tensor x, Tensor w, Tensor bias, Tensor out, ConvSpec s) {
        Strided sx = new Strided(x);
        Strided sw = new Strided(w);
        Strided sb = bias == null ? null : new Strided(bias);
        Strided so = new Strided(out);
        int n = x.shape(0), h = x.shape(2), wd = x.shape(3);
        int o = w.shape(0), cg = w.shape(1), kh = w.shape(2), kw = w.shape(3);
        int oh = out.shape(2), ow = out.shape(3);
        int og = o / s.groups();
        for (int b = 0; b < n; b++) {
            for (int oc = 0; oc < o; oc++) {
                int g = oc / og;
                for (int y = 0; y < oh; y++) {
                    for (int xo = 0; xo < ow; xo++) {
                        double sum = sb == null ? 0 : sb.get(sb.at(oc));
                        for (int c = 0; c < cg; c++) {
                            int ic = g * cg + c;
                            for (int i = 0; i < kh; i++) {
                                int iy = y * s.strideH() - s.padH() + i * s.dilationH();
                                if (iy < 0 || iy >= h) {
                                    continue;
                                }
                                for (int j = 0; j < kw; j++) {
                                    int ix = xo * s.strideW() - s.padW() + j * s.dilationW();
                                    if (ix < 0 || ix >= wd) {
                                        continue;
                                    }
                                    sum += sx.get(sx.at(b, ic, iy, ix)) * sw.get(sw.at(oc, c, i, j));
                                }
                            }
                        }
                        so.set(so.at(b, oc, y, xo), sum);
                    }
                }
            }
        }
    }

    @Override
    public void conv2dBackwardData(Tensor gradOut, Tensor w, Tensor gradIn, ConvSpec s) {
        Strided sg = new Strided(gradOut);
        Strided sw = new Strided(w);
        Strided si = new Strided(gradIn);
        int n = gradIn.shape(0), c = gradIn.shape(1), h = gradIn.shape(2), wd = gradIn.shape(3);
        int o = w.shape(0), cg = w.shape(1), kh = w.shape(2), kw = w.shape(3);
        int oh = gradOut.shape(2), ow = gradOut.shape(3);
        int og = o / s.groups();
        double[] acc = new double[n * c * h * wd];
        for (int b = 0; b < n; b++) {
            for (int oc = 0; oc < o; oc++) {
                int g = oc / og;
                for (int y = 0; y < oh; y++) {
                    for (int xo = 0; xo < ow; xo++) {
                        double gv = sg.get(sg.at(b, oc, y, xo));
                        for (int cc = 0; cc < cg; cc++) {
                            int ic = g * cg + cc;
                            for (int i = 0; i < kh; i++) {
                                int iy = y * s.strideH() - s.padH() + i * s.dilationH();
                                if (iy < 0 || iy >= h) {
                                    continue;
                                }
                                for (int j = 0; j < kw; j++) {
                                    int ix = xo * s.strideW() - s.padW() + j * s.dilationW();
                                    if (ix < 0 || ix >= wd) {
                                        continue;
                                    }
                                    acc[((b * c + ic) * h + iy) * wd + ix] += gv * sw.get(sw.at(oc, cc, i, j));
                                }
                            }
                        }
                    }
                }
            }
        }
        long[] oi = si.offsets();
        for (int i = 0; i < oi.length; i++) {
            si.set(oi[i], acc[i]);
        }
    }

    @Override
    public void conv2dBackwardWeights(Tensor x, Tensor gradOut, Tensor gradW, Tensor gradBias, ConvSpec s) {
        Strided sx = new Strided(x);
        Strided sg = new Strided(gradOut);
        Strided sw = new Strided(gradW);
        int n = x.shape(0), h = x.shape(2), wd = x.shape(3);
        int o = gradW.shape(0), cg = gradW.shape(1), kh = gradW.shape(2), kw = gradW.shape(3);
        int oh = gradOut.shape(2), ow = gradOut.shape(3);
        int og = o / s.groups();
        for (int oc = 0; oc < o; oc++) {
            int g = oc / og;
            for (int cc = 0; cc < cg; cc++) {
                int ic = g * cg + cc;
                for (int i = 0; i < kh; i++) {
                    for (int j = 0; j < kw; j++) {
                        double sum = 0;
                        for (int b = 0; b < n; b++) {
                            for (int y = 0; y < oh; y++) {
                                int iy = y * s.strideH() - s.padH() + i * s.dilationH();
                                if (iy < 0 || iy >= h) {
                                    continue;
                                }
                                for (int xo = 0; xo < ow; xo++) {
                                    int ix = xo * s.strideW() - s.padW() + j * s.dilationW();
                                    if (ix < 0 || ix >= wd) {
                                        continue;
                                    }
                                    sum += sg.get(sg.at(b, oc, y, xo)) * sx.get(sx.at(b, ic, iy, ix));
                                }
                            }
                        }
                        sw.set(sw.at(oc, cc, i, j), sum);
                    }
                }
            }
        }
        if (gradBias != null) {
            Strided sb = new Strided(gradBias);
            for (int oc = 0; oc < o; oc++) {
                double sum = 0;
                for (int b = 0; b < n; b++) {
                    for (int y = 0; y < oh; y++) {
                        for (int xo = 0; xo < ow; xo++) {
                            sum += sg.get(sg.at(b, oc, y, xo));
                        }
                    }
                }
                sb.set(sb.at(oc), sum);
            }
        }
    }

    // ------------------------------------------------------------------ pooling

    @Override
    public void pool2d(PoolSpec p, Tensor x, Tensor out) {
        Strided sx = new Strided(x);
        Strided so = new Strided(out);
        int n = x.shape(0), c = x.shape(1), h = x.shape(2), w = x.shape(3);
        int oh = out.shape(2), ow = out.shape(3);
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < oh; y++) {
                    for (int xo = 0; xo < ow; xo++) {
                        double max = Double.NEGATIVE_INFINITY;
                        double sum = 0;
                        int real = 0;
                        for (int i = 0; i < p.kernelH(); i++) {
                            int iy = y * p.strideH() - p.padH() + i;
                            for (int j = 0; j < p.kernelW(); j++) {
                                int ix = xo * p.strideW() - p.padW() + j;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                                    continue;
                                }
                                double v = sx.get(sx.at(b, ch, iy, ix));
                                max = Math.max(max, v);
                                sum += v;
                                real++;
                            }
                        }
                        double r = p.kind() == PoolSpec.Kind.MAX ? max
                                : sum / (p.countIncludePad() ? p.kernelH() * p.kernelW() : real);
                        so.set(so.at(b, ch, y, xo), r);
                    }
                }
            }
        }
    }

    @Override
    public void pool2dBackward(PoolSpec p, Tensor x, Tensor out, Tensor gradOut, Tensor gradIn) {
        Strided sx = new Strided(x);
        Strided sg = new Strided(gradOut);
        Strided si = new Strided(gradIn);
        int n = x.shape(0), c = x.shape(1), h = x.shape(2), w = x.shape(3);
        int oh = gradOut.shape(2), ow = gradOut.shape(3);
        double[] acc = new double[n * c * h * w];
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                int base = (b * c + ch) * h * w;
                for (int y = 0; y < oh; y++) {
                    for (int xo = 0; xo < ow; xo++) {
                        double g = sg.get(sg.at(b, ch, y, xo));
                        int best = -1;
                        double max = Double.NEGATIVE_INFINITY;
                        int real = 0;
                        for (int i = 0; i < p.kernelH(); i++) {
                            int iy = y * p.strideH() - p.padH() + i;
                            for (int j = 0; j < p.kernelW(); j++) {
                                int ix = xo * p.strideW() - p.padW() + j;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                                    continue;
                                }
                                real++;
                                double v = sx.get(sx.at(b, ch, iy, ix));
                                if (best < 0 || v > max) { // first maximum in row-major order
                                    best = iy * w + ix;
                                    max = v;
                                }
                            }
                        }
                        if (p.kind() == PoolSpec.Kind.MAX) {
                            if (best >= 0) {
                                acc[base + best] += g;
                            }
                            continue;
                        }
                        double share = g / (p.countIncludePad() ? p.kernelH() * p.kernelW() : real);
                        for (int i = 0; i < p.kernelH(); i++) {
                            int iy = y * p.strideH() - p.padH() + i;
                            for (int j = 0; j < p.kernelW(); j++) {
                                int ix = xo * p.strideW() - p.padW() + j;
                                if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                    acc[base + iy * w + ix] += share;
                                }
                            }
                        }
                    }
                }
            }
        }
        long[] oi = si.offsets();
        for (int i = 0; i < oi.length; i++) {
            si.set(oi[i], acc[i]);
        }
    }

    // ------------------------------------------------------------------ layer norm

    @Override
    public void layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps, Tensor out, Tensor mean, Tensor rstd) {
        Strided sx = new Strided(x);
        Strided so = new Strided(out);
        Strided sm = new Strided(mean);
        Strided sr = new Strided(rstd);
        Strided sga = gamma == null ? null : new Strided(gamma);
        Strided sbe = beta == null ? null : new Strided(beta);
        int rows = x.shape(0);
        int d = x.shape(1);
        for (int r = 0; r < rows; r++) {
            double mu = 0;
            for (int j = 0; j < d; j++) {
                mu += sx.get(sx.at(r, j));
            }
            mu /= d;
            double var = 0;
            for (int j = 0; j < d; j++) {
                double z = sx.get(sx.at(r, j)) - mu;
                var += z * z;
            }
            var /= d;
            double rs = 1 / Math.sqrt(var + eps);
            for (int j = 0; j < d; j++) {
                double v = (sx.get(sx.at(r, j)) - mu) * rs;
                v = v * (sga == null ? 1 : sga.get(sga.at(j))) + (sbe == null ? 0 : sbe.get(sbe.at(j)));
                so.set(so.at(r, j), v);
            }
            sm.set(sm.at(r), mu);
            sr.set(sr.at(r), rs);
        }
    }

    @Override
    public void layerNormBackward(Tensor x, Tensor gamma, Tensor mean, Tensor rstd, Tensor gradOut,
                                  Tensor gradIn, Tensor gradGamma, Tensor gradBeta) {
        Strided sx = new Strided(x);
        Strided sg = new Strided(gradOut);
        Strided si = new Strided(gradIn);
        Strided sm = new Strided(mean);
        Strided sr = new Strided(rstd);
        Strided sga = gamma == null ? null : new Strided(gamma);
        int rows = x.shape(0);
        int d = x.shape(1);
        double[] gg = new double[d];
        double[] gb = new double[d];
        for (int r = 0; r < rows; r++) {
            double mu = sm.get(sm.at(r));
            double rs = sr.get(sr.at(r));
            double sumDy = 0;
            double sumDyXhat = 0;
            double[] dy = new double[d];
            double[] xhat = new double[d];
            for (int j = 0; j < d; j++) {
                xhat[j] = (sx.get(sx.at(r, j)) - mu) * rs;
                double g = sg.get(sg.at(r, j));
                gg[j] += g * xhat[j];
                gb[j] += g;
                dy[j] = g * (sga == null ? 1 : sga.get(sga.at(j)));
                sumDy += dy[j];
                sumDyXhat += dy[j] * xhat[j];
            }
            for (int j = 0; j < d; j++) {
                // dx = rstd * (dy - mean(dy) - xhat * mean(dy * xhat))
                si.set(si.at(r, j), rs * (dy[j] - sumDy / d - xhat[j] * sumDyXhat / d));
            }
        }
        if (gradGamma != null) {
            Strided s = new Strided(gradGamma);
            for (int j = 0; j < d; j++) {
                s.set(s.at(j), gg[j]);
            }
        }
        if (gradBeta != null) {
            Strided s = new Strided(gradBeta);
            for (int j = 0; j < d; j++) {
                s.set(s.at(j), gb[j]);
            }
        }
    }
}
