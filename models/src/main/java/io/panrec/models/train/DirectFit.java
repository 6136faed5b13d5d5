package io.panrec.models.train;

import io.panrec.models.data.Interactions;

/**
 * A model fitted by its own algorithm over the whole training table rather than by gradient steps:
 * popularity counts, neighbourhood similarities (one epoch, a closed form), alternating least squares
 * (one sweep per epoch). Such a model has no {@linkplain io.panrec.models.spi.Recommender#parameters()
 * parameters} for an optimizer and its {@link io.panrec.models.spi.Recommender#calculateLoss} throws
 * {@link UnsupportedOperationException}; the {@link Trainer} calls {@link #fitEpoch} instead, and
 * validates, stops early, logs and checkpoints it like any other model.
 */
public interface DirectFit extends Trainable {
    /**
     * One epoch of fitting on {@code train}, continuing from the model's current state (an epoch of a
     * run resumed from a checkpoint continues from the saved state).
     *
     * @param epoch the 0-based epoch
     * @return the training objective after the epoch (lower is better), or NaN when the model has none
     */
    double fitEpoch(Interactions train, int epoch);
}
