package io.panrec.models.sequential;

import io.panrec.models.spi.Batch;
import io.panrec.models.spi.Recommender;
import io.panrec.tensor.Tensor;

/**
 * A {@link Recommender} that scores the next item of an item sequence (a session, or a user's history).
 * Besides the user-indexed methods of the contract, it scores sequences given in a batch, which is how
 * anonymous sessions, held-out prefixes and Lucene reranking reach it.
 *
 * <p>Batch fields: {@link Batch#SEQUENCES} {@code [B, L] I64} item indices in {@code [0, N)}, oldest
 * first, right-padded (padding entries are ignored, whatever their value) and {@link Batch#LENGTHS}
 * {@code [B] I64}, each in {@code [1, L]}. Sequences longer than {@link #maxLength()} are cut to their
 * most recent {@code maxLength} items.
 */
public interface SequentialRecommender extends Recommender {
    /**
     * Scores of every item as the next one after each sequence: {@code sequences [B, L]},
     * {@code lengths [B]} -> {@code [B, N] F32}. Items already in a sequence are not masked.
     */
    Tensor fullSortPredict(Batch sequences);

    /** The most recent items of a sequence the model looks at. */
    int maxLength();
}
