package io.panrec.models.spi;

/**
 * What a model needs to know about its data before it is built: how many users and items there are
 * (the sizes of its embedding tables and of {@link Recommender#fullSortPredict} rows) and whether the
 * interactions carry explicit ratings, with their range (to clip predictions to the scale).
 *
 * <p>User and item indices are dense: users are {@code 0 .. numUsers-1}, items {@code 0 .. numItems-1},
 * as given by the data's vocabularies ({@link io.panrec.models.data.Vocabulary}).
 *
 * <p>Context-aware (CTR) models also read {@code features}: the {@link FeatureField}s of the data, in
 * the order their values appear in batches (empty for plain interaction data; such models then use
 * the user and item ids as their two fields). The five-value constructor and the factories build a
 * schema without features, as before.
 *
 * @param numUsers   number of users, at least 1
 * @param numItems   number of items, at least 1
 * @param hasRatings whether interactions carry explicit ratings (otherwise every interaction is a 1)
 * @param minRating  the smallest rating of the data; {@code NaN} without ratings
 * @param maxRating  the largest rating of the data; {@code NaN} without ratings
 * @param features   feature fields of context-aware models, names unique (unmodifiable; empty for none)
 */
public record DatasetSchema(int numUsers, int numItems, boolean hasRatings, float minRating, float maxRating,
                            java.util.List<FeatureField> features) {
    /** A schema without feature fields. */
    public DatasetSchema(int numUsers, int numItems, boolean hasRatings, float minRating, float maxRating) {
        this(numUsers, numItems, hasRatings, minRating, maxRating, java.util.List.of());
    }

    public DatasetSchema {
        features = java.util.List.copyOf(java.util.Objects.requireNonNull(features, "features"));
        java.util.Set<String> names = new java.util.HashSet<>();
        for (FeatureField f : features) {
            if (!names.add(f.name())) {
                throw new IllegalArgumentException("DatasetSchema: feature field '" + f.name() + "' appears twice");
            }
        }
        if (numUsers < 1 || numItems < 1) {
            throw new IllegalArgumentException("DatasetSchema: need at least one user and one item, got "
                    + numUsers + " users and " + numItems + " items");
        }
        if (hasRatings) {
            if (!Float.isFinite(minRating) || !Float.isFinite(maxRating) || minRating > maxRating) {
                throw new IllegalArgumentException("DatasetSchema: rating range [" + minRating + ", " + maxRating
                        + "] must be finite with min <= max");
            }
        } else if (!Float.isNaN(minRating) || !Float.isNaN(maxRating)) {
            throw new IllegalArgumentException("DatasetSchema: a dataset without ratings has no rating range (use NaN), got ["
                    + minRating + ", " + maxRating + "]");
        }
    }

    /** Implicit feedback: interactions without ratings. */
    public static DatasetSchema implicit(int numUsers, int numItems) {
        return new DatasetSchema(numUsers, numItems, false, Float.NaN, Float.NaN);
    }

    /** Explicit ratings in {@code [minRating, maxRating]}. */
    public static DatasetSchema explicit(int numUsers, int numItems, float minRating, float maxRating) {
        return new DatasetSchema(numUsers, numItems, true, minRating, maxRating);
    }

    /** This schema with {@code fields} as its feature fields. */
    public DatasetSchema withFeatures(java.util.List<FeatureField> fields) {
        return new DatasetSchema(numUsers, numItems, hasRatings, minRating, maxRating, fields);
    }

    /** Whether the data has feature fields. */
    public boolean hasFeatures() {
        return !features.isEmpty();
    }
}
