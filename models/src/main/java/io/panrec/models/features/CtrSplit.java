package io.panrec.models.features;

import java.util.SplittableRandom;

/**
 * Train, validation and test rows of CTR data: {@link #random} (a seeded shuffle, 80/10/10 by default)
 * or {@link #ordered} (the file order, as Criteo's days follow one another: the earliest rows train,
 * the latest test). The vocabularies are fitted on the training rows only.
 *
 * @param train      row numbers of the training part
 * @param validation row numbers of the validation part (may be empty)
 * @param test       row numbers of the test part
 */
public record CtrSplit(int[] train, int[] validation, int[] test) {
    /** A seeded random split with these fractions of validation and test rows. */
    public static CtrSplit random(int n, double validationFraction, double testFraction, long seed) {
        check(validationFraction, testFraction);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return cut(order, validationFraction, testFraction);
    }

    /** The file order: the first rows train, then validation, the last rows test. */
    public static CtrSplit ordered(int n, double validationFraction, double testFraction) {
        check(validationFraction, testFraction);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return cut(order, validationFraction, testFraction);
    }

    private static void check(double v, double t) {
        if (!(v >= 0 && t > 0 && v + t < 1)) {
            throw new IllegalArgumentException("CTR split: need validation >= 0, test > 0 and validation + test < 1, got " + v + " and " + t);
        }
    }

    private static CtrSplit cut(int[] order, double v, double t) {
        int n = order.length;
        int nt = (int) Math.round(n * t);
        int nv = (int) Math.round(n * v);
        int ntr = n - nt - nv;
        if (ntr < 1 || nt < 1) {
            throw new IllegalArgumentException("CTR split: " + n + " rows leave " + ntr + " for training and " + nt + " for test");
        }
        return new CtrSplit(java.util.Arrays.copyOfRange(order, 0, ntr), java.util.Arrays.copyOfRange(order, ntr, ntr + nv),
                java.util.Arrays.copyOfRange(order, ntr + nv, n));
    }
}
