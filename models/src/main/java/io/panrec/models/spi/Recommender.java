package io.panrec.models.spi;

import io.panrec.tensor.Tensor;

import java.util.List;
import java.util.Map;

/**
 * A trained or trainable recommendation model: the three-method contract of RecBole's
 * {@code AbstractRecommender} ({@code calculate_loss}, {@code predict}, {@code full_sort_predict}), plus
 * what a trainer and a bundle need (parameters, mode, state).
 *
 * <p>Shapes: {@code B} is the batch size, {@code U} a number of users, {@code N} =
 * {@link DatasetSchema#numItems()}, {@code S} negatives per row. User and item indices are dense
 * ({@code [0, numUsers)}, {@code [0, numItems)}) and I64; scores are F32. Which {@link Batch} fields a
 * model reads is documented by the model.
 *
 * <p>Tensors returned are allocated in the caller's current {@link io.panrec.tensor.Scope}: the trainer
 * and the evaluators open one scope per step and close it after reading the result.
 *
 * <p>Models built on {@code io.panrec.nn.Module} get {@link #parameters()}, {@link #isTraining()} and
 * {@link #stateDict()} from it (the names and signatures agree); {@link #setTraining} and
 * {@link #loadState} are named apart from {@code Module}'s {@code train(boolean)} and
 * {@code loadStateDict} so that one class can extend the one and implement the other.
 *
 * <p>Thread safety: in evaluation mode {@link #predict} and {@link #fullSortPredict} only read the
 * parameters and may run from many threads (Lucene search threads); training is single-threaded.
 */
public interface Recommender {
    /** The settings this model was built with (the model's name is {@link Settings#owner()}). */
    Settings settings();

    /** The data this model was built for: numbers of users and items, ratings or not. */
    DatasetSchema schema();

    /**
     * The training loss of a batch: a scalar ({@code []} or {@code [1]}) F32 tensor connected to the
     * parameters by autograd, so that {@code loss.backward()} fills their gradients. Models that are not
     * trained by gradient descent (neighbourhood models, closed-form ALS) throw
     * {@link UnsupportedOperationException} and return no {@linkplain #parameters() parameters}.
     *
     * @param batch the fields the model documents, e.g. {@code users [B]}, {@code items [B]},
     *              {@code labels [B]} or {@code negatives [B, S]}
     * @return a scalar loss, averaged over the batch
     */
    Tensor calculateLoss(Batch batch);

    /**
     * Scores of given (user, item) pairs: {@code users [B] I64}, {@code items [B] I64} -> {@code [B] F32}.
     * Higher means more relevant; for rating models the score is the predicted rating. Call in
     * evaluation mode ({@code setTraining(false)}) and outside autograd where possible.
     */
    Tensor predict(Batch batch);

    /**
     * Scores of every item for each user: {@code users [U] I64} -> {@code [U, N] F32}, row {@code u} being
     * the scores of all {@code N} items for {@code users[u]}, in item-index order. Training positives are
     * not masked here; the evaluation protocol does that.
     */
    Tensor fullSortPredict(Tensor users);

    /** {@link #fullSortPredict(Tensor)} for users given as ints: {@code [U]} -> {@code [U, N] F32}. */
    default Tensor fullSortPredict(int[] users) {
        long[] ids = new long[users.length];
        for (int i = 0; i < users.length; i++) {
            ids[i] = users[i];
        }
        return fullSortPredict(Tensor.ofLongs(ids));
    }

    /**
     * The trainable tensors, in a fixed order (optimizer state and checkpoints are keyed by position);
     * empty for models not trained by gradient descent.
     */
    List<Tensor> parameters();

    /** Training mode (dropout active, ...) or evaluation mode. New models start in training mode. */
    void setTraining(boolean training);

    boolean isTraining();

    /**
     * Everything needed to restore the model given its settings and schema, by stable dotted name: the
     * parameters and any buffers (ids of neighbours, similarity tables, ...). Saved as
     * {@code weights.safetensors} in a bundle. The tensors may be the live ones; callers copy if needed.
     */
    Map<String, Tensor> stateDict();

    /**
     * Copies {@code state} (as written from {@link #stateDict()} of a model with the same settings and
     * schema) into this model.
     *
     * @throws IllegalArgumentException if a name is missing or unexpected, or a shape or dtype differs;
     *                                  the model is then unchanged
     */
    void loadState(Map<String, Tensor> state);
}
