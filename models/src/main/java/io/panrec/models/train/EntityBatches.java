package io.panrec.models.train;

import io.panrec.models.data.Interactions;
import io.panrec.models.spi.Batch;
import io.panrec.tensor.Tensor;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * Shuffled batches of the distinct items (or users) that have training rows, in {@link Batch#ITEMS}
 * (or {@link Batch#USERS}) {@code [B]}: what item- and user-based autoencoders train on, each entity
 * once per epoch. As {@link io.panrec.models.data.Batches}, epoch {@code e}'s order depends only on the
 * seed and {@code e}, so a resumed run sees the same batches.
 */
final class EntityBatches {
    private final int[] entities;
    private final boolean items;
    private final int batchSize;
    private final long seed;

    EntityBatches(Interactions train, boolean items, int batchSize, long seed) {
        int n = items ? train.numItems() : train.numUsers();
        int[] counts = items ? train.itemCounts() : train.userCounts();
        int k = 0;
        for (int c : counts) {
            if (c > 0) {
                k++;
            }
        }
        this.entities = new int[k];
        k = 0;
        for (int e = 0; e < n; e++) {
            if (counts[e] > 0) {
                entities[k++] = e;
            }
        }
        this.items = items;
        this.batchSize = batchSize;
        this.seed = seed;
    }

    int samplesPerEpoch() {
        return entities.length;
    }

    int batchesPerEpoch() {
        return (entities.length + batchSize - 1) / batchSize;
    }

    Iterator<Batch> epoch(int epoch) {
        int[] order = entities.clone();
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + 17);
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int count = batchesPerEpoch();
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < count;
            }

            @Override
            public Batch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int from = next * batchSize;
                int to = Math.min(order.length, from + batchSize);
                next++;
                long[] ids = new long[to - from];
                for (int i = from; i < to; i++) {
                    ids[i - from] = order[i];
                }
                return new Batch().put(items ? Batch.ITEMS : Batch.USERS, Tensor.ofLongs(ids));
            }
        };
    }
}
