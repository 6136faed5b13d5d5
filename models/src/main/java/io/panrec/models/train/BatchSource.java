package io.panrec.models.train;

import io.panrec.models.spi.Batch;

import java.util.Iterator;

/**
 * The training batches a model makes itself ({@link TrainingPlan.Sampling#MODEL}, through
 * {@link Trainable#batches}): sequence models cut histories into windows, or sessions into
 * session-parallel mini-batches, which the row-shuffling {@link io.panrec.models.data.Batches} cannot.
 *
 * <p>{@link #epoch} must depend only on the epoch number and the plan's seed, so that a run resumed from
 * a checkpoint sees the batches an uninterrupted one would. The iterator makes each batch when
 * {@code next()} is called, inside the trainer's step scope, which frees its tensors after the step.
 */
public interface BatchSource {
    /** The number of batches of every epoch. */
    int batchesPerEpoch();

    /** The batches of epoch {@code epoch} (0-based). */
    Iterator<Batch> epoch(int epoch);
}
