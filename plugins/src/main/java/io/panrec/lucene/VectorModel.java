package io.panrec.lucene;

import io.panrec.autograd.Autograd;
import io.panrec.models.spi.Batch;
import io.panrec.models.spi.Recommender;
import io.panrec.tensor.Scope;
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
     * The state-dict names of the user and item tables of the models whose score is their dot product:
     * BPRMF's embeddings ({@code userFactors.weight}) and iALS's factors ({@code userFactors}).
     */
    java.util.List<java.util.List<String>> KNOWN_TABLES = java.util.List.of(
            java.util.List.of("userFactors.weight", "itemFactors.weight"),
            java.util.List.of("userFactors", "itemFactors"));

    /**
     * The vectors of a trained model whose score is the dot product of a user and an item vector (BPRMF,
     * iALS): its two tables are found in its state dict by name ({@link #KNOWN_TABLES}), and the claim is
     * checked by comparing the model's {@code predict} with the dot products of a few user-item pairs.
     *
     * @throws IllegalArgumentException if the model has no such tables, or its scores are not their dot
     *                                  products (e.g. BiasedMF adds biases, NeuMF is not a dot product);
     *                                  the message names models that fit
     */
    static VectorModel of(Recommender model) {
        java.util.Map<String, Tensor> state = model.stateDict();
        String name = model.settings().owner();
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
                + "needs them); train BPRMF or iALS for retrieval");
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
                        + "that dot product (BPRMF, iALS)");
            }
        }
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
