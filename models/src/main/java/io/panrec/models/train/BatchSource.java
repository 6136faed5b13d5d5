package io.panrec.models.train;

import io.panrec.models.spi.Batch;

import java.util.Iterator;

/**
 * Training batches that do not come from the interactions alone (CTR rows with their feature fields):
 * given to {@link Trainer.Builder#batches}, they replace those of the plan's sampling. As
 * {@link io.panrec.models.data.Batches}, epoch {@code e}'s batches must depend only on the source's
 * seed and {@code e}, so that a resumed run sees the batches an uninterrupted one would.
 */
public interface BatchSource {
    /** Batches in one epoch. */
    int batchesPerEpoch();

    /** The batches of epoch {@code epoch} (0-based). */
    Iterator<Batch> epoch(int epoch);
}
