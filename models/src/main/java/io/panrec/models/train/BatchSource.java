package io.panrec.models.train;

import io.panrec.models.spi.Batch;

import java.util.Iterator;

/**
 * Training batches that the interaction-row shuffling of {@link io.panrec.models.data.Batches} cannot
 * make. Two producers share this one contract:
 * <ul>
 *   <li>the data: CTR rows carry their own feature fields, given to {@link Trainer.Builder#batches}, which
 *       then replace those of the plan's sampling;</li>
 *   <li>the model ({@link TrainingPlan.Sampling#MODEL}, through {@link Trainable#batches}): sequence
 *       models cut histories into windows, or sessions into session-parallel mini-batches.</li>
 * </ul>
 *
 * <p>{@link #epoch} must depend only on the epoch number and the source's seed, so that a run resumed from
 * a checkpoint sees the batches an uninterrupted one would. The iterator makes each batch when
 * {@code next()} is called, inside the trainer's step scope, which frees its tensors after the step.
 */
public interface BatchSource {
    /** The number of batches of every epoch. */
    int batchesPerEpoch();

    /** The batches of epoch {@code epoch} (0-based). */
    Iterator<Batch> epoch(int epoch);
}
