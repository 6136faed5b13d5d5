package io.panrec.models.train;

import java.util.List;

/**
 * The outcome of {@link Trainer#fit()}.
 *
 * @param history      one record per epoch run, the epochs of a resumed run's checkpoint included
 * @param bestEpoch    1-based epoch of the best validation value, or 0 without validation
 * @param bestValue    that value, or NaN without validation
 * @param stoppedEarly whether early stopping ended the run before the planned epochs
 * @param resumedFrom  the number of epochs restored from a checkpoint (0 for a fresh run)
 */
public record TrainingResult(List<EpochRecord> history, int bestEpoch, double bestValue, boolean stoppedEarly, int resumedFrom) {
    public TrainingResult {
        history = List.copyOf(history);
    }

    /** Epochs completed. */
    public int epochs() {
        return history.size();
    }

    /** The last epoch's record. */
    public EpochRecord last() {
        if (history.isEmpty()) {
            throw new IllegalStateException("no epoch was run");
        }
        return history.getLast();
    }
}
