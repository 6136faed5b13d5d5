package io.panrec.models.data;

import io.panrec.models.spi.DatasetSchema;

import java.util.Arrays;
import java.util.Objects;

/**
 * A table of user-item interactions in columns: for each row {@code r}, {@link #user(int) user} and
 * {@link #item(int) item} indices into the {@linkplain #users() user} and {@linkplain #items() item}
 * vocabularies, a {@link #rating(int) rating} (1 for implicit feedback) and a
 * {@link #timestamp(int) timestamp} (0 when the data has none). Rows keep the order they were read in.
 *
 * <p>Subsets ({@link #select}, the {@link Splits}) share the vocabularies of the table they come from,
 * so indices mean the same in the training, validation and test parts, and
 * {@link #numUsers()}/{@link #numItems()} are the vocabulary sizes, not the number of distinct ids of
 * the subset. A vocabulary may grow after a table was built (a test file read later); the indices
 * already in the table stay valid.
 *
 * <p>Immutable; the column arrays are never exposed for writing.
 */
public final class Interactions {
    private final Vocabulary users;
    private final Vocabulary items;
    private final int[] userCol;
    private final int[] itemCol;
    private final float[] ratingCol;
    private final long[] timeCol;
    private final boolean hasRatings;
    private final boolean hasTimestamps;

    private Interactions(Vocabulary users, Vocabulary items, int[] userCol, int[] itemCol, float[] ratingCol, long[] timeCol,
                         boolean hasRatings, boolean hasTimestamps) {
        this.users = users;
        this.items = items;
        this.userCol = userCol;
        this.itemCol = itemCol;
        this.ratingCol = ratingCol;
        this.timeCol = timeCol;
        this.hasRatings = hasRatings;
        this.hasTimestamps = hasTimestamps;
    }

    /**
     * A table over existing columns (copied). {@code ratings} may be null for implicit feedback (every
     * rating 1), {@code timestamps} null when there are none (every timestamp 0).
     *
     * @throws IllegalArgumentException if the columns differ in length, an index is outside its
     *                                  vocabulary, or a rating is not finite
     */
    public static Interactions of(Vocabulary users, Vocabulary items, int[] userCol, int[] itemCol, float[] ratings, long[] timestamps) {
        Objects.requireNonNull(users, "users");
        Objects.requireNonNull(items, "items");
        int n = userCol.length;
        if (itemCol.length != n || (ratings != null && ratings.length != n) || (timestamps != null && timestamps.length != n)) {
            throw new IllegalArgumentException("Interactions.of: columns differ in length: users " + n + ", items " + itemCol.length
                    + (ratings != null ? ", ratings " + ratings.length : "") + (timestamps != null ? ", timestamps " + timestamps.length : ""));
        }
        for (int r = 0; r < n; r++) {
            if (userCol[r] < 0 || userCol[r] >= users.size()) {
                throw new IllegalArgumentException("Interactions.of: row " + r + ": user index " + userCol[r] + " outside [0, " + users.size() + ")");
            }
            if (itemCol[r] < 0 || itemCol[r] >= items.size()) {
                throw new IllegalArgumentException("Interactions.of: row " + r + ": item index " + itemCol[r] + " outside [0, " + items.size() + ")");
            }
            if (ratings != null && !Float.isFinite(ratings[r])) {
                throw new IllegalArgumentException("Interactions.of: row " + r + ": rating " + ratings[r] + " is not finite");
            }
        }
        float[] rc = ratings != null ? ratings.clone() : filled(n);
        long[] tc = timestamps != null ? timestamps.clone() : new long[n];
        return new Interactions(users, items, userCol.clone(), itemCol.clone(), rc, tc, ratings != null, timestamps != null);
    }

    private static float[] filled(int n) {
        float[] a = new float[n];
        Arrays.fill(a, 1f);
        return a;
    }

    /** A builder that appends rows, adding new ids to the vocabularies as it meets them. */
    public static Builder builder(Vocabulary users, Vocabulary items, boolean hasRatings, boolean hasTimestamps) {
        return new Builder(users, items, hasRatings, hasTimestamps);
    }

    /** Appends rows; the growable columns double as needed. */
    public static final class Builder {
        private final Vocabulary users;
        private final Vocabulary items;
        private final boolean hasRatings;
        private final boolean hasTimestamps;
        private int[] u = new int[1024];
        private int[] i = new int[1024];
        private float[] r = new float[1024];
        private long[] t = new long[1024];
        private int n;

        private Builder(Vocabulary users, Vocabulary items, boolean hasRatings, boolean hasTimestamps) {
            this.users = Objects.requireNonNull(users, "users");
            this.items = Objects.requireNonNull(items, "items");
            this.hasRatings = hasRatings;
            this.hasTimestamps = hasTimestamps;
        }

        /** Appends a row by raw ids (added to the vocabularies if new). */
        public Builder add(String user, String item, float rating, long timestamp) {
            return addIndices(users.add(user), items.add(item), rating, timestamp);
        }

        /** Appends a row by indices, which must already be in the vocabularies. */
        public Builder addIndices(int user, int item, float rating, long timestamp) {
            if (user < 0 || user >= users.size() || item < 0 || item >= items.size()) {
                throw new IllegalArgumentException("Interactions.Builder: user " + user + " / item " + item + " outside the vocabularies ("
                        + users.size() + " users, " + items.size() + " items)");
            }
            if (!Float.isFinite(rating)) {
                throw new IllegalArgumentException("Interactions.Builder: rating " + rating + " is not finite");
            }
            if (n == u.length) {
                int cap = Math.max(16, n + (n >> 1));
                u = Arrays.copyOf(u, cap);
                i = Arrays.copyOf(i, cap);
                r = Arrays.copyOf(r, cap);
                t = Arrays.copyOf(t, cap);
            }
            u[n] = user;
            i[n] = item;
            r[n] = hasRatings ? rating : 1f;
            t[n] = hasTimestamps ? timestamp : 0L;
            n++;
            return this;
        }

        public int size() {
            return n;
        }

        public Vocabulary users() {
            return users;
        }

        public Vocabulary items() {
            return items;
        }

        public Interactions build() {
            return new Interactions(users, items, Arrays.copyOf(u, n), Arrays.copyOf(i, n), Arrays.copyOf(r, n), Arrays.copyOf(t, n),
                    hasRatings, hasTimestamps);
        }
    }

    // ------------------------------------------------------------------ access

    /** The number of rows. */
    public int size() {
        return userCol.length;
    }

    public boolean isEmpty() {
        return userCol.length == 0;
    }

    public int user(int row) {
        return userCol[row];
    }

    public int item(int row) {
        return itemCol[row];
    }

    /** The rating of the row; 1 for implicit feedback. */
    public float rating(int row) {
        return ratingCol[row];
    }

    /** The timestamp of the row (seconds in MovieLens); 0 when the data has none. */
    public long timestamp(int row) {
        return timeCol[row];
    }

    public boolean hasRatings() {
        return hasRatings;
    }

    public boolean hasTimestamps() {
        return hasTimestamps;
    }

    public Vocabulary users() {
        return users;
    }

    public Vocabulary items() {
        return items;
    }

    /** Users in the vocabulary (not only those with rows here). */
    public int numUsers() {
        return users.size();
    }

    /** Items in the vocabulary (not only those with rows here). */
    public int numItems() {
        return items.size();
    }

    /** A copy of the user column. */
    public int[] userColumn() {
        return userCol.clone();
    }

    /** A copy of the item column. */
    public int[] itemColumn() {
        return itemCol.clone();
    }

    /** A copy of the rating column (all 1 for implicit feedback). */
    public float[] ratingColumn() {
        return ratingCol.clone();
    }

    /** A copy of the timestamp column (all 0 without timestamps). */
    public long[] timestampColumn() {
        return timeCol.clone();
    }

    /** The smallest rating, or NaN when the table is empty or has no ratings. */
    public float minRating() {
        if (!hasRatings || isEmpty()) {
            return Float.NaN;
        }
        float m = Float.POSITIVE_INFINITY;
        for (float v : ratingCol) {
            m = Math.min(m, v);
        }
        return m;
    }

    /** The largest rating, or NaN when the table is empty or has no ratings. */
    public float maxRating() {
        if (!hasRatings || isEmpty()) {
            return Float.NaN;
        }
        float m = Float.NEGATIVE_INFINITY;
        for (float v : ratingCol) {
            m = Math.max(m, v);
        }
        return m;
    }

    /** The mean rating (over rows), or NaN for an empty table. */
    public double meanRating() {
        if (isEmpty()) {
            return Double.NaN;
        }
        double s = 0;
        for (float v : ratingCol) {
            s += v;
        }
        return s / ratingCol.length;
    }

    /** Rows per item: {@code counts[i]} is the number of rows with item {@code i} ({@code [numItems]}). */
    public int[] itemCounts() {
        int[] c = new int[items.size()];
        for (int i : itemCol) {
            c[i]++;
        }
        return c;
    }

    /** Rows per user ({@code [numUsers]}). */
    public int[] userCounts() {
        int[] c = new int[users.size()];
        for (int u : userCol) {
            c[u]++;
        }
        return c;
    }

    /**
     * What a model built for this data needs to know (vocabulary sizes, ratings and their range).
     *
     * @throws IllegalArgumentException if a vocabulary is empty
     */
    public DatasetSchema schema() {
        int nu = users.size();
        int ni = items.size();
        if (hasRatings && !isEmpty()) {
            return DatasetSchema.explicit(nu, ni, minRating(), maxRating());
        }
        return DatasetSchema.implicit(nu, ni);
    }

    // ------------------------------------------------------------------ derived tables

    /**
     * The rows at {@code rows}, in that order, sharing the vocabularies.
     *
     * @throws IndexOutOfBoundsException if a row is outside {@code [0, size)}
     */
    public Interactions select(int[] rows) {
        int n = rows.length;
        int[] u = new int[n];
        int[] i = new int[n];
        float[] r = new float[n];
        long[] t = new long[n];
        for (int k = 0; k < n; k++) {
            int row = rows[k];
            Objects.checkIndex(row, userCol.length);
            u[k] = userCol[row];
            i[k] = itemCol[row];
            r[k] = ratingCol[row];
            t[k] = timeCol[row];
        }
        return new Interactions(users, items, u, i, r, t, hasRatings, hasTimestamps);
    }

    /**
     * Implicit feedback from ratings: the rows whose rating is at least {@code threshold}, each with rating
     * 1 (the common "rating >= 4 is a positive" setup; a threshold at or below the smallest rating keeps
     * every row, as NCF does with MovieLens). A table without ratings is returned unchanged.
     */
    public Interactions implicit(float threshold) {
        if (!hasRatings) {
            return this;
        }
        int n = 0;
        for (float v : ratingCol) {
            if (v >= threshold) {
                n++;
            }
        }
        int[] rows = new int[n];
        int k = 0;
        for (int r = 0; r < ratingCol.length; r++) {
            if (ratingCol[r] >= threshold) {
                rows[k++] = r;
            }
        }
        Interactions sel = select(rows);
        return new Interactions(users, items, sel.userCol, sel.itemCol, filled(n), sel.timeCol, false, hasTimestamps);
    }

    /**
     * The rows of this table followed by those of {@code other}, which must share the vocabularies (both
     * parts of one split); e.g. training plus validation rows, to exclude both when ranking test items.
     */
    public Interactions concat(Interactions other) {
        if (other.users != users || other.items != items) {
            throw new IllegalArgumentException("Interactions.concat: the tables have different vocabularies; only parts of one "
                    + "dataset (one split) can be joined");
        }
        int n = size() + other.size();
        int[] u = Arrays.copyOf(userCol, n);
        int[] i = Arrays.copyOf(itemCol, n);
        float[] r = Arrays.copyOf(ratingCol, n);
        long[] t = Arrays.copyOf(timeCol, n);
        System.arraycopy(other.userCol, 0, u, size(), other.size());
        System.arraycopy(other.itemCol, 0, i, size(), other.size());
        System.arraycopy(other.ratingCol, 0, r, size(), other.size());
        System.arraycopy(other.timeCol, 0, t, size(), other.size());
        return new Interactions(users, items, u, i, r, t, hasRatings && other.hasRatings, hasTimestamps && other.hasTimestamps);
    }

    /** The distinct items of each user, sorted: positives to exclude when sampling or ranking. */
    public UserItemIndex byUser() {
        return UserItemIndex.of(this);
    }

    @Override
    public String toString() {
        return "Interactions[" + size() + " rows, " + users.size() + " users, " + items.size() + " items"
                + (hasRatings ? ", ratings" : ", implicit") + (hasTimestamps ? ", timestamps" : "") + "]";
    }
}
