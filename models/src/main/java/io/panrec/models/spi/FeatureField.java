package io.panrec.models.spi;

import java.util.Locale;
import java.util.Objects;

/**
 * One feature field of a context-aware (CTR) model's data, as RecBole's field types: what a model
 * needs to size its tables and read its {@link Batch} fields. The values themselves are encoded by
 * the data's fitted feature encoder ({@code io.panrec.models.features}).
 *
 * <p>Every field owns {@code size} consecutive rows of one shared feature table (FM's and DeepFM's
 * "feature index"): a categorical field of size 1000 holds local ids {@code 0..999}, the last of which
 * is its out-of-vocabulary bucket when the field has a vocabulary; a numeric field holds one feature
 * whose value is the transformed number; a bag holds ids of a vocabulary, several per row.
 *
 * <p>Where the values come from ({@link Source}): {@code ROW} fields travel in every batch
 * ({@link Batch#FEATURES}, {@link Batch#FEATURE_VALUES}, {@link Batch#BAG_IDS}); {@code USER} and
 * {@code ITEM} fields are functions of the user or item (age, genres) that a model keeps as tables in
 * its state and looks up from {@link Batch#USERS} and {@link Batch#ITEMS}, so that it scores plain
 * (user, item) pairs as any {@link Recommender}.
 *
 * @param name      unique among the fields of a schema; letters, digits, '-', '_' and '.'
 * @param kind      categorical (one id), numeric (one value) or bag (several ids)
 * @param source    row, user or item
 * @param size      number of local ids, at least 1 (1 for a numeric field)
 * @param maxLength the longest bag ({@link Kind#BAG} only, at least 1); 1 for the other kinds
 */
public record FeatureField(String name, Kind kind, Source source, int size, int maxLength) {
    /** How a field's values are given. */
    public enum Kind {
        /** One id per row in {@code [0, size)}. */
        CATEGORICAL,
        /** One number per row (already transformed: log, standardised); its field has one feature. */
        NUMERIC,
        /** A variable-length set of ids per row (genres, tags), pooled by the model (mean). */
        BAG
    }

    /** Where a field's values come from. */
    public enum Source { ROW, USER, ITEM }

    public FeatureField {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(source, "source");
        if (name.isEmpty() || !name.matches("[A-Za-z0-9_.\\-]+")) {
            throw new IllegalArgumentException("feature field name '" + name + "' must be letters, digits, '-', '_' or '.'");
        }
        if (size < 1) {
            throw new IllegalArgumentException("feature field '" + name + "': size " + size + " < 1");
        }
        if (kind == Kind.NUMERIC && size != 1) {
            throw new IllegalArgumentException("feature field '" + name + "': a numeric field has one feature (size 1), got " + size
                    + "; bucketise it into a categorical field for more");
        }
        if (kind == Kind.NUMERIC && source != Source.ROW) {
            throw new IllegalArgumentException("feature field '" + name + "': numeric fields come with the rows; a user or item "
                    + "number must be bucketised into a categorical field");
        }
        if (kind == Kind.BAG ? maxLength < 1 : maxLength != 1) {
            throw new IllegalArgumentException("feature field '" + name + "': maxLength " + maxLength + " (bags: at least 1; "
                    + "other kinds: 1)");
        }
    }

    public static FeatureField categorical(String name, Source source, int size) {
        return new FeatureField(name, Kind.CATEGORICAL, source, size, 1);
    }

    public static FeatureField numeric(String name) {
        return new FeatureField(name, Kind.NUMERIC, Source.ROW, 1, 1);
    }

    public static FeatureField bag(String name, Source source, int size, int maxLength) {
        return new FeatureField(name, Kind.BAG, source, size, maxLength);
    }

    /** "categorical", "numeric" or "bag". */
    public String kindLabel() {
        return kind.name().toLowerCase(Locale.ROOT);
    }
}
