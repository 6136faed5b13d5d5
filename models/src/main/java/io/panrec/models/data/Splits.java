package io.panrec.models.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Ways to cut a dataset into training, validation and test parts (the official MovieLens folds are read
 * by {@link MovieLens#read100kFold}). Each part keeps the rows in the order of the source table, and all
 * parts share its vocabularies. The random split is reproducible from its seed; the others are
 * deterministic.
 */
public final class Splits {
    private Splits() {
    }

    /**
     * A random split of the rows: {@code round(n * testFraction)} rows for test,
     * {@code round(n * validationFraction)} for validation, the rest for training, drawn by a
     * Fisher-Yates shuffle seeded with {@code seed}.
     *
     * @throws IllegalArgumentException unless both fractions are in [0, 1) and sum to less than 1
     */
    public static Split ratio(Interactions data, double testFraction, double validationFraction, long seed) {
        checkFractions(testFraction, validationFraction);
        int n = data.size();
        int[] perm = MovieLens.range(0, n);
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int nTest = (int) Math.round(n * testFraction);
        int nValid = (int) Math.round(n * validationFraction);
        int[] test = sorted(perm, 0, nTest);
        int[] valid = sorted(perm, nTest, nTest + nValid);
        int[] train = sorted(perm, nTest + nValid, n);
        return new Split(data.select(train), data.select(valid), data.select(test));
    }

    /**
     * Per-user leave-one-out by time, as in the NCF paper: each user's latest interaction is the test
     * item and, with {@code validation}, the second-latest is the validation item; the rest is training.
     * Interactions with equal timestamps are ordered by their row (the later row counts as later). A user
     * with a single interaction keeps it for training (there would be nothing to learn the user from), and
     * a user with two gets no validation item.
     *
     * @throws IllegalArgumentException if the data has no timestamps
     */
    public static Split leaveOneOut(Interactions data, boolean validation) {
        requireTimestamps(data, "leave-one-out by time");
        int n = data.size();
        int nu = data.numUsers();
        // rows grouped by user (counting sort), each group then ordered by (timestamp, row)
        int[] start = new int[nu + 1];
        for (int r = 0; r < n; r++) {
            start[data.user(r) + 1]++;
        }
        for (int u = 0; u < nu; u++) {
            start[u + 1] += start[u];
        }
        Integer[] byUser = new Integer[n];
        int[] fill = Arrays.copyOf(start, nu);
        for (int r = 0; r < n; r++) {
            byUser[fill[data.user(r)]++] = r;
        }
        boolean[] isTest = new boolean[n];
        boolean[] isValid = new boolean[n];
        int nTest = 0;
        int nValid = 0;
        for (int u = 0; u < nu; u++) {
            int from = start[u];
            int to = start[u + 1];
            int count = to - from;
            if (count < 2) {
                continue;
            }
            Arrays.sort(byUser, from, to, (a, b) -> {
                int c = Long.compare(data.timestamp(a), data.timestamp(b));
                return c != 0 ? c : Integer.compare(a, b);
            });
            isTest[byUser[to - 1]] = true;
            nTest++;
            if (validation && count >= 3) {
                isValid[byUser[to - 2]] = true;
                nValid++;
            }
        }
        int[] train = new int[n - nTest - nValid];
        int[] valid = new int[nValid];
        int[] test = new int[nTest];
        int a = 0;
        int b = 0;
        int c = 0;
        for (int r = 0; r < n; r++) {
            if (isTest[r]) {
                test[c++] = r;
            } else if (isValid[r]) {
                valid[b++] = r;
            } else {
                train[a++] = r;
            }
        }
        return new Split(data.select(train), data.select(valid), data.select(test));
    }

    /**
     * A global temporal cut: rows ordered by (timestamp, row); the latest {@code round(n * testFraction)}
     * are the test part, the {@code round(n * validationFraction)} before them the validation part, the
     * earlier ones training. Every test interaction is thus no earlier than every training interaction
     * (rows with the same timestamp may fall on both sides of a cut).
     *
     * @throws IllegalArgumentException if the data has no timestamps or the fractions are out of range
     */
    public static Split temporal(Interactions data, double testFraction, double validationFraction) {
        checkFractions(testFraction, validationFraction);
        requireTimestamps(data, "a temporal split");
        int n = data.size();
        // a boxed sort with a comparator: timestamps are 64-bit, so (timestamp, row) does not pack into one long
        Integer[] order = new Integer[n];
        for (int r = 0; r < n; r++) {
            order[r] = r;
        }
        Arrays.sort(order, (a, b) -> {
            int c = Long.compare(data.timestamp(a), data.timestamp(b));
            return c != 0 ? c : Integer.compare(a, b);
        });
        int nTest = (int) Math.round(n * testFraction);
        int nValid = (int) Math.round(n * validationFraction);
        int nTrain = n - nTest - nValid;
        int[] ord = new int[n];
        for (int i = 0; i < n; i++) {
            ord[i] = order[i];
        }
        return new Split(data.select(sorted(ord, 0, nTrain)), data.select(sorted(ord, nTrain, nTrain + nValid)),
                data.select(sorted(ord, nTrain + nValid, n)));
    }

    private static int[] sorted(int[] a, int from, int to) {
        int[] r = Arrays.copyOfRange(a, from, to);
        Arrays.sort(r);
        return r;
    }

    private static void checkFractions(double test, double valid) {
        if (!(test >= 0 && test < 1) || !(valid >= 0 && valid < 1) || test + valid >= 1) {
            throw new IllegalArgumentException("split fractions must be in [0, 1) and leave rows for training: test " + test
                    + ", validation " + valid);
        }
    }

    private static void requireTimestamps(Interactions data, String what) {
        if (!data.hasTimestamps()) {
            throw new IllegalArgumentException(what + " needs timestamps, and this data has none; use Splits.ratio instead");
        }
    }
}
