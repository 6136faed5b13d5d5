package io.panrec.lucene;

import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.util.NumericUtils;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The result of reranking the first-pass hits of one query: per hit its first-pass rank and score, its
 * model score and where that came from, and the combined score; immutable. {@link #top} gives Lucene's
 * {@link TopDocs}, {@link #ranked()} the details for display.
 */
public final class Reranking {
    /** Where a hit's model score came from. */
    public enum Source {
        /** The model scored the item for the user. */
        MODEL,
        /** The item is unknown to the model: the lowest model score among the hits. */
        UNKNOWN_ITEM_LOWEST,
        /** The item is unknown to the model: placed in the hits' model-score range by popularity. */
        UNKNOWN_ITEM_POPULARITY,
        /** The user is unknown: the item's popularity prior stands in for the model score. */
        USER_POPULARITY,
        /** No model score: the first-pass score is kept. */
        NONE
    }

    /**
     * One reranked hit.
     *
     * @param doc            the document
     * @param firstPassRank  its position in the first pass, from 1
     * @param firstPassScore its first-pass score
     * @param item           its model item index, or -1 if unknown to the model
     * @param modelScore     the model score used (NaN for {@link Source#NONE})
     * @param source         where the model score came from
     * @param score          the combined score, what {@link #top} returns
     */
    public record Hit(int doc, int firstPassRank, float firstPassScore, int item, float modelScore, Source source, float score) {
    }

    private final RerankModel model;
    private final ResolvedUser user;
    private final TopDocs firstPass;
    private final ScoreDoc[] hits;
    private final int[] item;
    private final double[] prior;
    private final float[] modelScore;
    private final Source[] source;
    private final int[] modelRank; // from 1, for RRF
    private final float[] score;
    private final int[] order;     // hit positions by combined score, descending; ties by first-pass rank
    private final String fallback; // why no model score is used, or null
    private float fpMin;
    private float fpMax;
    private float mMin;
    private float mMax;
    private double pMin;
    private double pMax;

    private Reranking(RerankModel model, ResolvedUser user, TopDocs firstPass) {
        this.model = model;
        this.user = user;
        this.firstPass = firstPass;
        this.hits = firstPass.scoreDocs.clone();
        int n = hits.length;
        this.item = new int[n];
        this.prior = new double[n];
        this.modelScore = new float[n];
        this.source = new Source[n];
        this.modelRank = new int[n];
        this.score = new float[n];
        this.order = new int[n];
        this.fallback = null;
    }

    private Reranking(Reranking r, String fallback) {
        this.model = r.model;
        this.user = r.user;
        this.firstPass = r.firstPass;
        this.hits = r.hits;
        this.item = r.item;
        this.prior = r.prior;
        this.modelScore = r.modelScore;
        this.source = r.source;
        this.modelRank = r.modelRank;
        this.score = r.score;
        this.order = r.order;
        this.fallback = fallback;
    }

    static Reranking compute(RerankModel model, ResolvedUser user, List<LeafReaderContext> leaves, TopDocs firstPass) throws IOException {
        Reranking r = new Reranking(model, user, firstPass);
        int n = r.hits.length;
        if (n == 0) {
            return r;
        }
        // 1. item ids, leaf by leaf in doc-id order
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            keys[i] = ((long) r.hits[i].doc << 32) | i;
        }
        Arrays.sort(keys);
        int[] byDoc = new int[n];
        for (int k = 0; k < n; k++) {
            byDoc[k] = (int) keys[k];
        }
        Arrays.fill(r.prior, Double.NaN);
        model.lookup.resolve(leaves, r.hits, byDoc, r.item, r.prior);

        // 2. one model call over the known items
        int known = 0;
        if (model.canScore(user)) {
            for (int i = 0; i < n; i++) {
                if (r.item[i] >= 0) {
                    known++;
                }
            }
        }
        int scored = 0;
        if (known > 0) {
            long[] candidates = new long[known];
            int[] where = new int[known];
            int w = 0;
            for (int i = 0; i < n; i++) {
                if (r.item[i] >= 0) {
                    candidates[w] = r.item[i];
                    where[w++] = i;
                }
            }
            float[] s = model.score(user, candidates);
            for (int c = 0; c < known; c++) {
                if (Float.isFinite(s[c])) { // a NaN would sort above everything: treat it as unknown
                    r.modelScore[where[c]] = s[c];
                    r.source[where[c]] = Source.MODEL;
                    scored++;
                }
            }
        }

        // 3. fallbacks
        r.priorRange();
        String fallback = null;
        if (scored == 0) {
            String why = !model.canScore(user) ? "unknown user: " + user : "no first-pass hit is known to the model";
            if (model.unknownUser() == RerankModel.UnknownUser.POPULARITY && !Double.isNaN(r.pMin)) {
                for (int i = 0; i < n; i++) {
                    r.modelScore[i] = (float) (Double.isNaN(r.prior[i]) ? r.pMin : r.prior[i]);
                    r.source[i] = Source.USER_POPULARITY;
                }
            } else {
                fallback = why + (model.unknownUser() == RerankModel.UnknownUser.POPULARITY ? ", and no hit has a popularity prior" : "")
                        + "; first-pass order kept";
                Arrays.fill(r.modelScore, Float.NaN);
                Arrays.fill(r.source, Source.NONE);
            }
        } else if (scored < n) {
            float lo = Float.POSITIVE_INFINITY;
            float hi = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                if (r.source[i] == Source.MODEL) {
                    lo = Math.min(lo, r.modelScore[i]);
                    hi = Math.max(hi, r.modelScore[i]);
                }
            }
            for (int i = 0; i < n; i++) {
                if (r.source[i] != Source.MODEL) {
                    if (model.unknownItem() == RerankModel.UnknownItem.POPULARITY) {
                        r.modelScore[i] = (float) (lo + (hi - lo) * r.normPrior(i));
                        r.source[i] = Source.UNKNOWN_ITEM_POPULARITY;
                    } else {
                        r.modelScore[i] = lo;
                        r.source[i] = Source.UNKNOWN_ITEM_LOWEST;
                    }
                }
            }
        }
        Reranking out = fallback == null ? r : new Reranking(r, fallback);
        out.combine();
        return out;
    }

    private void priorRange() {
        pMin = Double.NaN;
        pMax = Double.NaN;
        for (double p : prior) {
            if (!Double.isNaN(p)) {
                pMin = Double.isNaN(pMin) ? p : Math.min(pMin, p);
                pMax = Double.isNaN(pMax) ? p : Math.max(pMax, p);
            }
        }
    }

    private double normPrior(int i) {
        double p = prior[i];
        return Double.isNaN(p) || !(pMax > pMin) ? 0 : (p - pMin) / (pMax - pMin);
    }

    private void combine() {
        int n = hits.length;
        fpMin = Float.POSITIVE_INFINITY;
        fpMax = Float.NEGATIVE_INFINITY;
        mMin = Float.POSITIVE_INFINITY;
        mMax = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            float f = hits[i].score;
            if (Float.isFinite(f)) {
                fpMin = Math.min(fpMin, f);
                fpMax = Math.max(fpMax, f);
            }
            if (fallback == null) {
                mMin = Math.min(mMin, modelScore[i]);
                mMax = Math.max(mMax, modelScore[i]);
            }
        }
        if (fallback == null && model.combination() instanceof Combination.Rrf) {
            long[] keys = new long[n];
            for (int i = 0; i < n; i++) {
                keys[i] = descendingKey(modelScore[i], i);
            }
            Arrays.sort(keys);
            for (int k = 0; k < n; k++) {
                modelRank[(int) keys[k]] = k + 1;
            }
        }
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            score[i] = (float) combined(i);
            keys[i] = descendingKey(score[i], i);
        }
        Arrays.sort(keys);
        for (int k = 0; k < n; k++) {
            order[k] = (int) keys[k];
        }
    }

    /**
     * A long that sorts by score descending, then position ascending: the high half is the order-preserving
     * int of the float, complemented; the low half the position. A NaN (a first-pass hit without a score,
     * from a sort) sorts as negative infinity.
     */
    private static long descendingKey(float s, int position) {
        float v = Float.isNaN(s) ? Float.NEGATIVE_INFINITY : s;
        return ((long) ~NumericUtils.floatToSortableInt(v) << 32) | position;
    }

    /** The combined score of hit {@code i}, computed the same way for {@link #top} and {@link #explain}. */
    private double combined(int i) {
        if (fallback != null) {
            return hits[i].score;
        }
        return switch (model.combination()) {
            case Combination.Replace _ -> modelScore[i];
            case Combination.Blend b -> b.modelWeight() * normModel(i) + (1 - b.modelWeight()) * normFirstPass(i);
            case Combination.Rrf rrf -> rrfTerm(rrf.k(), i + 1) + rrfTerm(rrf.k(), modelRank[i]);
        };
    }

    private static double rrfTerm(int k, int rank) {
        return 1.0 / (k + rank);
    }

    private double normModel(int i) {
        return mMax > mMin ? ((double) modelScore[i] - mMin) / ((double) mMax - mMin) : 0;
    }

    private double normFirstPass(int i) {
        float f = hits[i].score;
        return Float.isFinite(f) && fpMax > fpMin ? ((double) f - fpMin) / ((double) fpMax - fpMin) : 0;
    }

    // ------------------------------------------------------------------ results

    /** The number of first-pass hits reranked. */
    public int size() {
        return hits.length;
    }

    /** Why the model was not used (unknown user, ...), or null if it was. */
    public String fallback() {
        return fallback;
    }

    /** The best {@code topN} hits (fewer if there are fewer), with the first pass's total hits. */
    public TopDocs top(int topN) {
        int m = Math.min(Math.max(topN, 0), hits.length);
        ScoreDoc[] out = new ScoreDoc[m];
        for (int k = 0; k < m; k++) {
            int i = order[k];
            out[k] = new ScoreDoc(hits[i].doc, score[i], hits[i].shardIndex);
        }
        return new TopDocs(firstPass.totalHits, out);
    }

    /** Every hit with its parts, best first. */
    public List<Hit> ranked() {
        List<Hit> list = new ArrayList<>(hits.length);
        for (int i : order) {
            list.add(hit(i));
        }
        return list;
    }

    private Hit hit(int i) {
        return new Hit(hits[i].doc, i + 1, hits[i].score, item[i], modelScore[i], source[i], score[i]);
    }

    int positionOf(int doc) {
        for (int i = 0; i < hits.length; i++) {
            if (hits[i].doc == doc) {
                return i;
            }
        }
        return -1;
    }

    Explanation explain(int i, Explanation firstPassExplanation, String rawId) {
        int n = hits.length;
        float value = (float) combined(i);
        Explanation fp = firstPassExplanation == null
                ? Explanation.match(hits[i].score, "first-pass score, rank " + (i + 1) + " of " + n)
                : Explanation.match(hits[i].score, "first-pass score, rank " + (i + 1) + " of " + n, firstPassExplanation);
        if (fallback != null) {
            return Explanation.match(value, "first-pass score kept: " + fallback, fp);
        }
        Explanation m = Explanation.match(modelScore[i], modelDescription(i, rawId));
        return switch (model.combination()) {
            case Combination.Replace _ -> Explanation.match(value, "model score replaces the first-pass score", m, fp);
            case Combination.Blend b -> Explanation.match(value, "blend: " + b.modelWeight() + " * normalised model score + "
                            + (1 - b.modelWeight()) + " * normalised first-pass score (min-max over the " + n + " first-pass hits)",
                    Explanation.match(normModel(i), "normalised model score, (s - " + mMin + ") / (" + mMax + " - " + mMin + ")", m),
                    Explanation.match(normFirstPass(i), "normalised first-pass score, (s - " + fpMin + ") / (" + fpMax + " - " + fpMin + ")", fp));
            case Combination.Rrf rrf -> Explanation.match(value, "reciprocal-rank fusion, 1/(k + first-pass rank) + 1/(k + model rank), k = "
                            + rrf.k(),
                    Explanation.match(rrfTerm(rrf.k(), i + 1), "1/(" + rrf.k() + " + " + (i + 1) + "), first-pass rank " + (i + 1), fp),
                    Explanation.match(rrfTerm(rrf.k(), modelRank[i]), "1/(" + rrf.k() + " + " + modelRank[i] + "), model rank "
                            + modelRank[i] + " of " + n, m));
        };
    }

    private String modelDescription(int i, String rawId) {
        String it = rawId == null ? "a document without item id" : "item '" + rawId + "'";
        return switch (source[i]) {
            case MODEL -> "model score of " + model.name() + " for " + user + " and " + it + " (index " + item[i] + ")";
            case UNKNOWN_ITEM_LOWEST -> it + " is unknown to " + model.name() + ": the lowest model score of the hits";
            case UNKNOWN_ITEM_POPULARITY -> it + " is unknown to " + model.name() + ": placed in the hits' model-score range by its popularity "
                    + prior[i] + " (normalised " + normPrior(i) + " over [" + pMin + ", " + pMax + "])";
            case USER_POPULARITY -> "popularity prior of " + it + " (" + (Double.isNaN(prior[i]) ? "none; the lowest of the hits" : prior[i])
                    + "), standing in for the model score of unknown " + user;
            case NONE -> "no model score";
        };
    }
}
