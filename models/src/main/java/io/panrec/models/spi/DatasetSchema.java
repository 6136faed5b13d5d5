package io.panrec.models.spi;

/**
 * What a model needs to know about its data before it is built: how many users and items there are
 * (the sizes of its embedding tables and of {@link Recommender#fullSortPredict} rows) and whether the
 * interactions carry explicit ratings, with their range (to clip predictions to the scale).
 *
 * <p>User and item indices are dense: users are {@code 0 .. numUsers-1}, items {@code 0 .. numItems-1},
 * as given by the data's vocabularies ({@link io.panrec.models.data.Vocabulary}). Feature fields of
 * context-aware models will be added here when those models arrive.
 *
 * @param numUsers   number of users, at least 1
 * @param numItems   number of items, at least 1
 * @param hasRatings whether interactions carry explicit ratings (otherwise every interaction is a 1)
 * @param minRating  the smallest rating of the data; {@code NaN} without ratings
 * @param maxRating  the largest rating of the data; {@code NaN} without ratings
 */
public record DatasetSchema(int numUsers, int numItems, boolean hasRatings, float minRating, float maxRating) {
    public DatasetSchema {
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
}
