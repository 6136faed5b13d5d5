package io.panrec.cuda;

import io.panrec.backend.BinaryOp;
import io.panrec.backend.ReduceOp;
import io.panrec.backend.UnaryOp;
import io.panrec.cuda.DeviceOps.Kernel;
import io.panrec.tensor.DType;
import io.panrec.tensor.Shape;
import io.panrec.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The kernels that cuBLAS and cuDNN do not provide: element-wise functions and their gradients, broadcasting
 * binary ops, reductions, strided copies with dtype conversion, fill, row gather and scatter-add, and layer
 * normalization. They are CUDA C++ ({@link #SOURCE}) compiled at run time with NVRTC for the GPU at hand
 * (see {@link CudaDevice}), so no binary for a fixed set of GPUs ships with panrec.
 *
 * <p>Each kernel is a grid-stride loop over strided views, computing in double and rounding once when storing
 * (as the reference backend does). Adjacent dimensions that are contiguous in every tensor are merged before
 * the launch, so a contiguous tensor is one flat loop; what remains may have up to {@value #MAX_RANK} dimensions.
 *
 * <p>Callers ({@link CudaBackend}) have checked devices, liveness, dtypes and shapes; this class checks only
 * what is its own (rank after merging, index ranges found by the kernels).
 */
final class CudaKernels {
    /** Dimensions a kernel can index after merging contiguous ones. */
    static final int MAX_RANK = 8;

    /**
     * {@code struct PrGeo { long long n; int rank; int pad; long long shape[8]; long long st[4][8]; }}: the
     * element count, the merged shape, and the strides of up to four tensors (output first).
     */
    static final StructLayout GEO = MemoryLayout.structLayout(JAVA_LONG.withName("n"), JAVA_INT.withName("rank"),
            JAVA_INT.withName("pad"), MemoryLayout.sequenceLayout(MAX_RANK, JAVA_LONG).withName("shape"),
            MemoryLayout.sequenceLayout(4 * MAX_RANK, JAVA_LONG).withName("st")).withName("PrGeo");

    /**
     * {@code struct PrRGeo}: a reduction's kept dimensions (with x's and out's strides) and reduced dimensions
     * (with x's strides).
     */
    static final StructLayout RGEO = MemoryLayout.structLayout(JAVA_LONG.withName("nOut"), JAVA_LONG.withName("nRed"),
            JAVA_INT.withName("keptRank"), JAVA_INT.withName("redRank"),
            MemoryLayout.sequenceLayout(MAX_RANK, JAVA_LONG).withName("keptShape"),
            MemoryLayout.sequenceLayout(MAX_RANK, JAVA_LONG).withName("keptX"),
            MemoryLayout.sequenceLayout(MAX_RANK, JAVA_LONG).withName("keptOut"),
            MemoryLayout.sequenceLayout(MAX_RANK, JAVA_LONG).withName("redShape"),
            MemoryLayout.sequenceLayout(MAX_RANK, JAVA_LONG).withName("redX")).withName("PrRGeo");

    static final Kernel MAP = new Kernel("pr_map", JAVA_INT, JAVA_INT, JAVA_DOUBLE, GEO, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    static final Kernel COPY = new Kernel("pr_copy", JAVA_INT, JAVA_INT, GEO, ADDRESS, ADDRESS);
    static final Kernel FILL = new Kernel("pr_fill", JAVA_INT, GEO, ADDRESS, JAVA_DOUBLE);
    static final Kernel REDUCE_PARTIAL = new Kernel("pr_reduce_partial", JAVA_INT, RGEO, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG);
    static final Kernel REDUCE_FINAL = new Kernel("pr_reduce_final", JAVA_INT, RGEO, ADDRESS, ADDRESS, JAVA_LONG);
    static final Kernel GATHER = new Kernel("pr_gather_rows", JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG,
            ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS);
    static final Kernel SCATTER_ADD = new Kernel("pr_scatter_add_rows", JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG,
            JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS);
    static final Kernel LAYER_NORM = new Kernel("pr_layer_norm", JAVA_LONG, JAVA_LONG, JAVA_DOUBLE, ADDRESS, JAVA_LONG, JAVA_LONG,
            ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG);
    static final Kernel LAYER_NORM_BACKWARD_INPUT = new Kernel("pr_layer_norm_backward_input", JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG,
            JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG,
            JAVA_LONG);
    static final Kernel LAYER_NORM_BACKWARD_PARAMS = new Kernel("pr_layer_norm_backward_params", JAVA_LONG, JAVA_LONG, ADDRESS,
            JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS,
            JAVA_LONG);

    static final List<Kernel> ALL = List.of(MAP, COPY, FILL, REDUCE_PARTIAL, REDUCE_FINAL, GATHER, SCATTER_ADD, LAYER_NORM,
            LAYER_NORM_BACKWARD_INPUT, LAYER_NORM_BACKWARD_PARAMS);

    // kinds of pr_map
    static final int UNARY = 0;
    static final int UNARY_BACKWARD = 1;
    static final int BINARY = 2;
    /** pr_unary's code for {@code alpha * x}. */
    static final int SCALE = 100;

    /**
     * CUDA C++ for NVRTC: no headers (NVRTC has none by default; the math functions are built in). Written
     * so that a host C++ compiler can also build it with a small prelude (the tests do). Op codes are the
     * ones {@link #code(UnaryOp)}, {@link #code(BinaryOp)}, {@link #code(ReduceOp)} and {@link #code(DType)} give.
     */
    static final String SOURCE = """
            // panrec kernels, compiled at run time by NVRTC. Every kernel is a grid-stride loop.
            #define PR_MAXR 8
            struct PrGeo { long long n; int rank; int pad; long long shape[PR_MAXR]; long long st[4 * PR_MAXR]; };
            struct PrRGeo {
              long long nOut; long long nRed; int keptRank; int redRank;
              long long keptShape[PR_MAXR]; long long keptX[PR_MAXR]; long long keptOut[PR_MAXR];
              long long redShape[PR_MAXR]; long long redX[PR_MAXR];
            };

            #define PR_LOOP(i, n) for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); \\
                                       i += (long long)blockDim.x * gridDim.x)

            __device__ __forceinline__ double pr_inf() { return __longlong_as_double(0x7ff0000000000000LL); }
            __device__ __forceinline__ double pr_nan() { return __longlong_as_double(0x7ff8000000000000LL); }
            __device__ __forceinline__ bool pr_isnan(double v) { return v != v; }
            __device__ __forceinline__ bool pr_signbit(double v) { return __double_as_longlong(v) < 0; }

            // Java's Math.max and Math.min: NaN wins, and -0.0 is below +0.0
            __device__ double pr_max(double a, double b) {
              if (pr_isnan(a) || pr_isnan(b)) return pr_nan();
              if (a == b) return pr_signbit(a) ? b : a;
              return a > b ? a : b;
            }
            __device__ double pr_min(double a, double b) {
              if (pr_isnan(a) || pr_isnan(b)) return pr_nan();
              if (a == b) return pr_signbit(a) ? a : b;
              return a < b ? a : b;
            }

            // Java's (int) and (long) of a double: NaN is 0, out of range saturates
            __device__ int pr_d2i(double v) {
              if (pr_isnan(v)) return 0;
              if (v >= 2147483647.0) return 2147483647;
              if (v <= -2147483648.0) return (int)(-2147483647 - 1);
              return (int) v;
            }
            __device__ long long pr_d2l(double v) {
              if (pr_isnan(v)) return 0;
              if (v >= 9223372036854775807.0) return 9223372036854775807LL;
              if (v <= -9223372036854775808.0) return (long long)(-9223372036854775807LL - 1);
              return (long long) v;
            }

            // offsets of element i in up to four tensors
            __device__ void pr_offsets(const PrGeo& g, long long i, long long* o) {
              long long r = i;
              o[0] = 0; o[1] = 0; o[2] = 0; o[3] = 0;
              for (int d = g.rank - 1; d >= 0; --d) {
                long long s = g.shape[d];
                long long q = r % s;
                r /= s;
                o[0] += q * g.st[d]; o[1] += q * g.st[PR_MAXR + d];
                o[2] += q * g.st[2 * PR_MAXR + d]; o[3] += q * g.st[3 * PR_MAXR + d];
              }
            }

            #define PR_GELU_C 0.7978845608028654

            __device__ double pr_unary(int op, double a, double x) {
              switch (op) {
                case 0: return -x;
                case 1: return fabs(x);
                case 2: return x > 0 ? x : 0.0;
                case 3: return x > 0 ? x : a * x;
                case 4: return x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x));
                case 5: return tanh(x);
                case 6: return exp(x);
                case 7: return log(x);
                case 8: return sqrt(x);
                case 9: return pow(x, a);
                case 10: return (x > 0 ? x : 0.0) + log1p(exp(-fabs(x)));
                case 11: return 0.5 * x * (1 + tanh(PR_GELU_C * (x + 0.044715 * x * x * x)));
                case 100: return a * x; // panrec's own: scaling, for beta * C when a matmul has nothing to sum
              }
              return pr_nan();
            }

            __device__ double pr_derivative(int op, double a, double x, double y) {
              switch (op) {
                case 0: return -1.0;
                case 1: return x > 0 ? 1.0 : (x < 0 ? -1.0 : x);
                case 2: return x > 0 ? 1.0 : 0.0;
                case 3: return x > 0 ? 1.0 : a;
                case 4: return y * (1 - y);
                case 5: return 1 - y * y;
                case 6: return y;
                case 7: return 1 / x;
                case 8: return 0.5 / y;
                case 9: return a == 0 ? 0.0 : a * pow(x, a - 1);
                case 10: return pr_unary(4, 0.0, x);
                case 11: {
                  double inner = PR_GELU_C * (x + 0.044715 * x * x * x);
                  double t = tanh(inner);
                  return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * PR_GELU_C * (1 + 3 * 0.044715 * x * x);
                }
              }
              return pr_nan();
            }

            __device__ double pr_binary(int op, double a, double b) {
              switch (op) {
                case 0: return a + b;
                case 1: return a - b;
                case 2: return a * b;
                case 3: return a / b;
                case 4: return pr_max(a, b);
                case 5: return pr_min(a, b);
                case 6: return a == b ? 1.0 : 0.0;
                case 7: return a > b ? 1.0 : 0.0;
              }
              return pr_nan();
            }

            // kind 0: out = f(a); kind 1: out = c * f'(a, b) with a = x, b = y, c = gradOut; kind 2: out = a (op) b
            extern "C" __global__ void pr_map(int kind, int op, double alpha, PrGeo g, float* out, const float* a,
                                              const float* b, const float* c) {
              PR_LOOP(i, g.n) {
                long long o[4];
                pr_offsets(g, i, o);
                double r;
                if (kind == 0) r = pr_unary(op, alpha, a[o[1]]);
                else if (kind == 1) r = (double) c[o[3]] * pr_derivative(op, alpha, a[o[1]], b[o[2]]);
                else r = pr_binary(op, a[o[1]], b[o[2]]);
                out[o[0]] = (float) r;
              }
            }

            // dtypes: 0 f32, 1 f64, 2 i32, 3 i64
            __device__ double pr_load(int t, const void* p, long long i) {
              switch (t) {
                case 0: return ((const float*) p)[i];
                case 1: return ((const double*) p)[i];
                case 2: return ((const int*) p)[i];
                case 3: return (double) ((const long long*) p)[i];
              }
              return pr_nan();
            }
            __device__ void pr_store(int t, void* p, long long i, double v) {
              switch (t) {
                case 0: ((float*) p)[i] = (float) v; break;
                case 1: ((double*) p)[i] = v; break;
                case 2: ((int*) p)[i] = pr_d2i(v); break;
                case 3: ((long long*) p)[i] = pr_d2l(v); break;
              }
            }

            extern "C" __global__ void pr_copy(int srcType, int dstType, PrGeo g, void* dst, const void* src) {
              PR_LOOP(i, g.n) {
                long long o[4];
                pr_offsets(g, i, o);
                if (srcType >= 2 && dstType >= 2) {
                  // ids stay exact: integer to integer never goes through double
                  long long v = srcType == 2 ? (long long) ((const int*) src)[o[1]] : ((const long long*) src)[o[1]];
                  if (dstType == 2) ((int*) dst)[o[0]] = (int) v; else ((long long*) dst)[o[0]] = v;
                } else {
                  pr_store(dstType, dst, o[0], pr_load(srcType, src, o[1]));
                }
              }
            }

            extern "C" __global__ void pr_fill(int type, PrGeo g, void* dst, double value) {
              PR_LOOP(i, g.n) {
                long long o[4];
                pr_offsets(g, i, o);
                pr_store(type, dst, o[0], value);
              }
            }

            // reductions: 0 sum, 1 mean, 2 max, 3 min. Pass 1: each (output, chunk) pair folds its part of the
            // reduced elements; pass 2 folds the chunks of each output.
            __device__ double pr_init(int op) { return op == 2 ? -pr_inf() : (op == 3 ? pr_inf() : 0.0); }
            __device__ double pr_fold(int op, double acc, double v) {
              return op == 2 ? pr_max(acc, v) : (op == 3 ? pr_min(acc, v) : acc + v);
            }

            extern "C" __global__ void pr_reduce_partial(int op, PrRGeo g, const float* x, double* partial, long long chunks,
                                                         long long chunkLen) {
              PR_LOOP(t, g.nOut * chunks) {
                long long o = t / chunks, c = t % chunks;
                long long base = 0, r = o;
                for (int d = g.keptRank - 1; d >= 0; --d) {
                  long long q = r % g.keptShape[d];
                  r /= g.keptShape[d];
                  base += q * g.keptX[d];
                }
                double acc = pr_init(op);
                long long start = c * chunkLen;
                long long end = start + chunkLen < g.nRed ? start + chunkLen : g.nRed;
                for (long long j = start; j < end; ++j) {
                  long long off = base, rr = j;
                  for (int d = g.redRank - 1; d >= 0; --d) {
                    long long q = rr % g.redShape[d];
                    rr /= g.redShape[d];
                    off += q * g.redX[d];
                  }
                  acc = pr_fold(op, acc, x[off]);
                }
                partial[t] = acc;
              }
            }

            extern "C" __global__ void pr_reduce_final(int op, PrRGeo g, const double* partial, float* out, long long chunks) {
              PR_LOOP(o, g.nOut) {
                double acc = pr_init(op);
                for (long long c = 0; c < chunks; ++c) acc = pr_fold(op, acc, partial[o * chunks + c]);
                if (op == 1) acc = g.nRed == 0 ? pr_nan() : acc / (double) g.nRed;
                long long off = 0, r = o;
                for (int d = g.keptRank - 1; d >= 0; --d) {
                  long long q = r % g.keptShape[d];
                  r /= g.keptShape[d];
                  off += q * g.keptOut[d];
                }
                out[off] = (float) acc;
              }
            }

            __device__ long long pr_index(int idxType, const void* idx, long long i) {
              return idxType == 2 ? (long long) ((const int*) idx)[i] : ((const long long*) idx)[i];
            }

            // out[i, :] = table[idx[i], :]; an index outside [0, V) is skipped and flagged in *bad
            extern "C" __global__ void pr_gather_rows(int idxType, long long n, long long d, long long V,
                                                      const float* table, long long t0, long long t1,
                                                      const void* idx, long long i0,
                                                      float* out, long long o0, long long o1, int* bad) {
              PR_LOOP(t, n * d) {
                long long i = t / d, j = t % d;
                long long row = pr_index(idxType, idx, i * i0);
                if (row < 0 || row >= V) { *bad = 1; continue; }
                out[i * o0 + j * o1] = table[row * t0 + j * t1];
              }
            }

            // target[idx[i], :] += src[i, :], repeated rows adding up (atomically)
            extern "C" __global__ void pr_scatter_add_rows(int idxType, long long n, long long d, long long V,
                                                           const float* src, long long s0, long long s1,
                                                           const void* idx, long long i0,
                                                           float* target, long long t0, long long t1, int* bad) {
              PR_LOOP(t, n * d) {
                long long i = t / d, j = t % d;
                long long row = pr_index(idxType, idx, i * i0);
                if (row < 0 || row >= V) { *bad = 1; continue; }
                atomicAdd(&target[row * t0 + j * t1], src[i * s0 + j * s1]);
              }
            }

            // layer norm over the last axis of x [R, D]: one row per item, two passes in double
            extern "C" __global__ void pr_layer_norm(long long R, long long D, double eps,
                                                     const float* x, long long x0, long long x1,
                                                     const float* gamma, long long g0, const float* beta, long long b0,
                                                     float* out, long long o0, long long o1,
                                                     float* mean, long long m0, float* rstd, long long r0) {
              PR_LOOP(r, R) {
                double mu = 0;
                for (long long j = 0; j < D; ++j) mu += x[r * x0 + j * x1];
                mu /= (double) D;
                double var = 0;
                for (long long j = 0; j < D; ++j) { double z = x[r * x0 + j * x1] - mu; var += z * z; }
                var /= (double) D;
                double rs = 1 / sqrt(var + eps);
                for (long long j = 0; j < D; ++j) {
                  double v = (x[r * x0 + j * x1] - mu) * rs;
                  v = v * (gamma ? (double) gamma[j * g0] : 1.0) + (beta ? (double) beta[j * b0] : 0.0);
                  out[r * o0 + j * o1] = (float) v;
                }
                mean[r * m0] = (float) mu;
                rstd[r * r0] = (float) rs;
              }
            }

            // dx = rstd * (dy - mean(dy) - xhat * mean(dy * xhat)) with dy = gradOut * gamma, one row per item
            extern "C" __global__ void pr_layer_norm_backward_input(long long R, long long D,
                                                                    const float* x, long long x0, long long x1,
                                                                    const float* gamma, long long g0,
                                                                    const float* mean, long long m0,
                                                                    const float* rstd, long long r0,
                                                                    const float* gout, long long go0, long long go1,
                                                                    float* gin, long long gi0, long long gi1) {
              PR_LOOP(r, R) {
                double mu = mean[r * m0], rs = rstd[r * r0];
                double sumDy = 0, sumDyXhat = 0;
                for (long long j = 0; j < D; ++j) {
                  double xhat = (x[r * x0 + j * x1] - mu) * rs;
                  double dy = (double) gout[r * go0 + j * go1] * (gamma ? (double) gamma[j * g0] : 1.0);
                  sumDy += dy;
                  sumDyXhat += dy * xhat;
                }
                for (long long j = 0; j < D; ++j) {
                  double xhat = (x[r * x0 + j * x1] - mu) * rs;
                  double dy = (double) gout[r * go0 + j * go1] * (gamma ? (double) gamma[j * g0] : 1.0);
                  gin[r * gi0 + j * gi1] = (float) (rs * (dy - sumDy / (double) D - xhat * sumDyXhat / (double) D));
                }
              }
            }

            // gradGamma[j] = sum_r gradOut[r, j] * xhat[r, j] and gradBeta[j] = sum_r gradOut[r, j], one column per item
            extern "C" __global__ void pr_layer_norm_backward_params(long long R, long long D,
                                                                     const float* x, long long x0, long long x1,
                                                                     const float* mean, long long m0,
                                                                     const float* rstd, long long r0,
                                                                     const float* gout, long long go0, long long go1,
                                                                     float* ggamma, long long gg0, float* gbeta, long long gb0) {
              PR_LOOP(j, D) {
                double gg = 0, gb = 0;
                for (long long r = 0; r < R; ++r) {
                  double xhat = (x[r * x0 + j * x1] - (double) mean[r * m0]) * (double) rstd[r * r0];
                  double g = gout[r * go0 + j * go1];
                  gg += g * xhat;
                  gb += g;
                }
                if (ggamma) ggamma[j * gg0] = (float) gg;
                if (gbeta) gbeta[j * gb0] = (float) gb;
              }
            }
            """;

    private final DeviceOps ops;

    CudaKernels(DeviceOps ops) {
        this.ops = ops;
    }

    DeviceOps ops() {
        return ops;
    }

    // ------------------------------------------------------------------ op codes (must match SOURCE)

    static int code(UnaryOp op) {
        return switch (op) {
            case NEG -> 0;
            case ABS -> 1;
            case RELU -> 2;
            case LEAKY_RELU -> 3;
            case SIGMOID -> 4;
            case TANH -> 5;
            case EXP -> 6;
            case LOG -> 7;
            case SQRT -> 8;
            case POW -> 9;
            case SOFTPLUS -> 10;
            case GELU_TANH -> 11;
        };
    }

    static int code(BinaryOp op) {
        return switch (op) {
            case ADD -> 0;
            case SUB -> 1;
            case MUL -> 2;
            case DIV -> 3;
            case MAX -> 4;
            case MIN -> 5;
            case EQ -> 6;
            case GT -> 7;
        };
    }

    static int code(ReduceOp op) {
        return switch (op) {
            case SUM -> 0;
            case MEAN -> 1;
            case MAX -> 2;
            case MIN -> 3;
        };
    }

    static int code(DType t) {
        return switch (t) {
            case F32 -> 0;
            case F64 -> 1;
            case I32 -> 2;
            case I64 -> 3;
        };
    }

    // ------------------------------------------------------------------ geometry

    /** The device address of a tensor's first element (0 for null); checks its scope is open. */
    static long addr(Tensor t) {
        return t == null ? 0L : t.dataSegment().address();
    }

    /**
     * The merged iteration space of {@code shape} over up to four tensors of that shape (null: stride 0):
     * size-1 dimensions dropped, and a dimension folded into the next when every tensor steps over both as
     * over one.
     */
    static long[][] merge(String op, int[] shape, Tensor... ts) {
        List<long[]> dims = new ArrayList<>(); // {size, stride0..3}
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) {
                continue;
            }
            long[] dim = new long[5];
            dim[0] = shape[d];
            for (int k = 0; k < ts.length; k++) {
                dim[1 + k] = ts[k] == null ? 0 : ts[k].stride(d);
            }
            if (!dims.isEmpty()) {
                long[] top = dims.getLast();
                boolean foldable = true;
                for (int k = 0; k < 4; k++) {
                    if (top[1 + k] != dim[1 + k] * dim[0]) {
                        foldable = false;
                        break;
                    }
                }
                if (foldable) {
                    top[0] *= dim[0];
                    System.arraycopy(dim, 1, top, 1, 4);
                    continue;
                }
            }
            dims.add(dim);
        }
        if (dims.size() > MAX_RANK) {
            throw new IllegalArgumentException("cuda " + op + ": " + Shape.format(shape) + " has " + dims.size()
                    + " dimensions that cannot be merged (the GPU kernels index at most " + MAX_RANK
                    + "); make the tensors contiguous first");
        }
        return dims.toArray(long[][]::new);
    }

    static MemorySegment geo(Arena a, String op, int[] shape, Tensor... ts) {
        long[][] dims = merge(op, shape, ts);
        MemorySegment g = a.allocate(GEO);
        g.set(JAVA_LONG, 0, Shape.numel(shape));
        g.set(JAVA_INT, 8, dims.length);
        long shapeAt = GEO.byteOffset(MemoryLayout.PathElement.groupElement("shape"));
        long stAt = GEO.byteOffset(MemoryLayout.PathElement.groupElement("st"));
        for (int d = 0; d < dims.length; d++) {
            g.setAtIndex(JAVA_LONG, shapeAt / 8 + d, dims[d][0]);
            for (int k = 0; k < 4; k++) {
                g.setAtIndex(JAVA_LONG, stAt / 8 + (long) k * MAX_RANK + d, dims[d][1 + k]);
            }
        }
        return g;
    }

    // ------------------------------------------------------------------ element-wise

    void unary(UnaryOp op, float alpha, Tensor x, Tensor out) {
        map(UNARY, code(op), alpha, out, x, null, null, "unary " + op);
    }

    void unaryBackward(UnaryOp op, float alpha, Tensor x, Tensor y, Tensor gradOut, Tensor gradIn) {
        map(UNARY_BACKWARD, code(op), alpha, gradIn, x, y, gradOut, "unaryBackward " + op);
    }

    /** {@code out = s * x} (not a {@link UnaryOp}: the backend's own helper). */
    void scale(float s, Tensor x, Tensor out) {
        map(UNARY, SCALE, s, out, x, null, null, "scale");
    }

    void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        map(BINARY, code(op), 0, out, a, b, null, "binary " + op);
    }

    private void map(int kind, int op, float alpha, Tensor out, Tensor a, Tensor b, Tensor c, String what) {
        if (out.numel() == 0) {
            return;
        }
        try (Arena ar = Arena.ofConfined()) {
            MemorySegment g = geo(ar, what, out.shape(), out, a, b, c);
            ops.launch(MAP, out.numel(), kind, op, (double) alpha, g, addr(out), addr(a), addr(b), addr(c));
        }
    }

    /** Element-wise copy between tensors of one shape, converting dtype (ids never pass through double). */
    void copy(Tensor src, Tensor dst) {
        if (dst.numel() == 0) {
            return;
        }
        try (Arena ar = Arena.ofConfined()) {
            MemorySegment g = geo(ar, "copy", dst.shape(), dst, src);
            ops.launch(COPY, dst.numel(), code(src.dtype()), code(dst.dtype()), g, addr(dst), addr(src));
        }
    }

    void fill(Tensor dst, double value) {
        if (dst.numel() == 0) {
            return;
        }
        try (Arena ar = Arena.ofConfined()) {
            MemorySegment g = geo(ar, "fill", dst.shape(), dst);
            ops.launch(FILL, dst.numel(), code(dst.dtype()), g, addr(dst), value);
        }
    }

    // ------------------------------------------------------------------ reductions

    /** Threads to aim for in the first pass of a reduction: enough to fill a large GPU several times. */
    static final long REDUCE_THREADS = 1L << 17;

    void reduce(ReduceOp op, Tensor x, Tensor out) {
        if (out.numel() == 0) {
            return;
        }
        int[] xs = x.shape();
        int[] os = out.shape();
        List<long[]> kept = new ArrayList<>(); // {size, strideX, strideOut}
        List<long[]> red = new ArrayList<>();  // {size, strideX}
        for (int d = 0; d < xs.length; d++) {
            if (xs[d] == 1 && os[d] == 1) {
                continue;
            }
            if (os[d] == xs[d]) {
                addMerged(kept, new long[] {xs[d], x.stride(d), out.stride(d)});
            } else {
                addMerged(red, new long[] {xs[d], x.stride(d)});
            }
        }
        if (kept.size() > MAX_RANK || red.size() > MAX_RANK) {
            throw new IllegalArgumentException("cuda reduce: " + x.describe() + " to " + Shape.format(os) + " needs more than "
                    + MAX_RANK + " unmergeable dimensions; make x contiguous first");
        }
        long nOut = out.numel();
        long nRed = 1;
        for (long[] r : red) {
            nRed *= r[0];
        }
        if (x.numel() == 0) {
            nRed = 0;
        }
        long chunks = Math.max(1, Math.min(ceilDiv(REDUCE_THREADS, nOut), ceilDiv(nRed, 32)));
        long chunkLen = Math.max(1, ceilDiv(nRed, chunks));
        chunks = Math.max(1, ceilDiv(nRed, chunkLen));
        try (Arena ar = Arena.ofConfined()) {
            MemorySegment g = ar.allocate(RGEO);
            g.set(JAVA_LONG, 0, nOut);
            g.set(JAVA_LONG, 8, nRed);
            g.set(JAVA_INT, 16, kept.size());
            g.set(JAVA_INT, 20, red.size());
            long base = 24 / 8;
            for (int d = 0; d < kept.size(); d++) {
                g.setAtIndex(JAVA_LONG, base + d, kept.get(d)[0]);
                g.setAtIndex(JAVA_LONG, base + MAX_RANK + d, kept.get(d)[1]);
                g.setAtIndex(JAVA_LONG, base + 2L * MAX_RANK + d, kept.get(d)[2]);
            }
            for (int d = 0; d < red.size(); d++) {
                g.setAtIndex(JAVA_LONG, base + 3L * MAX_RANK + d, red.get(d)[0]);
                g.setAtIndex(JAVA_LONG, base + 4L * MAX_RANK + d, red.get(d)[1]);
            }
            long partial = ops.allocTemp(nOut * chunks * Double.BYTES);
            try {
                ops.launch(REDUCE_PARTIAL, nOut * chunks, code(op), g, addr(x), partial, chunks, chunkLen);
                ops.launch(REDUCE_FINAL, nOut, code(op), g, partial, addr(out), chunks);
            } finally {
                ops.freeTemp(partial);
            }
        }
    }

    /** Appends a dimension, folding it into the previous one when every stride allows. */
    private static void addMerged(List<long[]> dims, long[] dim) {
        if (!dims.isEmpty()) {
            long[] top = dims.getLast();
            boolean foldable = true;
            for (int k = 1; k < dim.length; k++) {
                if (top[k] != dim[k] * dim[0]) {
                    foldable = false;
                    break;
                }
            }
            if (foldable) {
                top[0] *= dim[0];
                System.arraycopy(dim, 1, top, 1, dim.length - 1);
                return;
            }
        }
        dims.add(dim);
    }

    static long ceilDiv(long a, long b) {
        return b == 0 ? 0 : (a + b - 1) / b;
    }

    // ------------------------------------------------------------------ rows

    void gatherRows(Tensor table, Tensor indices, Tensor out) {
        rows(GATHER, "gatherRows", table, indices, out, table.shape(0));
    }

    void scatterAddRows(Tensor src, Tensor indices, Tensor target) {
        rows(SCATTER_ADD, "scatterAddRows", src, indices, target, target.shape(0));
    }

    /**
     * Launches gather (data = table, other = out) or scatter-add (data = src, other = target). An index outside
     * [0, V) is skipped by the kernel and reported here, after the launch, with its position.
     */
    private void rows(Kernel k, String what, Tensor data, Tensor indices, Tensor other, long bound) {
        long n = indices.shape(0);
        long d = k == GATHER ? data.shape(1) : other.shape(1);
        if (n == 0 || d == 0) {
            return;
        }
        long flag = ops.allocTemp(Integer.BYTES);
        try {
            ops.memsetZero(flag, Integer.BYTES);
            ops.launch(k, n * d, code(indices.dtype()), n, d, bound, addr(data), data.stride(0), data.stride(1), addr(indices),
                    indices.stride(0), addr(other), other.stride(0), other.stride(1), flag);
            try (Arena a = Arena.ofConfined()) {
                MemorySegment bad = a.allocate(JAVA_INT);
                ops.toHost(flag, bad, Integer.BYTES);
                if (bad.get(JAVA_INT, 0) != 0) {
                    throw outOfRange(what, indices, bound);
                }
            }
        } finally {
            ops.freeTemp(flag);
        }
    }

    /** Reads the indices back to say which one was out of range (only on this error path). */
    private IndexOutOfBoundsException outOfRange(String what, Tensor indices, long bound) {
        long n = indices.shape(0);
        long bytes = n * indices.dtype().byteSize();
        long tmp = ops.allocTemp(bytes);
        try (Arena a = Arena.ofConfined()) {
            Tensor packed = Tensor.onDevice(MemorySegment.ofAddress(tmp).reinterpret(bytes), indices.scope(), indices.device(),
                    indices.dtype(), (int) n);
            copy(indices, packed);
            MemorySegment host = a.allocate(bytes, 8);
            ops.toHost(tmp, host, bytes);
            for (int i = 0; i < n; i++) {
                long v = indices.dtype() == DType.I32 ? host.getAtIndex(JAVA_INT, i) : host.getAtIndex(JAVA_LONG, i);
                if (v < 0 || v >= bound) {
                    return new IndexOutOfBoundsException("cuda " + what + ": index " + v + " at position " + i + " of "
                            + indices.describe() + " is outside [0, " + bound + "); nothing was written for it");
                }
            }
            return new IndexOutOfBoundsException("cuda " + what + ": an index of " + indices.describe() + " is outside [0, "
                    + bound + ")");
        } finally {
            ops.freeTemp(tmp);
        }
    }

    // ------------------------------------------------------------------ layer norm

    void layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps, Tensor out, Tensor mean, Tensor rstd) {
        long rows = x.shape(0);
        long d = x.shape(1);
        if (rows == 0) {
            return;
        }
        ops.launch(LAYER_NORM, rows, rows, d, (double) eps, addr(x), x.stride(0), x.stride(1), addr(gamma), stride0(gamma),
                addr(beta), stride0(beta), addr(out), out.stride(0), out.stride(1), addr(mean), mean.stride(0), addr(rstd),
                rstd.stride(0));
    }

    void layerNormBackward(Tensor x, Tensor gamma, Tensor mean, Tensor rstd, Tensor gradOut, Tensor gradIn, Tensor gradGamma,
                           Tensor gradBeta) {
        long rows = x.shape(0);
        long d = x.shape(1);
        if (rows > 0 && d > 0) {
            ops.launch(LAYER_NORM_BACKWARD_INPUT, rows, rows, d, addr(x), x.stride(0), x.stride(1), addr(gamma), stride0(gamma),
                    addr(mean), mean.stride(0), addr(rstd), rstd.stride(0), addr(gradOut), gradOut.stride(0), gradOut.stride(1),
                    addr(gradIn), gradIn.stride(0), gradIn.stride(1));
        }
        if ((gradGamma != null || gradBeta != null) && d > 0) {
            ops.launch(LAYER_NORM_BACKWARD_PARAMS, d, rows, d, addr(x), x.stride(0), x.stride(1), addr(mean), mean.stride(0),
                    addr(rstd), rstd.stride(0), addr(gradOut), gradOut.stride(0), gradOut.stride(1), addr(gradGamma),
                    stride0(gradGamma), addr(gradBeta), stride0(gradBeta));
        }
    }

    private static long stride0(Tensor t) {
        return t == null ? 0L : t.stride(0);
    }
}
