package io.panrec.models.eval;

import io.panrec.models.data.Interactions;
import io.panrec.models.data.Split;
import io.panrec.models.data.UserItemIndex;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Sampled ranking, as in the NCF paper (He et al. 2017, section 4.1): each held-out (user, item) pair is
 * ranked against {@code negatives} (99 in the paper) items the user never interacted with, drawn
 * uniformly; HR@K, NDCG@K and MRR@K of the held-out item's {@linkplain Ranking pessimistic rank} are
 * averaged over the pairs.
 *
 * <p>The negatives are drawn once, when the protocol is made, without repetition, from the items the
 * user has no interaction with in <em>any</em> part of the split (training, validation or test), and
 * seeded: every model evaluated with one protocol object (or one seed) faces the same candidates.
 *
 * <p>Each row of the evaluated part is a case; with a leave-one-out split that is one case per user.
 */
public final class SampledRankingProtocol {
    /** Cases scored per call to the scorer. */
    static final int CHUNK = 256;

    private final int[] users;
    private final int[][] candidates; // candidates[c][0] is the held-out item, then the negatives
    private final int[] ks;

    /**
     * Cases from the rows of {@code heldOut}.
     *
     * @param heldOut     the pairs to rank (the test or validation part)
     * @param interacted  every item of each user, to draw negatives outside of (all parts of the split)
     * @param negatives   negatives per case, at least 1 (99 in the NCF paper)
     * @param seed        seed of the draw
     * @param ks          cut-offs, e.g. 10
     * @throws IllegalArgumentException if a user has fewer than {@code negatives} items left to draw
     */
    public SampledRankingProtocol(Interactions heldOut, UserItemIndex interacted, int negatives, long seed, int... ks) {
        if (negatives < 1) {
            throw new IllegalArgumentException("sampled ranking needs at least one negative per case, got " + negatives);
        }
        this.ks = checkKs(ks);
        int n = heldOut.size();
        int numItems = heldOut.numItems();
        this.users = new int[n];
        this.candidates = new int[n][];
        SplittableRandom random = new SplittableRandom(seed);
        boolean[] taken = new boolean[numItems];
        for (int c = 0; c < n; c++) {
            int u = heldOut.user(c);
            int target = heldOut.item(c);
            users[c] = u;
            int[] cand = new int[negatives + 1];
            cand[0] = target;
            drawNegatives(u, target, interacted, numItems, random, taken, cand);
            candidates[c] = cand;
        }
    }

    /** The test part of {@code split}, negatives outside all of the user's interactions in the split. */
    public static SampledRankingProtocol test(Split split, int negatives, long seed, int... ks) {
        return new SampledRankingProtocol(split.test(), UserItemIndex.of(split.train(), split.validation(), split.test()), negatives, seed, ks);
    }

    /** The validation part of {@code split} (for early stopping), with the same rule for negatives. */
    public static SampledRankingProtocol validation(Split split, int negatives, long seed, int... ks) {
        return new SampledRankingProtocol(split.validation(), UserItemIndex.of(split.train(), split.validation(), split.test()), negatives,
                seed, ks);
    }

    private static void drawNegatives(int user, int target, UserItemIndex interacted, int numItems, SplittableRandom random,
                                      boolean[] taken, int[] out) {
        int need = out.length - 1;
        int free = numItems - interacted.count(user) - (interacted.contains(user, target) ? 0 : 1);
        if (free < need) {
            throw new IllegalArgumentException("sampled ranking: user " + user + " has only " + free + " items without an interaction, "
                    + "fewer than the " + need + " negatives asked for; use fewer negatives or the full ranking protocol");
        }
        if (free < 2 * need) {
            // dense case: list the free items and take a random subset by a partial Fisher-Yates shuffle
            int[] pool = new int[free];
            int p = 0;
            for (int i = 0; i < numItems; i++) {
                if (i != target && !interacted.contains(user, i)) {
                    pool[p++] = i;
                }
            }
            for (int k = 0; k < need; k++) {
                int j = k + random.nextInt(free - k);
                int t = pool[k];
                pool[k] = pool[j];
                pool[j] = t;
                out[1 + k] = pool[k];
            }
            return;
        }
        // sparse case: rejection, at least half of the draws succeed
        int k = 0;
        while (k < need) {
            int i = random.nextInt(numItems);
            if (i == target || taken[i] || interacted.contains(user, i)) {
                continue;
            }
            taken[i] = true;
            out[1 + k++] = i;
        }
        for (int j = 1; j <= need; j++) {
            taken[out[j]] = false;
        }
    }

    static int[] checkKs(int[] ks) {
        if (ks.length == 0) {
            throw new IllegalArgumentException("give at least one cut-off K");
        }
        for (int k : ks) {
            if (k < 1) {
                throw new IllegalArgumentException("cut-off K must be at least 1, got " + k);
            }
        }
        return ks.clone();
    }

    /** The number of cases. */
    public int cases() {
        return users.length;
    }

    /** The candidates of case {@code c}: the held-out item first, then the negatives (a copy). */
    public int[] candidates(int c) {
        return candidates[c].clone();
    }

    /** The user of case {@code c}. */
    public int user(int c) {
        return users[c];
    }

    /**
     * Scores every case and averages HR@K, NDCG@K and MRR@K over them, for each K.
     *
     * @throws IllegalArgumentException if there are no cases, or the scorer returns a NaN or the wrong count
     */
    public EvaluationResult evaluate(Scorer scorer) {
        long start = System.nanoTime();
        int n = users.length;
        if (n == 0) {
            throw new IllegalArgumentException("sampled ranking: no cases to evaluate (the evaluated part is empty)");
        }
        double[] hr = new double[ks.length];
        double[] ndcg = new double[ks.length];
        double[] mrr = new double[ks.length];
        for (int from = 0; from < n; from += CHUNK) {
            int to = Math.min(n, from + CHUNK);
            int[] u = Arrays.copyOfRange(users, from, to);
            int[][] items = Arrays.copyOfRange(candidates, from, to);
            float[][] scores = scorer.score(u, items);
            if (scores.length != to - from) {
                throw new IllegalArgumentException("scorer returned " + scores.length + " rows for " + (to - from) + " users");
            }
            for (int c = 0; c < scores.length; c++) {
                if (scores[c].length != items[c].length) {
                    throw new IllegalArgumentException("scorer returned " + scores[c].length + " scores for " + items[c].length
                            + " items of user " + u[c]);
                }
                int rank = Ranking.pessimisticRank(scores[c], 0);
                for (int k = 0; k < ks.length; k++) {
                    hr[k] += Metrics.hitAtRank(rank, ks[k]);
                    ndcg[k] += Metrics.ndcgAtRank(rank, ks[k]);
                    mrr[k] += Metrics.mrrAtRank(rank, ks[k]);
                }
            }
        }
        Map<String, Double> m = new LinkedHashMap<>();
        for (int k = 0; k < ks.length; k++) {
            m.put("HR@" + ks[k], hr[k] / n);
        }
        for (int k = 0; k < ks.length; k++) {
            m.put("NDCG@" + ks[k], ndcg[k] / n);
        }
        for (int k = 0; k < ks.length; k++) {
            m.put("MRR@" + ks[k], mrr[k] / n);
        }
        return new EvaluationResult("sampled", m, n, (System.nanoTime() - start) / 1e9);
    }
}
