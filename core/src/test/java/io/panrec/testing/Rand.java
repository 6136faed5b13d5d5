package io.panrec.testing;

import io.panrec.tensor.DType;
import io.panrec.tensor.Shape;
import io.panrec.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * Randomized test inputs with a printed seed: {@code -Dpanrec.test.seed=N} replays a failure. Shared
 * with other modules through core's test-jar.
 *
 * <p>{@link #assertClose} compares against a reference with a tolerance that grows with the length of
 * the reduction behind each element (float rounding errors of a sum of n terms grow like sqrt(n) in
 * practice), and its message names what was computed, the shape, the element and the seed.
 */
public final class Rand {
    public final long seed;
    private final SplittableRandom random;

    public Rand() {
        this(Long.getLong("panrec.test.seed", System.nanoTime()));
    }

    public Rand(long seed) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
    }

    public SplittableRandom random() {
        return random;
    }

    /** F32 uniform in [-1, 1). */
    public Tensor f32(int... shape) {
        return Tensor.uniform(random, -1f, 1f, shape);
    }

    /** F32 uniform in [lo, hi). */
    public Tensor uniform(float lo, float hi, int... shape) {
        return Tensor.uniform(random, lo, hi, shape);
    }

    /** F32 values among -1, -0.5, 0, 0.5 and 1: inputs with ties (e.g. several maxima in a window). */
    public Tensor coarse(int... shape) {
        float[] v = new float[Math.toIntExact(Shape.numel(shape))];
        for (int i = 0; i < v.length; i++) {
            v[i] = (random.nextInt(5) - 2) * 0.5f;
        }
        return Tensor.of(v, shape);
    }

    /** F64 uniform in [-1, 1). */
    public Tensor f64(int... shape) {
        double[] v = new double[Math.toIntExact(Shape.numel(shape))];
        for (int i = 0; i < v.length; i++) {
            v[i] = random.nextDouble(-1, 1);
        }
        return Tensor.ofDoubles(v, shape);
    }

    /**
     * F32 uniform in [-1, 1) as a non-contiguous view: every dimension is taken with a step of 2 from
     * a larger random tensor, so no stride matches a contiguous layout and gaps hold unrelated values.
     */
    public Tensor gapped(int... shape) {
        int[] big = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            big[i] = 2 * shape[i] + 1;
        }
        Tensor base = f32(big);
        long[] strides = Shape.contiguousStrides(big);
        long offset = 0;
        for (int i = 0; i < shape.length; i++) {
            offset += strides[i]; // start at index 1 in every dimension
            strides[i] *= 2;
        }
        return base.view(shape, strides, offset);
    }

    public long[] ids(int n, int bound) {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextInt(bound);
        }
        return v;
    }

    /** Index tensor [n] of I64 or I32 values in [0, bound). */
    public Tensor ids(DType dtype, int n, int bound) {
        Tensor t = Tensor.ofLongs(ids(n, bound), n);
        return dtype == DType.I64 ? t : t.to(dtype);
    }

    /**
     * Element-wise closeness of {@code actual} to {@code expected}: |e - a| <= 4e-5 * sqrt(n) * max(1, |e|)
     * (+ 4e-6) where n is {@code reductionLength}; NaN must meet NaN and infinities must be equal.
     *
     * @param what            the op and its arguments, for the message
     * @param reductionLength how many terms each element sums (1 for element-wise ops)
     */
    public void assertClose(String what, Tensor expected, Tensor actual, int reductionLength) {
        double tol = 1e-5 * Math.max(1, Math.sqrt(reductionLength)) + 1e-6;
        assertClose(what, expected, actual, 4 * tol, 4 * tol);
    }

    /** As {@link #assertClose(String, Tensor, Tensor, int)} with explicit tolerances. */
    public void assertClose(String what, Tensor expected, Tensor actual, double relTol, double absTol) {
        if (!expected.sameShape(actual)) {
            throw new AssertionError(what + ": shape " + Shape.format(actual.shape()) + ", reference "
                    + Shape.format(expected.shape()) + note());
        }
        double[] e = expected.toDoubleArray();
        double[] a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            if (!close(e[i], a[i], relTol, absTol)) {
                throw new AssertionError(what + ": element " + indexOf(i, expected.shape()) + " of "
                        + expected.describe() + " is " + a[i] + ", reference " + e[i] + " (difference "
                        + Math.abs(e[i] - a[i]) + ", allowed " + (absTol + relTol * Math.abs(e[i])) + ")" + note());
            }
        }
    }

    static boolean close(double e, double a, double relTol, double absTol) {
        if (Double.isNaN(e) || Double.isNaN(a)) {
            return Double.isNaN(e) && Double.isNaN(a);
        }
        if (Double.isInfinite(e) || Double.isInfinite(a)) {
            return e == a;
        }
        return Math.abs(e - a) <= absTol + relTol * Math.abs(e);
    }

    /** The multi-index of row-major element {@code flat}, e.g. "[1, 0, 2]". */
    static String indexOf(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] > 0) {
                idx[d] = flat % shape[d];
                flat /= shape[d];
            }
        }
        return java.util.Arrays.toString(idx);
    }

    public String note() {
        return " (seed " + seed + ": rerun with -Dpanrec.test.seed=" + seed + ")";
    }
}
