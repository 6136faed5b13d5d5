package io.panrec.lucene;

/**
 * How {@link RecommenderRescorer} combines a hit's first-pass score with its model score. All three
 * are computed over the first-pass hits of one query.
 */
public sealed interface Combination {
    /** The model score replaces the first-pass score: the first pass only chooses the candidates. */
    record Replace() implements Combination {
        @Override
        public String toString() {
            return "replace";
        }
    }

    /**
     * {@code modelWeight * norm(model) + (1 - modelWeight) * norm(firstPass)}, each normalised to [0, 1]
     * by min-max over the hits (a constant score normalises to 0). Scales differ (BM25 is unbounded,
     * model scores may be logits or ratings), hence the normalisation.
     */
    record Blend(double modelWeight) implements Combination {
        public Blend {
            if (!(modelWeight >= 0 && modelWeight <= 1)) {
                throw new IllegalArgumentException("blend weight " + modelWeight + " is not in [0, 1]");
            }
        }

        @Override
        public String toString() {
            return "blend(" + modelWeight + ")";
        }
    }

    /**
     * Reciprocal-rank fusion (Cormack, Clarke and Buettcher, SIGIR 2009):
     * {@code 1/(k + firstPassRank) + 1/(k + modelRank)}, ranks from 1. Uses only ranks, so no scale
     * matters; k = 60 is the paper's value.
     */
    record Rrf(int k) implements Combination {
        public Rrf {
            if (k < 1) {
                throw new IllegalArgumentException("RRF k " + k + " < 1");
            }
        }

        @Override
        public String toString() {
            return "rrf(k=" + k + ")";
        }
    }

    static Combination replace() {
        return new Replace();
    }

    static Combination blend(double modelWeight) {
        return new Blend(modelWeight);
    }

    static Combination rrf() {
        return new Rrf(60);
    }

    static Combination rrf(int k) {
        return new Rrf(k);
    }

    /** Parses {@code replace}, {@code blend:0.7} or {@code blend} (0.5), {@code rrf} or {@code rrf:60}, for command lines. */
    static Combination parse(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        int colon = t.indexOf(':');
        String name = colon < 0 ? t : t.substring(0, colon);
        String arg = colon < 0 ? null : t.substring(colon + 1);
        try {
            return switch (name) {
                case "replace" -> {
                    if (arg != null) {
                        throw new IllegalArgumentException("replace takes no argument");
                    }
                    yield replace();
                }
                case "blend" -> blend(arg == null ? 0.5 : Double.parseDouble(arg));
                case "rrf" -> rrf(arg == null ? 60 : Integer.parseInt(arg));
                default -> throw new IllegalArgumentException("unknown combination '" + name + "'");
            };
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot read combination '" + text + "' (" + e.getMessage()
                    + "); use replace, blend:WEIGHT with WEIGHT in [0, 1], or rrf[:K]", e);
        }
    }
}
