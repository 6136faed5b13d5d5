package io.panrec.models.spi;

/**
 * A {@link Recommender} whose score of (user, item) is the dot product of a user vector and an item vector
 * (matrix factorisation, YouTube-DNN, two-tower retrieval), so that items can be found by
 * nearest-neighbour search: the item vectors go into a vector index, a user's vector is the query. The
 * Lucene plugin turns one into its {@code VectorModel} ({@code VectorModel.of}).
 *
 * <p>Indices are the model's dense indices. Call on a trained model in evaluation mode; implementations
 * are thread-safe for reading, as {@link Recommender#predict} is.
 */
public interface EmbeddingRecommender extends Recommender {
    /** The length d of every vector. */
    int dimension();

    /**
     * The vector of user index {@code user} (for models with user histories: from the user's latest
     * training interactions), a fresh array of {@link #dimension()} floats.
     *
     * @throws IllegalArgumentException if {@code user} is outside {@code [0, numUsers)}
     */
    float[] userVector(int user);

    /**
     * Every item's vector, row-major {@code [numItems, d]} in a fresh array: row {@code i} is item
     * {@code i}'s vector, and {@code predict(u, i) = userVector(u) . row i}.
     */
    float[] itemVectors();
}
