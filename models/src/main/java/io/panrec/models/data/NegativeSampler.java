package io.panrec.models.data;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Draws items a user has not interacted with ("negatives") for pairwise and pointwise training of
 * implicit-feedback models. Every draw excludes the user's positives given at construction (normally the
 * training interactions), so a sampler never returns a positive; draws are independent (with
 * replacement). The random source is passed to each call: the caller owns the seed, and one sampler may
 * serve several threads that each have their own source.
 *
 * <p>Draws use rejection against the positives, which costs {@code O(log d)} per try for a user with
 * {@code d} positives; after {@value #MAX_TRIES} rejected tries in a row (a user who has seen most of the
 * catalogue, or most of its popularity mass) a draw switches to an exact method over the user's
 * non-positives, so that no draw loops for long. Both paths draw from the same distribution.
 */
public abstract sealed class NegativeSampler permits NegativeSampler.Uniform, NegativeSampler.Popularity {
    /** Rejections in a row before a draw uses the exact method. */
    public static final int MAX_TRIES = 32;

    final UserItemIndex positives;
    final int numItems;

    NegativeSampler(UserItemIndex positives) {
        this.positives = Objects.requireNonNull(positives, "positives");
        this.numItems = positives.numItems();
        if (numItems < 1) {
            throw new IllegalArgumentException("negative sampler: no items");
        }
    }

    /** Items drawn uniformly from those the user has not interacted with. */
    public static NegativeSampler uniform(UserItemIndex positives) {
        return new Uniform(positives);
    }

    /**
     * Items drawn with probability proportional to {@code count[i]^exponent} among those the user has not
     * interacted with: popular items are harder negatives. {@code exponent} 1 follows the counts, 0.75 is
     * word2vec's smoothing, 0 is uniform. For an exponent above 0, items with count 0 have weight 0 and
     * are never drawn.
     *
     * @param counts   per-item counts ({@code [numItems]}), usually {@link Interactions#itemCounts()} of the
     *                 training data
     * @param exponent in [0, 4]
     */
    public static NegativeSampler popularity(UserItemIndex positives, int[] counts, double exponent) {
        return new Popularity(positives, counts, exponent);
    }

    /** The number of items in the catalogue the sampler draws from. */
    public int numItems() {
        return numItems;
    }

    /**
     * One negative for {@code user}.
     *
     * @throws IllegalStateException if the user has no item left to draw (has interacted with every item,
     *                               or with every item of positive weight)
     */
    public final int sample(int user, SplittableRandom random) {
        for (int t = 0; t < MAX_TRIES; t++) {
            int item = propose(random);
            if (!positives.contains(user, item)) {
                return item;
            }
        }
        return exact(user, random);
    }

    /** Fills {@code out[offset .. offset+count)} with independent negatives for {@code user}. */
    public final void sample(int user, SplittableRandom random, int[] out, int offset, int count) {
        Objects.checkFromIndexSize(offset, count, out.length);
        for (int k = 0; k < count; k++) {
            out[offset + k] = sample(user, random);
        }
    }

    /** A draw from the unconditional distribution (positives not excluded). */
    abstract int propose(SplittableRandom random);

    /** A draw from the distribution restricted to the user's non-positives, computed exactly. */
    abstract int exact(int user, SplittableRandom random);

    IllegalStateException exhausted(int user) {
        return new IllegalStateException("negative sampler: user " + user + " has interacted with every item that can be drawn ("
                + positives.count(user) + " of " + numItems + " items); remove such users or use another sampler");
    }

    /** Uniform over items. */
    static final class Uniform extends NegativeSampler {
        Uniform(UserItemIndex positives) {
            super(positives);
        }

        @Override
        int propose(SplittableRandom random) {
            return random.nextInt(numItems);
        }

        @Override
        int exact(int user, SplittableRandom random) {
            int d = positives.count(user);
            int free = numItems - d;
            if (free <= 0) {
                throw exhausted(user);
            }
            // the r-th non-positive: walk the sorted positives, skipping each one at or below the candidate
            int x = random.nextInt(free);
            for (int k = 0; k < d; k++) {
                if (positives.item(user, k) <= x) {
                    x++;
                } else {
                    break;
                }
            }
            return x;
        }
    }

    /** Proportional to count^exponent, by Vose's alias method (O(1) per proposal). */
    static final class Popularity extends NegativeSampler {
        private final double[] weights;
        private final double[] prob;
        private final int[] alias;

        Popularity(UserItemIndex positives, int[] counts, double exponent) {
            super(positives);
            if (counts.length != numItems) {
                throw new IllegalArgumentException("popularity sampler: " + counts.length + " counts for " + numItems + " items");
            }
            if (!(exponent >= 0 && exponent <= 4)) {
                throw new IllegalArgumentException("popularity sampler: exponent " + exponent + " is outside [0, 4]");
            }
            weights = new double[numItems];
            double total = 0;
            for (int i = 0; i < numItems; i++) {
                if (counts[i] < 0) {
                    throw new IllegalArgumentException("popularity sampler: count of item " + i + " is negative (" + counts[i] + ")");
                }
                weights[i] = counts[i] == 0 ? (exponent == 0 ? 1 : 0) : Math.pow(counts[i], exponent);
                total += weights[i];
            }
            if (total <= 0) {
                throw new IllegalArgumentException("popularity sampler: every count is zero");
            }
            prob = new double[numItems];
            alias = new int[numItems];
            buildAlias(weights, total, prob, alias);
        }

        /** Vose's alias table: column i keeps item i with probability prob[i], else gives alias[i]. */
        private static void buildAlias(double[] w, double total, double[] prob, int[] alias) {
            int n = w.length;
            double[] scaled = new double[n];
            int[] small = new int[n];
            int[] large = new int[n];
            int ns = 0;
            int nl = 0;
            for (int i = 0; i < n; i++) {
                scaled[i] = w[i] * n / total;
                if (scaled[i] < 1) {
                    small[ns++] = i;
                } else {
                    large[nl++] = i;
                }
            }
            while (ns > 0 && nl > 0) {
                int s = small[--ns];
                int l = large[--nl];
                prob[s] = scaled[s];
                alias[s] = l;
                scaled[l] = scaled[l] + scaled[s] - 1;
                if (scaled[l] < 1) {
                    small[ns++] = l;
                } else {
                    large[nl++] = l;
                }
            }
            // what remains is 1 up to rounding; a zero-weight item must still never come out
            int heaviest = 0;
            for (int i = 1; i < n; i++) {
                if (w[i] > w[heaviest]) {
                    heaviest = i;
                }
            }
            while (nl > 0) {
                int l = large[--nl];
                prob[l] = 1;
                alias[l] = l;
            }
            while (ns > 0) {
                int s = small[--ns];
                prob[s] = w[s] > 0 ? 1 : 0;
                alias[s] = w[s] > 0 ? s : heaviest;
            }
        }

        @Override
        int propose(SplittableRandom random) {
            int column = random.nextInt(prob.length);
            return random.nextDouble() < prob[column] ? column : alias[column];
        }

        @Override
        int exact(int user, SplittableRandom random) {
            // total weight of the non-positives, then a linear walk to the drawn point
            double free = 0;
            for (int i = 0; i < numItems; i++) {
                if (weights[i] > 0 && !positives.contains(user, i)) {
                    free += weights[i];
                }
            }
            if (free <= 0) {
                throw exhausted(user);
            }
            double target = random.nextDouble() * free;
            int last = -1;
            for (int i = 0; i < numItems; i++) {
                if (weights[i] > 0 && !positives.contains(user, i)) {
                    last = i;
                    target -= weights[i];
                    if (target < 0) {
                        return i;
                    }
                }
            }
            return last; // rounding left target a hair above 0: the last eligible item
        }
    }
}
