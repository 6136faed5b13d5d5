package io.panrec.lucene;

import io.panrec.autograd.Autograd;
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
