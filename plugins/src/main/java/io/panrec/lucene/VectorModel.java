package io.panrec.lucene;

import io.panrec.autograd.Autograd;
import io.panrec.models.spi.Batch;
import io.panrec.models.spi.Recommender;
import io.panrec.tensor.Scope;
import io.panrec.models.spi.EmbeddingRecommender;
import io.panrec.tensor.Tensor;
import org.apache.lucene.index.VectorSimilarityFunction;

/**
 * The user and item vectors of a model whose score is (a monotonic function of) their similarity:
 * matrix factorisation, two-tower, YouTube-DNN. Items are indexed with their vectors
 * ({@link CatalogIndexer#addAll}); a user's vector becomes a kNN query ({@link VectorRetriever}).
 *
 * <p>Indices are the model's dense indices. Implementations must be thread-safe for reading.
 */
public interface VectorModel {
    /** The length of every vector. */
    int dimension();

    /** How Lucene compares vectors; the default suits a dot-product score. */
    default VectorSimilarityFunction similarity() {
        return VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT;
    }

    /** The vector of user index {@code user}, a fresh array of {@link #dimension()} floats. */
    float[] userVector(int user);

    /** The vector of item index {@code item}, a fresh array of {@link #dimension()} floats. */
    float[] itemVector(int item);

    /**
     * Vectors held as two F32 tables, {@code users [numUsers, d]} and {@code items [numItems, d]} (e.g. the
     * embedding weights of a matrix factorisation). The rows are copied out, so the tensors must stay alive
     * as long as this view is used (parameters of a loaded model do).
     */
    static VectorModel ofTables(Tensor users, Tensor items) {
        if (users.rank() != 2 || items.rank() != 2 || users.shape(1) != items.shape(1)) {
            throw new IllegalArgumentException("VectorModel.ofTables: need users [U, d] and items [N, d] with one d, got "
                    + users.describe() + " and " + items.describe());
        }
        int d = users.shape(1);
        return new VectorModel() {
            @Override
            public int dimension() {
                return d;
            }

            @Override
            public float[] userVector(int user) {
                return row(users, user);
            }

            @Override
            public float[] itemVector(int item) {
                return row(items, item);
            }
        };
    }

    /**
     * The state-dict names of the user and item tables of the models whose score is their dot product and
     * that are not {@link EmbeddingRecommender}s: iALS's factors ({@code userFactors}), and BPRMF's embeddings
     * ({@code userFactors.weight}) as a bundle may hold them.
     */
    java.util.List<java.util.List<String>> KNOWN_TABLES = java.util.List.of(
            java.util.List.of("userFactors.weight", "itemFactors.weight"),
            java.util.List.of("userFactors", "itemFactors"));

    /**
     * The vectors of a trained model whose score is the dot product of a user and an item vector: an
     * {@link EmbeddingRecommender} gives them itself (BPRMF, YouTube-DNN, the two-tower model); otherwise
     * (iALS) its two tables are found in its state dict by name ({@link #KNOWN_TABLES}). Either way the
     * claim is checked by comparing the model's {@code predict} with the dot products of a few user-item
     * pairs, so a model whose vectors do not reproduce its scores is refused rather than retrieved with.
     *
     * @throws IllegalArgumentException if the model has no such tables, or its scores are not their dot
     *                                  products (e.g. BiasedMF adds biases, NeuMF is not a dot product);
     *                                  the message names models that fit
     */
    static VectorModel of(Recommender model) {
        String name = model.settings().owner();
        if (model instanceof EmbeddingRecommender embeddings) {
            VectorModel v = of(embeddings);
            checkDotProduct(model, v, name);
            return v;
        }
        java.util.Map<String, Tensor> state = model.stateDict();
        for (java.util.List<String> names : KNOWN_TABLES) {
            Tensor users = state.get(names.get(0));
            Tensor items = state.get(names.get(1));
            if (users == null || items == null) {
                continue;
            }
            VectorModel v = ofTables(users, items);
            checkDotProduct(model, v, name);
            return v;
        }
        throw new IllegalArgumentException("model " + name + " has no user and item vectors whose dot product is its score (kNN retrieval "
                + "needs them); train BPRMF, iALS, YouTubeDNN or TwoTower for retrieval");
    }

    private static void checkDotProduct(Recommender model, VectorModel v, String name) {
        int nu = model.schema().numUsers();
        int ni = model.schema().numItems();
        int pairs = Math.min(4, Math.min(nu, ni));
        long[] us = new long[pairs];
        long[] is = new long[pairs];
        for (int k = 0; k < pairs; k++) {
            us[k] = (long) k * (nu - 1) / Math.max(1, pairs - 1);
            is[k] = (long) (pairs - 1 - k) * (ni - 1) / Math.max(1, pairs - 1);
        }
        float[] predicted;
        try (var _ = Autograd.noGrad(); var _ = Scope.open("vector check")) {
            predicted = model.predict(new Batch().put(Batch.USERS, Tensor.ofLongs(us)).put(Batch.ITEMS, Tensor.ofLongs(is))).toFloatArray();
        }
        for (int k = 0; k < pairs; k++) {
            float[] a = v.userVector((int) us[k]);
            float[] b = v.itemVector((int) is[k]);
            double dot = 0;
            double scale = 0;
            for (int j = 0; j < a.length; j++) {
                dot += (double) a[j] * b[j];
                scale += Math.abs((double) a[j] * b[j]);
            }
            if (Math.abs(dot - predicted[k]) > 1e-4 * (1 + scale)) {
                throw new IllegalArgumentException("model " + name + ": its score of user " + us[k] + " and item " + is[k] + " is "
                        + predicted[k] + " but the dot product of their vectors is " + dot + "; kNN retrieval needs a model whose score is "
                        + "that dot product (BPRMF, iALS, YouTubeDNN, TwoTower)");
            }
        }
    }

    /**
     * The vectors of a model that exposes them ({@link EmbeddingRecommender}: BPRMF, YouTube-DNN, the
     * two-tower model). The item vectors are read once, here; user vectors are computed per call (for
     * models over user histories, from the user's latest training items).
     */
    static VectorModel of(EmbeddingRecommender model) {
        int d = model.dimension();
        float[] items = model.itemVectors();
        int n = model.schema().numItems();
        if (items.length != (long) n * d) {
            throw new IllegalArgumentException("VectorModel.of: " + model.settings().owner() + " gave " + items.length
                    + " item vector floats, expected " + n + " items x " + d);
        }
        return new VectorModel() {
            @Override
            public int dimension() {
                return d;
            }

            @Override
            public float[] userVector(int user) {
                return model.userVector(user);
            }

            @Override
            public float[] itemVector(int item) {
                if (item < 0 || item >= n) {
                    throw new IndexOutOfBoundsException("item " + item + " outside [0, " + n + ")");
                }
                return java.util.Arrays.copyOfRange(items, item * d, (item + 1) * d);
            }
        };
    }

    private static float[] row(Tensor table, int r) {
        if (r < 0 || r >= table.shape(0)) {
            throw new IndexOutOfBoundsException("row " + r + " outside [0, " + table.shape(0) + ") of " + table.describe());
        }
        try (var _ = Autograd.noGrad()) {
            return table.slice(0, r, r + 1).toFloatArray(); // a view: nothing allocated, strides honoured
        }
    }
}
