package io.panrec.models.data;

import io.panrec.models.spi.Batch;
import io.panrec.tensor.Tensor;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Shuffled mini-batches of training interactions, one pass per epoch, in one of three modes:
 * <ul>
 *   <li>{@link Mode#PLAIN}: each row once: {@link Batch#USERS}, {@link Batch#ITEMS}, and
 *       {@link Batch#RATINGS} when the data has ratings (rating prediction);</li>
 *   <li>{@link Mode#PAIRWISE}: each row once as a positive, with {@code S} sampled negatives of its user:
 *       {@link Batch#USERS}, {@link Batch#ITEMS}, {@link Batch#NEGATIVES} {@code [B, S]} (BPR);</li>
 *   <li>{@link Mode#POINTWISE}: each row as a positive (label 1) plus {@code S} rows of the same user with
 *       a sampled negative item (label 0), all shuffled together, as the NCF paper trains with log loss:
 *       {@link Batch#USERS}, {@link Batch#ITEMS}, {@link Batch#LABELS}. A batch holds {@code batchSize} of
 *       these rows, so an epoch has {@code rows * (1 + S)} samples.</li>
 * </ul>
 *
 * <p><b>Reproducible</b>: the order and the negatives of epoch {@code e} depend only on the seed and
 * {@code e}, so a run resumed at epoch {@code e} sees the same batches as an uninterrupted one. Negatives
 * are drawn afresh each epoch.
 *
 * <p>Each {@link Iterator#next()} allocates the batch's tensors in the {@linkplain io.panrec.tensor.Scope
 * current scope}: call it inside the training step's scope so they are freed with the step.
 */
public final class Batches {
    /** What each batch holds; see the class comment. */
    public enum Mode { PLAIN, PAIRWISE, POINTWISE }

    private final Interactions rows;
    private final Mode mode;
    private final NegativeSampler sampler;
    private final int negatives;
    private final int batchSize;
    private final long seed;
    private final boolean shuffle;
    private final boolean dropLast;

    private Batches(Builder b) {
        this.rows = b.rows;
        this.mode = b.mode;
        this.sampler = b.sampler;
        this.negatives = b.negatives;
        this.batchSize = b.batchSize;
        this.seed = b.seed;
        this.shuffle = b.shuffle;
        this.dropLast = b.dropLast;
    }

    /** Batches over {@code rows} (usually the training part of a split). */
    public static Builder over(Interactions rows) {
        return new Builder(rows);
    }

    /** Settings of a {@link Batches}. */
    public static final class Builder {
        private final Interactions rows;
        private Mode mode = Mode.PLAIN;
        private NegativeSampler sampler;
        private int negatives;
        private int batchSize = 256;
        private long seed = 42;
        private boolean shuffle = true;
        private boolean dropLast;

        private Builder(Interactions rows) {
            this.rows = Objects.requireNonNull(rows, "rows");
        }

        /** Rows per batch (in pointwise mode, counting the negative rows); default 256. */
        public Builder batchSize(int size) {
            if (size < 1) {
                throw new IllegalArgumentException("batch size " + size + " < 1");
            }
            this.batchSize = size;
            return this;
        }

        /** Seed of the shuffling and the negatives; default 42. */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** Whether to shuffle (default true); without, rows come in table order (negatives are still random). */
        public Builder shuffle(boolean on) {
            this.shuffle = on;
            return this;
        }

        /** Whether to drop a last batch smaller than the batch size (default false: it is kept). */
        public Builder dropLast(boolean on) {
            this.dropLast = on;
            return this;
        }

        /** Each row once; ratings included when the data has them. */
        public Builder plain() {
            this.mode = Mode.PLAIN;
            this.sampler = null;
            this.negatives = 0;
            return this;
        }

        /** Each row as a positive with {@code perPositive} negatives in {@link Batch#NEGATIVES}. */
        public Builder pairwise(NegativeSampler negativeSampler, int perPositive) {
            return sampled(Mode.PAIRWISE, negativeSampler, perPositive);
        }

        /** Each row as a positive plus {@code perPositive} negative rows, with labels. */
        public Builder pointwise(NegativeSampler negativeSampler, int perPositive) {
            return sampled(Mode.POINTWISE, negativeSampler, perPositive);
        }

        private Builder sampled(Mode m, NegativeSampler negativeSampler, int perPositive) {
            Objects.requireNonNull(negativeSampler, "negative sampler");
            if (perPositive < 1) {
                throw new IllegalArgumentException(m + " batches need at least one negative per positive, got " + perPositive);
            }
            if (negativeSampler.numItems() != rows.numItems()) {
                throw new IllegalArgumentException("the negative sampler covers " + negativeSampler.numItems() + " items but the data has "
                        + rows.numItems());
            }
            this.mode = m;
            this.sampler = negativeSampler;
            this.negatives = perPositive;
            return this;
        }

        public Batches build() {
            long samples = mode == Mode.POINTWISE ? (long) rows.size() * (1 + negatives) : rows.size();
            if (samples > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(samples + " samples per epoch exceed what one epoch can index; use fewer negatives");
            }
            return new Batches(this);
        }
    }

    public Mode mode() {
        return mode;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Samples per epoch: rows, or rows times (1 + negatives) in pointwise mode (before dropping a last batch). */
    public int samplesPerEpoch() {
        return mode == Mode.POINTWISE ? rows.size() * (1 + negatives) : rows.size();
    }

    /** Batches per epoch. */
    public int batchesPerEpoch() {
        int n = samplesPerEpoch();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** The batches of epoch {@code epoch} (0-based), lazily. */
    public Iterator<Batch> epoch(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch " + epoch + " < 0");
        }
        SplittableRandom random = new SplittableRandom(mix(seed ^ mix(epoch + 0x9E3779B97F4A7C15L)));
        int n = samplesPerEpoch();
        int[] order = MovieLens.range(0, n);
        if (shuffle) {
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        SplittableRandom negRandom = random.split();
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
                    throw new NoSuchElementException("epoch " + epoch + " has " + count + " batches");
                }
                int from = next * batchSize;
                int to = Math.min(n, from + batchSize);
                next++;
                return make(order, from, to, negRandom);
            }
        };
    }

    /** The seed of an epoch's stream: a 64-bit finaliser, so nearby seeds and epochs give unrelated streams. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private Batch make(int[] order, int from, int to, SplittableRandom random) {
        int b = to - from;
        long[] users = new long[b];
        long[] items = new long[b];
        Batch batch = new Batch();
        switch (mode) {
            case PLAIN -> {
                float[] ratings = rows.hasRatings() ? new float[b] : null;
                for (int k = 0; k < b; k++) {
                    int r = order[from + k];
                    users[k] = rows.user(r);
                    items[k] = rows.item(r);
                    if (ratings != null) {
                        ratings[k] = rows.rating(r);
                    }
                }
                batch.put(Batch.USERS, Tensor.ofLongs(users)).put(Batch.ITEMS, Tensor.ofLongs(items));
                if (ratings != null) {
                    batch.put(Batch.RATINGS, Tensor.of(ratings));
                }
            }
            case PAIRWISE -> {
                long[] neg = new long[b * negatives];
                int[] drawn = new int[negatives];
                for (int k = 0; k < b; k++) {
                    int r = order[from + k];
                    int u = rows.user(r);
                    users[k] = u;
                    items[k] = rows.item(r);
                    sampler.sample(u, random, drawn, 0, negatives);
                    for (int s = 0; s < negatives; s++) {
                        neg[k * negatives + s] = drawn[s];
                    }
                }
                batch.put(Batch.USERS, Tensor.ofLongs(users)).put(Batch.ITEMS, Tensor.ofLongs(items))
                        .put(Batch.NEGATIVES, Tensor.ofLongs(neg, b, negatives));
            }
            case POINTWISE -> {
                float[] labels = new float[b];
                for (int k = 0; k < b; k++) {
                    int sample = order[from + k];
                    int r = sample / (1 + negatives);
                    boolean positive = sample % (1 + negatives) == 0;
                    int u = rows.user(r);
                    users[k] = u;
                    items[k] = positive ? rows.item(r) : sampler.sample(u, random);
                    labels[k] = positive ? 1f : 0f;
                }
                batch.put(Batch.USERS, Tensor.ofLongs(users)).put(Batch.ITEMS, Tensor.ofLongs(items))
                        .put(Batch.LABELS, Tensor.of(labels));
            }
        }
        return batch;
    }
}
