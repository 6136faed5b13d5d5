package io.panrec.nn;

import io.panrec.tensor.DType;
import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

import java.util.SplittableRandom;

/**
 * The seed of a randomized test class, reported on failure: register it with
 * {@code @RegisterExtension static final TestSeed SEED = new TestSeed();} and draw inputs from
 * {@link #random()}. A failure's message gets the seed and the flag that reruns it
 * ({@code -Dpanrec.test.seed=...}).
 */
public final class TestSeed implements TestExecutionExceptionHandler {
    private final long seed = Long.getLong("panrec.test.seed", System.nanoTime());

    public long seed() {
        return seed;
    }

    /** A fresh source for one test, derived from the seed and the test's name, so tests do not depend on their order. */
    public SplittableRandom random(String testName) {
        return new SplittableRandom(seed ^ testName.hashCode());
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        String note = " (seed " + seed + ", rerun with -Dpanrec.test.seed=" + seed + ")";
        if (throwable instanceof AssertionError) {
            throw new AssertionError(throwable.getMessage() + note, throwable);
        }
        throw new RuntimeException(throwable + note, throwable);
    }

    /** A differentiable F64 leaf, uniform in [lo, hi). */
    public static Tensor f64In(SplittableRandom random, double lo, double hi, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextDouble(lo, hi);
        }
        return Tensor.ofDoubles(v, shape).requiresGrad(true);
    }

    /** F64 leaf in [-1, 1). */
    public static Tensor f64(SplittableRandom random, int... shape) {
        return f64In(random, -1, 1, shape);
    }

    /** A constant F32 tensor uniform in [-1, 1). */
    public static Tensor f32(SplittableRandom random, int... shape) {
        return f64In(random, -1, 1, shape).detach().to(DType.F32);
    }

    /** Random ids in [0, bound) as I64. */
    public static Tensor ids(SplittableRandom random, int bound, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextInt(bound);
        }
        return Tensor.ofLongs(v, shape);
    }

    /** The value of a one-element tensor in full precision ({@code item()} rounds to float). */
    public static double value(Tensor t) {
        return t.toDoubleArray()[0];
    }

    public static void assertClose(double[] expected, double[] actual, double tol, String what) {
        if (expected.length != actual.length) {
            throw new AssertionError(what + ": " + actual.length + " elements, expected " + expected.length);
        }
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(expected[i] - actual[i]) <= tol * Math.max(1, Math.abs(expected[i])))) {
                throw new AssertionError(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i]);
            }
        }
    }
}
