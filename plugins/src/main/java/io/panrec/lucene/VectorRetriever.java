package io.panrec.lucene;

import io.panrec.models.data.Vocabulary;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TotalHits;

import java.io.IOException;
import java.util.Objects;
import java.util.Optional;

/**
 * Retrieval by a user's vector: the items whose indexed vectors ({@value CatalogIndexer#VECTOR}, written
 * by {@link CatalogIndexer#addAll}) are most similar, found by Lucene's HNSW graph
 * ({@link KnnFloatVectorQuery}), optionally among the documents of a filter query (a text query, a genre,
 * a year range); then, if asked, reranked by a (usually richer) model.
 *
 * <p>Cold start: a user unknown to the vector model has no vector, and retrieval returns no hits rather
 * than failing; callers fall back to a text query. Thread-safe.
 */
public final class VectorRetriever {
    private final VectorModel vectors;
    private final Vocabulary users;
    private final String field;

    /** Retrieval over {@value CatalogIndexer#VECTOR} with the users of {@code users}. */
    public VectorRetriever(VectorModel vectors, Vocabulary users) {
        this(vectors, users, CatalogIndexer.VECTOR);
    }

    public VectorRetriever(VectorModel vectors, Vocabulary users, String field) {
        this.vectors = Objects.requireNonNull(vectors, "vectors");
        this.users = Objects.requireNonNull(users, "users");
        this.field = Objects.requireNonNull(field, "field");
    }

    /** The user's vector, if the user is known. */
    public Optional<float[]> userVector(UserContext user) {
        int u = user.userId() == null ? -1 : users.indexOf(user.userId());
        return u < 0 ? Optional.empty() : Optional.of(vectors.userVector(u));
    }

    /**
     * The kNN query of the user's vector: the {@code k} nearest items, among those matching {@code filter}
     * if it is not null; empty for an unknown user.
     */
    public Optional<Query> query(UserContext user, int k, Query filter) {
        if (k < 1) {
            throw new IllegalArgumentException("k " + k + " < 1");
        }
        return userVector(user).map(v -> new KnnFloatVectorQuery(field, v, k, filter));
    }

    /** The {@code k} nearest items (fewer if fewer have vectors or match the filter); no hits for an unknown user. */
    public TopDocs retrieve(IndexSearcher searcher, UserContext user, int k, Query filter) throws IOException {
        Optional<Query> q = query(user, k, filter);
        return q.isPresent() ? searcher.search(q.get(), k) : new TopDocs(new TotalHits(0, TotalHits.Relation.EQUAL_TO), new ScoreDoc[0]);
    }

    /** {@link #retrieve} {@code k} candidates, then the best {@code topN} of them by {@code reranker} for the same user. */
    public TopDocs retrieveAndRerank(IndexSearcher searcher, UserContext user, int k, Query filter, RerankModel reranker, int topN)
            throws IOException {
        TopDocs candidates = retrieve(searcher, user, k, filter);
        return reranker.rescorer(user).rescore(searcher, candidates, topN);
    }
}
