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
        // one pass keeping each user's latest and second-latest row by (timestamp, row)
        int[] count = new int[nu];
        int[] latest = new int[nu];
        int[] second = new int[nu];
        Arrays.fill(latest, -1);
        Arrays.fill(second, -1);
        for (int r = 0; r < n; r++) {
            int u = data.user(r);
            count[u]++;
            if (latest[u] < 0 || later(data, r, latest[u])) {
                second[u] = latest[u];
                latest[u] = r;
            } else if (second[u] < 0 || later(data, r, second[u])) {
                second[u] = r;
            }
        }
        boolean[] isTest = new boolean[n];
        boolean[] isValid = new boolean[n];
        int nTest = 0;
        int nValid = 0;
        for (int u = 0; u < nu; u++) {
            if (count[u] < 2) {
                continue;
            }
            isTest[latest[u]] = true;
            nTest++;
            if (validation && count[u] >= 3) {
                isValid[second[u]] = true;
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

    /** Whether row r comes after row q in time; equal timestamps are ordered by row. */
    private static boolean later(Interactions data, int r, int q) {
        long tr = data.timestamp(r);
        long tq = data.timestamp(q);
        return tr != tq ? tr > tq : r > q;
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
        int[] ord = timeOrder(data);
        int nTest = (int) Math.round(n * testFraction);
        int nValid = (int) Math.round(n * validationFraction);
        int nTrain = n - nTest - nValid;
        return new Split(data.select(sorted(ord, 0, nTrain)), data.select(sorted(ord, nTrain, nTrain + nValid)),
                data.select(sorted(ord, nTrain + nValid, n)));
    }

    /** Row numbers ordered by (timestamp, row). */
    static int[] timeOrder(Interactions data) {
        int n = data.size();
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int r = 0; r < n; r++) {
            min = Math.min(min, data.timestamp(r));
            max = Math.max(max, data.timestamp(r));
        }
        int[] ord = new int[n];
        if (n > 0 && max - min >= 0 && max - min < (1L << 31)) {
            // the usual case (seconds over less than 68 years): (timestamp - min, row) packed in one long
            long[] keys = new long[n];
            for (int r = 0; r < n; r++) {
                keys[r] = (data.timestamp(r) - min) << 32 | r;
            }
            Arrays.sort(keys);
            for (int i = 0; i < n; i++) {
                ord[i] = (int) keys[i];
            }
            return ord;
        }
        Integer[] boxed = new Integer[n];
        for (int r = 0; r < n; r++) {
            boxed[r] = r;
        }
        Arrays.sort(boxed, (a, b) -> {
            int c = Long.compare(data.timestamp(a), data.timestamp(b));
            return c != 0 ? c : Integer.compare(a, b);
        });
        for (int i = 0; i < n; i++) {
            ord[i] = boxed[i];
        }
        return ord;
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
