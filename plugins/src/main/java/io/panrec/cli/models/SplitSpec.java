package io.panrec.cli.models;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How a dataset was cut into training, validation and test parts, fully resolved (no defaults left):
 * what {@code train} records in a bundle's info so that {@code evaluate} and {@code recommend} can cut
 * the same data the same way again, and measure the model on the part it never saw.
 *
 * @param kind               the split
 * @param fold               1..5 for {@link Kind#FOLD}, else 0
 * @param validationFraction share of rows for validation ({@link Kind#RATIO}, {@link Kind#TEMPORAL}), else 0
 * @param testFraction       share of rows for test ({@link Kind#RATIO}, {@link Kind#TEMPORAL}), else 0
 * @param seed               seed of the random ratio split (and of sampled negatives in validation)
 * @param threshold          for ranking models: ratings below it are dropped and the rest become
 *                           implicit positives; {@code -Infinity} keeps every interaction (as the NCF
 *                           paper does); NaN for rating models, which keep their ratings
 */
record SplitSpec(Kind kind, int fold, double validationFraction, double testFraction, long seed, float threshold) {
    /** The splits the command line offers. */
    enum Kind {
        /** Per user, the latest interaction is the test item and the second-latest the validation item. */
        LOO,
        /** A seeded random share of the rows for validation and for test. */
        RATIO,
        /** The latest rows overall for test, the ones before them for validation. */
        TEMPORAL,
        /** MovieLens 100K's official u1..u5 base/test files (no validation part). */
        FOLD,
        /** Session data: GRU4Rec/NARM's filters, the sessions of the last 7 days as test ({@code Sessions.prepare}). */
        SESSIONS;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Kind parse(String text) {
            for (Kind k : values()) {
                if (k.label().equalsIgnoreCase(text.strip())) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown split '" + text + "'; splits: loo, ratio, temporal, fold, sessions");
        }
    }

    SplitSpec {
        if ((kind == Kind.FOLD) != (fold >= 1 && fold <= 5)) {
            throw new IllegalArgumentException(kind == Kind.FOLD ? "MovieLens 100K has folds 1 to 5, not " + fold
                    : "a fold number goes with the fold split only");
        }
    }

    /** E.g. "fold 1", "leave-one-out by time", "ratio 0.1/0.1 (seed 1)". */
    String describe() {
        String base = switch (kind) {
            case FOLD -> "official fold u" + fold;
            case LOO -> "leave-one-out by time";
            case RATIO -> String.format(Locale.ROOT, "random ratio, validation %s, test %s, seed %d", fraction(validationFraction),
                    fraction(testFraction), seed);
            case TEMPORAL -> String.format(Locale.ROOT, "temporal, validation %s, test %s", fraction(validationFraction),
                    fraction(testFraction));
            case SESSIONS -> "sessions, last " + io.panrec.models.data.Sessions.Preprocessing.STANDARD.testDays() + " days as test";
        };
        if (Float.isNaN(threshold)) {
            return base + ", ratings";
        }
        return base + (threshold == Float.NEGATIVE_INFINITY ? ", every interaction a positive"
                : ", ratings >= " + threshold + " as positives");
    }

    private static String fraction(double f) {
        return String.format(Locale.ROOT, "%.2f", f);
    }

    /** The values recorded in a bundle's {@code info.split}. */
    Map<String, Object> toInfo() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", kind.label());
        m.put("fold", fold);
        m.put("validationFraction", validationFraction);
        m.put("testFraction", testFraction);
        m.put("seed", seed);
        // JSON has no infinity and no NaN: "all" keeps every interaction, null keeps ratings
        m.put("implicitThreshold", Float.isNaN(threshold) ? null : threshold == Float.NEGATIVE_INFINITY ? "all" : (double) threshold);
        return m;
    }

    /**
     * Reads back {@link #toInfo()} as parsed JSON (numbers as Long or Double).
     *
     * @throws IllegalArgumentException naming the bundle if a value is missing or malformed
     */
    static SplitSpec fromInfo(Object value, String where) {
        if (!(value instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(where + " records no split (info.split); it was not written by 'panrec train': "
                    + "give the split with --split/--fold");
        }
        try {
            Kind kind = Kind.parse(String.valueOf(m.get("kind")));
            Object t = m.get("implicitThreshold");
            float threshold = t == null || t == io.panrec.io.Json.NULL ? Float.NaN
                    : "all".equals(t) ? Float.NEGATIVE_INFINITY : ((Number) t).floatValue();
            return new SplitSpec(kind, ((Number) m.get("fold")).intValue(), ((Number) m.get("validationFraction")).doubleValue(),
                    ((Number) m.get("testFraction")).doubleValue(), ((Number) m.get("seed")).longValue(), threshold);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where + ": info.split " + value + " is malformed (" + e.getMessage() + ")", e);
        }
    }
}
