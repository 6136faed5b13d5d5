package io.panrec.lucene;

import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.DoubleValues;
import org.apache.lucene.search.DoubleValuesSource;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;

import java.io.IOException;
import java.util.Objects;

/**
 * One user's model score of each document's item, as a {@link DoubleValuesSource}, so that a
 * {@link org.apache.lucene.queries.function.FunctionScoreQuery} can boost or sort by it:
 *
 * <pre>{@code
 * Query q = FunctionScoreQuery.boostByValue(CatalogQueries.text("space adventure"),
 *         rerankModel.valuesSource(UserContext.user("196")));   // BM25 * score in [0, 1]
 * }</pre>
 *
 * <p>Unlike the {@link RecommenderRescorer}, which scores only the first-pass hits, a function query may
 * visit any matching document, so the source scores <b>every item</b> of the model for the user once,
 * when it is made (one {@code fullSortPredict} call for user-item models), and then answers each document
 * with one doc-values read and an array read. Make one per query; it is immutable and may be used by
 * several search threads.
 *
 * <p>Values: the model score put through the {@link Transform}. Items unknown to the model (and items
 * whose score is not finite) get the lowest value over all items, as in the rescorer. For an unknown
 * user every document gets a constant, {@code unknownUserValue} (1 keeps a multiplicative boost neutral).
 * Note that Lucene requires non-negative scores: use {@link Transform#MIN_MAX} or
 * {@link Transform#SIGMOID} to boost, since raw model scores (logits, dot products) can be negative.
 */
public final class ModelScoreValuesSource extends DoubleValuesSource {
    /** How the model's scores become values. */
    public enum Transform {
        /** The model score as is. */
        RAW,
        /** {@code 1 / (1 + exp(-s))}: for models trained with a logistic or BPR loss. */
        SIGMOID,
        /** {@code (s - min) / (max - min)} over all items for this user, in [0, 1]. */
        MIN_MAX
    }

    private final RerankModel model;
    private final ResolvedUser user;
    private final Transform transform;
    private final double unknownUserValue;
    private final float[] values; // by model item index; null for an unknown user
    private final double missing;

    private ModelScoreValuesSource(RerankModel model, ResolvedUser user, Transform transform, double unknownUserValue, float[] values,
                                   double missing) {
        this.model = model;
        this.user = user;
        this.transform = transform;
        this.unknownUserValue = unknownUserValue;
        this.values = values;
        this.missing = missing;
    }

    static ModelScoreValuesSource create(RerankModel model, ResolvedUser user, Transform transform, double unknownUserValue) {
        Objects.requireNonNull(transform, "transform");
        if (!Double.isFinite(unknownUserValue)) {
            throw new IllegalArgumentException("unknownUserValue " + unknownUserValue + " is not finite");
        }
        if (!model.canScore(user)) {
            return new ModelScoreValuesSource(model, user, transform, unknownUserValue, null, unknownUserValue);
        }
        float[] s = model.scoreAll(user);
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (float v : s) {
            if (Float.isFinite(v)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        if (lo > hi) { // no finite score at all
            lo = 0;
            hi = 0;
        }
        float[] out = new float[s.length];
        for (int i = 0; i < s.length; i++) {
            double v = Float.isFinite(s[i]) ? s[i] : lo;
            out[i] = (float) apply(transform, v, lo, hi);
        }
        return new ModelScoreValuesSource(model, user, transform, unknownUserValue, out, (float) apply(transform, lo, lo, hi));
    }

    private static double apply(Transform t, double s, double lo, double hi) {
        return switch (t) {
            case RAW -> s;
            case SIGMOID -> 1 / (1 + Math.exp(-s));
            case MIN_MAX -> hi > lo ? (s - lo) / (hi - lo) : 0;
        };
    }

    /** The value of item index {@code item} (the missing value if out of range), for tests and display. */
    public double valueOfItem(int item) {
        if (values == null) {
            return unknownUserValue;
        }
        return item >= 0 && item < values.length ? values[item] : missing;
    }

    /** Whether the user is unknown, so that every document gets {@code unknownUserValue}. */
    public boolean isConstant() {
        return values == null;
    }

    @Override
    public DoubleValues getValues(LeafReaderContext ctx, DoubleValues scores) throws IOException {
        if (values == null) {
            return constantValues(unknownUserValue);
        }
        ItemLookup.LeafIds ids = model.lookup.leaf(ctx);
        return new DoubleValues() {
            private int doc = -1;

            @Override
            public double doubleValue() throws IOException {
                return valueOfItem(ids.index(doc));
            }

            @Override
            public boolean advanceExact(int target) {
                doc = target;
                return true; // every document has a value: unknown items get the lowest
            }
        };
    }

    private static DoubleValues constantValues(double v) {
        return new DoubleValues() {
            @Override
            public double doubleValue() {
                return v;
            }

            @Override
            public boolean advanceExact(int doc) {
                return true;
            }
        };
    }

    @Override
    public Explanation explain(LeafReaderContext ctx, int docId, Explanation scoreExplanation) throws IOException {
        if (values == null) {
            return Explanation.match(unknownUserValue, "constant for unknown " + user);
        }
        int item = model.lookup.leaf(ctx).index(docId);
        double v = valueOfItem(item);
        return item >= 0
                ? Explanation.match(v, transform + " of the model score of " + model.name() + " for " + user + " and item index " + item)
                : Explanation.match(v, "item unknown to " + model.name() + ": the lowest value over all items (" + transform + ")");
    }

    @Override
    public boolean needsScores() {
        return false;
    }

    @Override
    public DoubleValuesSource rewrite(IndexSearcher searcher) {
        return this;
    }

    /** Not cached: the values belong to one user and one model, not to the segment alone. */
    @Override
    public boolean isCacheable(LeafReaderContext ctx) {
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelScoreValuesSource m && m.model == model && m.user.equals(user) && m.transform == transform
                && Double.compare(m.unknownUserValue, unknownUserValue) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(System.identityHashCode(model), user, transform, unknownUserValue);
    }

    @Override
    public String toString() {
        return "model(" + model.name() + ", " + user + ", " + transform + ")";
    }
}
