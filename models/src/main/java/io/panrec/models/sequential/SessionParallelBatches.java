package io.panrec.models.sequential;

import io.panrec.models.spi.Batch;
import io.panrec.models.train.BatchSource;
import io.panrec.tensor.DType;
import io.panrec.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * Session-parallel mini-batches (Hidasi et al. 2016, section 3.1.1): the sessions, in an order shuffled
 * per epoch, are laid side by side in {@code B} slots; step {@code t} gives every slot's current click as
 * input and the click that follows it as target. When a slot's session has no next click, the next
 * unused session takes the slot and its hidden state restarts from zero ({@link #SESSION_STARTS}); the
 * epoch ends at the first slot that cannot be refilled (as in the paper's code), so every batch has
 * exactly {@code B} rows and at most {@code clicks / B} batches make an epoch.
 *
 * <p>Each batch holds {@link Batch#ITEMS} {@code [B]} (the inputs), {@link #NEXT_ITEMS} {@code [B]}
 * (the targets), {@link #SESSION_STARTS} {@code [B]}, and, when negatives are sampled, {@link Batch#NEGATIVES}
 * {@code [B, S]}: S items drawn once per batch with probability proportional to
 * {@code count(item)^alpha} (Hidasi and Karatzoglou 2018: {@code alpha} 0 is uniform, 1 popularity), the
 * same S in every row, since the model scores them once for the whole batch.
 */
public final class SessionParallelBatches implements BatchSource {
    /** {@code [B] I64}: the item following each slot's input item. */
    public static final Batch.Key NEXT_ITEMS = new Batch.Key("nextItems", DType.I64, 1, "[B] the next item of each session slot");
    /**
     * {@code [B] F32}: 1 where a new session starts in the slot at this step (its recurrent state must
     * restart from zero), 0 where the slot continues the session of the previous step.
     */
    public static final Batch.Key SESSION_STARTS = new Batch.Key("sessionStarts", DType.F32, 1,
            "[B] 1 where a slot starts a new session, else 0");

    private final int[][] sessions;
    private final int slots;
    private final long seed;
    private final int negatives;
    private final double[] cumulative;
    private final int batches;

    /**
     * @param sequences each session's items in order (sessions with fewer than 2 items are left out)
     * @param batchSize B, the number of parallel slots (cut to the number of sessions if larger)
     * @param negatives S, items sampled per batch (0 for none: in-batch negatives only)
     * @param alpha     the popularity exponent of the sampling, in [0, 1]
     * @param numItems  N
     */
    public SessionParallelBatches(int[][] sequences, int batchSize, int negatives, double alpha, int numItems, long seed) {
        List<int[]> usable = new ArrayList<>();
        long clicks = 0;
        int[] counts = new int[numItems];
        for (int[] s : sequences) {
            for (int item : s) {
                if (item < 0 || item >= numItems) {
                    throw new IllegalArgumentException("session item " + item + " outside [0, " + numItems + ")");
                }
                counts[item]++;
            }
            if (s.length >= 2) {
                usable.add(s);
                clicks += s.length - 1;
            }
        }
        if (usable.isEmpty()) {
            throw new IllegalArgumentException("no training session has two items: session-parallel batches need a click and the next one");
        }
        if (batchSize < 1 || negatives < 0 || !(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("session-parallel batches need batchSize >= 1, negatives >= 0 and alpha in [0, 1]; got "
                    + batchSize + ", " + negatives + ", " + alpha);
        }
        this.sessions = usable.toArray(int[][]::new);
        this.slots = Math.min(batchSize, sessions.length);
        this.seed = seed;
        this.negatives = negatives;
        this.cumulative = new double[numItems];
        double sum = 0;
        for (int i = 0; i < numItems; i++) {
            sum += counts[i] == 0 ? 0 : Math.pow(counts[i], alpha);
            cumulative[i] = sum;
        }
        this.batches = (int) Math.max(1, clicks / slots);
    }

    /** The number of parallel slots B. */
    public int slots() {
        return slots;
    }

    /** An upper bound: the epoch may end a few batches sooner (see the class comment). */
    @Override
    public int batchesPerEpoch() {
        return batches;
    }

    @Override
    public Iterator<Batch> epoch(int epoch) {
        SplittableRandom random = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (epoch + 1)));
        int[] order = new int[sessions.length];
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
            final int[] session = Arrays.copyOf(order, slots);
            final int[] pos = new int[slots];
            int next = slots;
            boolean done;

            @Override
            public boolean hasNext() {
                return !done;
            }

            @Override
            public Batch next() {
                if (done) {
                    throw new NoSuchElementException();
                }
                long[] in = new long[slots];
                long[] out = new long[slots];
                float[] starts = new float[slots];
                for (int k = 0; k < slots; k++) {
                    int[] s = sessions[session[k]];
                    in[k] = s[pos[k]];
                    out[k] = s[pos[k] + 1];
                    starts[k] = pos[k] == 0 ? 1 : 0;
                    pos[k]++;
                    if (pos[k] + 1 >= s.length) {
                        if (next < order.length) {
                            session[k] = order[next++];
                            pos[k] = 0;
                        } else {
                            done = true;
                        }
                    }
                }
                Batch b = new Batch().put(Batch.ITEMS, Tensor.ofLongs(in)).put(NEXT_ITEMS, Tensor.ofLongs(out))
                        .put(SESSION_STARTS, Tensor.of(starts, slots));
                if (negatives > 0) {
                    long[] neg = new long[slots * negatives];
                    for (int j = 0; j < negatives; j++) {
                        neg[j] = sample(random);
                    }
                    for (int k = 1; k < slots; k++) {
                        System.arraycopy(neg, 0, neg, k * negatives, negatives);
                    }
                    b.put(Batch.NEGATIVES, Tensor.ofLongs(neg, slots, negatives));
                }
                return b;
            }
        };
    }

    private int sample(SplittableRandom random) {
        double x = random.nextDouble() * cumulative[cumulative.length - 1];
        int i = Arrays.binarySearch(cumulative, x);
        i = Math.min(i >= 0 ? i + 1 : -i - 1, cumulative.length - 1);
        while (i + 1 < cumulative.length && cumulative[i] == (i == 0 ? 0 : cumulative[i - 1])) {
            i++; // x fell exactly on a boundary followed by items never clicked: skip them
        }
        return i;
    }
}
