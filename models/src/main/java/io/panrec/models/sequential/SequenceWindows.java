package io.panrec.models.sequential;

import io.panrec.models.spi.Batch;
import io.panrec.models.train.BatchSource;
import io.panrec.tensor.DType;
import io.panrec.tensor.Tensor;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * Training batches of SASRec (Kang and McAuley 2018, section III-E): one row per user (or session) with
 * at least two items, its most recent {@code L + 1} items giving the input {@code s_1 .. s_n} and, at
 * each position, the target {@code s_(t+1)}; one negative item per position, drawn uniformly among the
 * items not in the user's sequence (resampled every epoch). Rows are shuffled per epoch.
 *
 * <p>Each batch holds {@link Batch#SEQUENCES} {@code [B, L]} (right-padded inputs),
 * {@link Batch#LENGTHS} {@code [B]}, {@link #TARGETS} {@code [B, L]} (the next item at each position,
 * padding where the input is padding) and {@link Batch#NEGATIVES} {@code [B, L]} (one negative per
 * position). {@code L} is the longest input of the batch, at most {@code maxLength}.
 */
public final class SequenceWindows implements BatchSource {
    /** {@code [B, L] I64}: the item that follows each input position (right-padded like the inputs). */
    public static final Batch.Key TARGETS = new Batch.Key("targets", DType.I64, 2, "[B, L] the next item at each position");

    private final int[][] rows;
    private final int maxLength;
    private final int batchSize;
    private final int numItems;
    private final long seed;

    /**
     * @param sequences each user's items, oldest first (users with fewer than 2 are left out)
     * @param maxLength L, the longest input kept (the most recent items)
     */
    public SequenceWindows(int[][] sequences, int maxLength, int batchSize, int numItems, long seed) {
        if (maxLength < 1 || batchSize < 1 || numItems < 2) {
            throw new IllegalArgumentException("sequence batches need maxLength >= 1, batchSize >= 1 and at least 2 items; got "
                    + maxLength + ", " + batchSize + ", " + numItems);
        }
        List<int[]> usable = new ArrayList<>();
        for (int[] s : sequences) {
            if (s.length >= 2) {
                int keep = Math.min(s.length, maxLength + 1);
                usable.add(java.util.Arrays.copyOfRange(s, s.length - keep, s.length));
            }
        }
        if (usable.isEmpty()) {
            throw new IllegalArgumentException("no training sequence has two items: a model needs an item and the next one");
        }
        this.rows = usable.toArray(int[][]::new);
        this.maxLength = maxLength;
        this.batchSize = batchSize;
        this.numItems = numItems;
        this.seed = seed;
    }

    @Override
    public int batchesPerEpoch() {
        return (rows.length + batchSize - 1) / batchSize;
    }

    @Override
    public Iterator<Batch> epoch(int epoch) {
        SplittableRandom random = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (epoch + 1)));
        int[] order = new int[rows.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return new Iterator<>() {
            int from;

            @Override
            public boolean hasNext() {
                return from < order.length;
            }

            @Override
            public Batch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int to = Math.min(order.length, from + batchSize);
                int b = to - from;
                int l = 1;
                for (int r = from; r < to; r++) {
                    l = Math.max(l, rows[order[r]].length - 1);
                }
                long[] in = new long[b * l];
                long[] out = new long[b * l];
                long[] neg = new long[b * l];
                long[] lengths = new long[b];
                for (int r = 0; r < b; r++) {
                    int[] s = rows[order[from + r]];
                    java.util.Set<Integer> seen = new java.util.HashSet<>();
                    for (int item : s) {
                        seen.add(item);
                    }
                    int n = s.length - 1;
                    lengths[r] = n;
                    for (int t = 0; t < n; t++) {
                        in[r * l + t] = s[t];
                        out[r * l + t] = s[t + 1];
                        int j;
                        int tries = 0;
                        do {
                            j = random.nextInt(numItems);
                        } while (seen.contains(j) && ++tries < 100);
                        neg[r * l + t] = j;
                    }
                }
                from = to;
                return new Batch().put(Batch.SEQUENCES, Tensor.ofLongs(in, b, l)).put(Batch.LENGTHS, Tensor.ofLongs(lengths))
                        .put(TARGETS, Tensor.ofLongs(out, b, l)).put(Batch.NEGATIVES, Tensor.ofLongs(neg, b, l));
            }
        };
    }
}
