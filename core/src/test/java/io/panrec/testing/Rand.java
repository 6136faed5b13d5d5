package io.panrec.testing;

import io.panrec.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * Randomized test inputs with a printed seed: {@code -Dpanrec.test.seed=N} replays a failure. Shared
 * with other modules through core's test-jar.
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

    public long[] ids(int n, int bound) {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextInt(bound);
        }
        return v;
    }

    /** Element-wise closeness with a tolerance that grows with the reduction length; names what failed. */
    public void assertClose(String what, Tensor expected, Tensor actual, int reductionLength) {
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        if (e.length != a.length) {
            throw new AssertionError(what + ": " + e.length + " vs " + a.length + " elements" + note());
        }
        double tol = 1e-5 * Math.max(1, Math.sqrt(reductionLength)) + 1e-6;
        for (int i = 0; i < e.length; i++) {
            double scale = Math.max(1, Math.abs(e[i]));
            if (!(Math.abs(e[i] - a[i]) <= tol * scale * 4) && !(Float.isNaN(e[i]) && Float.isNaN(a[i]))
                    && e[i] != a[i]) {
                throw new AssertionError(what + ": element " + i + " is " + a[i] + ", reference " + e[i] + note());
            }
        }
    }

    public String note() {
        return " (seed " + seed + ": rerun with -Dpanrec.test.seed=" + seed + ")";
    }
}
