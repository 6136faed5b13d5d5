package io.panrec.lucene;

import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Rescorer;
import org.apache.lucene.search.TopDocs;

import java.io.IOException;
import java.util.Objects;

/**
 * Reranks the first-pass hits of one query for one user with a recommender's scores.
 *
 * <p>For the hits of a first pass it reads each hit's raw item id from doc values, walking the leaves
 * once in doc-id order; maps the ids to model indices ({@link RerankModel#items()}); scores all known
 * items with <b>one</b> batched {@link io.panrec.models.spi.Recommender#predict} call (see
 * {@link RerankModel#score}); and combines each hit's first-pass and model scores as the model's
 * {@link Combination} says. Hits are returned by combined score, descending; equal scores keep their
 * first-pass order. Only first-pass hits are ever returned, and a smaller {@code topN} gives a prefix of
 * a larger one. Unknown users and items follow {@link RerankModel}'s documented fallbacks and never
 * throw.
 *
 * <p>Explaining: the combination depends on all hits of the query (normalisation, ranks), which
 * {@link #explain(IndexSearcher, Explanation, int)} is not given, so it explains the documents of the
 * most recent {@link #rescore} (or {@link #rerank}) of this instance. Make one rescorer per query
 * (cheap: {@link RerankModel#rescorer}); the explained value equals the score {@code rescore} returned.
 *
 * <p>Thread-safe: concurrent {@code rescore} calls share nothing mutable but the model's (read-only)
 * parameters; only "the most recent rerank" that {@code explain} uses is then whichever finished last.
 */
public final class RecommenderRescorer extends Rescorer {
    private final RerankModel model;
    private final ResolvedUser user;
    private volatile Reranking last;

    RecommenderRescorer(RerankModel model, ResolvedUser user) {
        this.model = Objects.requireNonNull(model, "model");
        this.user = Objects.requireNonNull(user, "user");
    }

    public ResolvedUser user() {
        return user;
    }

    public RerankModel rerankModel() {
        return model;
    }

    /**
     * The best {@code topN} of the first-pass hits, reranked; {@code totalHits} is the first pass's.
     *
     * @throws IllegalArgumentException if {@code topN < 0}, or a hit is not a document of
     *                                  {@code searcher}'s index
     */
    @Override
    public TopDocs rescore(IndexSearcher searcher, TopDocs firstPassTopDocs, int topN) throws IOException {
        if (topN < 0) {
            throw new IllegalArgumentException("topN " + topN + " < 0");
        }
        return rerank(searcher, firstPassTopDocs).top(topN);
    }

    /** Reranks every first-pass hit and returns the details: per hit the first-pass, model and combined scores. */
    public Reranking rerank(IndexSearcher searcher, TopDocs firstPassTopDocs) throws IOException {
        Objects.requireNonNull(searcher, "searcher");
        Objects.requireNonNull(firstPassTopDocs, "firstPassTopDocs");
        Reranking r = Reranking.compute(model, user, searcher.getIndexReader().leaves(), firstPassTopDocs);
        last = r;
        return r;
    }

    /** The details of the most recent rerank of this instance, or null before the first. */
    public Reranking lastReranking() {
        return last;
    }

    /**
     * Explains the combined score of {@code docID} as reranked by the most recent {@link #rescore} of this
     * instance: the first-pass score (with {@code firstPassExplanation} nested), the model score (or the
     * fallback used) and the combination. A document that was not among those first-pass hits gets a
     * non-matching explanation.
     */
    @Override
    public Explanation explain(IndexSearcher searcher, Explanation firstPassExplanation, int docID) throws IOException {
        Reranking r = last;
        if (r == null) {
            return Explanation.noMatch("not reranked: rescore() was not called on this rescorer yet", nonNull(firstPassExplanation));
        }
        int position = r.positionOf(docID);
        if (position < 0) {
            return Explanation.noMatch("doc " + docID + " was not among the " + r.size() + " first-pass hits reranked by this rescorer",
                    nonNull(firstPassExplanation));
        }
        String rawId = model.lookup.rawId(searcher.getIndexReader().leaves(), docID);
        return r.explain(position, firstPassExplanation, rawId);
    }

    private static Explanation[] nonNull(Explanation e) {
        return e == null ? new Explanation[0] : new Explanation[] {e};
    }

    @Override
    public String toString() {
        return "RecommenderRescorer[" + model.name() + ", " + model.combination() + ", " + user + "]";
    }
}
