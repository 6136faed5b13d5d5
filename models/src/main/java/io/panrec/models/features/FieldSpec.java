package io.panrec.models.features;

import io.panrec.models.spi.FeatureField;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * How one raw column becomes a feature field, before fitting: the field's name, where its values come
 * from, and its encoding.
 *
 * <ul>
 *   <li>{@link Encoding#VOCABULARY}: categorical; tokens seen at least {@code minCount} times in the
 *       training rows get an id, every other token (and a missing value) the field's last id, its
 *       out-of-vocabulary bucket.</li>
 *   <li>{@link Encoding#HASH}: categorical; a token's id is a stable hash modulo {@code buckets}
 *       (no vocabulary to fit or save; collisions are the price).</li>
 *   <li>{@link Encoding#LOG}: numeric; one feature whose value is {@code sign(x) * ln(1 + |x|)}
 *       (0 when missing).</li>
 *   <li>{@link Encoding#LOG_BUCKET}: the Criteo winners' (Juan et al. 2016, "Field-aware Factorization
 *       Machines for CTR Prediction", the "3 Idiots" solution) discretisation: {@code x > 2} becomes the
 *       token {@code floor(ln(x)^2)}, smaller values stay themselves; the tokens are then a vocabulary
 *       field as above.</li>
 *   <li>{@link Encoding#BUCKETS}: numeric into the intervals of sorted {@code boundaries} (id
 *       {@code i} for {@code boundaries[i-1] <= x < boundaries[i]}), missing values in one more bucket.</li>
 *   <li>{@link Encoding#BAG}: several tokens per row separated by {@code '|'}, each through a
 *       vocabulary as above; the row's bag keeps at most {@code maxLength} of them.</li>
 * </ul>
 *
 * @param name       the field's name
 * @param source     where the values come from (row, user, item)
 * @param encoding   how the raw value is encoded
 * @param minCount   vocabulary encodings: the least training count of a kept token, at least 1
 * @param buckets    {@link Encoding#HASH}: the number of buckets, at least 1
 * @param boundaries {@link Encoding#BUCKETS}: increasing boundaries
 * @param maxLength  {@link Encoding#BAG}: the most ids kept per row, at least 1
 */
public record FieldSpec(String name, FeatureField.Source source, Encoding encoding, int minCount, int buckets, double[] boundaries,
                        int maxLength) {
    /** The encodings of a raw column. */
    public enum Encoding { VOCABULARY, HASH, LOG, LOG_BUCKET, BUCKETS, BAG }

    public FieldSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(encoding, "encoding");
        boundaries = boundaries == null ? new double[0] : boundaries.clone();
        if (minCount < 1) {
            throw new IllegalArgumentException("field '" + name + "': minCount " + minCount + " < 1");
        }
        if (encoding == Encoding.HASH && buckets < 1) {
            throw new IllegalArgumentException("field '" + name + "': hashing needs at least 1 bucket, got " + buckets);
        }
        if (encoding == Encoding.BAG && maxLength < 1) {
            throw new IllegalArgumentException("field '" + name + "': a bag keeps at least 1 id, got maxLength " + maxLength);
        }
        for (int i = 1; i < boundaries.length; i++) {
            if (!(boundaries[i] > boundaries[i - 1])) {
                throw new IllegalArgumentException("field '" + name + "': bucket boundaries must increase, got "
                        + Arrays.toString(boundaries));
            }
        }
        if (encoding == Encoding.BUCKETS && boundaries.length == 0) {
            throw new IllegalArgumentException("field '" + name + "': BUCKETS needs at least one boundary");
        }
        if (encoding == Encoding.LOG && source != FeatureField.Source.ROW) {
            throw new IllegalArgumentException("field '" + name + "': a numeric (LOG) field must be a row field; bucketise user or "
                    + "item numbers (BUCKETS)");
        }
    }

    public static FieldSpec vocabulary(String name, FeatureField.Source source, int minCount) {
        return new FieldSpec(name, source, Encoding.VOCABULARY, minCount, 0, null, 1);
    }

    public static FieldSpec hashed(String name, int buckets) {
        return new FieldSpec(name, FeatureField.Source.ROW, Encoding.HASH, 1, buckets, null, 1);
    }

    public static FieldSpec log(String name) {
        return new FieldSpec(name, FeatureField.Source.ROW, Encoding.LOG, 1, 0, null, 1);
    }

    public static FieldSpec logBucket(String name, int minCount) {
        return new FieldSpec(name, FeatureField.Source.ROW, Encoding.LOG_BUCKET, minCount, 0, null, 1);
    }

    public static FieldSpec buckets(String name, FeatureField.Source source, double... boundaries) {
        return new FieldSpec(name, source, Encoding.BUCKETS, 1, 0, boundaries, 1);
    }

    public static FieldSpec bag(String name, FeatureField.Source source, int minCount, int maxLength) {
        return new FieldSpec(name, source, Encoding.BAG, minCount, 0, null, maxLength);
    }

    /** The kind of field this spec fits into. */
    public FeatureField.Kind kind() {
        return switch (encoding) {
            case LOG -> FeatureField.Kind.NUMERIC;
            case BAG -> FeatureField.Kind.BAG;
            default -> FeatureField.Kind.CATEGORICAL;
        };
    }

    /** Whether fitting builds a vocabulary of tokens. */
    boolean usesVocabulary() {
        return encoding == Encoding.VOCABULARY || encoding == Encoding.LOG_BUCKET || encoding == Encoding.BAG;
    }

    /** "vocabulary", "log-bucket", ... */
    public String encodingLabel() {
        return encoding.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FieldSpec f && name.equals(f.name) && source == f.source && encoding == f.encoding && minCount == f.minCount
                && buckets == f.buckets && Arrays.equals(boundaries, f.boundaries) && maxLength == f.maxLength;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, source, encoding, minCount, buckets, Arrays.hashCode(boundaries), maxLength);
    }

    @Override
    public String toString() {
        return name + " (" + source.name().toLowerCase(Locale.ROOT) + ", " + encodingLabel() + ")";
    }
}
