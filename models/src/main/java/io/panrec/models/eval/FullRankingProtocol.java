package io.panrec.models.eval;

import io.panrec.models.data.Interactions;
import io.panrec.models.data.Split;
import io.panrec.models.data.UserItemIndex;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Full ranking, as RecBole's {@code full} evaluation mode: for each user with held-out items, every item
 * of the catalogue is scored, the items the user already interacted with in the known part (training, and
 * validation when testing) are removed, and the top K of the rest are compared with the user's held-out
 * items. HR@K, NDCG@K, MRR@K, Recall@K and Precision@K are averaged over users ({@link Metrics} gives
 * the formulas; ties are broken {@linkplain Ranking pessimistically}); Coverage@K is the share of the
 * catalogue in at least one user's top K (ties by item index, since relevance must not shape what is
 * recommended).
 *
 * <p>Held-out items that are also known (a repeated interaction) cannot be recommended and are not
 * counted as relevant; a user left with no relevant item is not evaluated.
 */
public final class FullRankingProtocol {
    private final int numItems;
    private final UserItemIndex known;
    private final int[] users;          // evaluated users, ascending
    private final int[][] relevant;     // their held-out items, sorted, none of them known
    private final int[] ks;

    /**
     * @param heldOut the held-out interactions (test or validation part)
     * @param known   each user's items to remove from the ranking (training, plus validation when testing)
     * @param ks      cut-offs, e.g. 10, 20
     */
    public FullRankingProtocol(Interactions heldOut, UserItemIndex known, int... ks) {
        this.ks = SampledRankingProtocol.checkKs(ks);
        this.numItems = heldOut.numItems();
        this.known = known;
        UserItemIndex held = UserItemIndex.of(heldOut);
        int nu = held.numUsers();
        int[] us = new int[nu];
        int[][] rel = new int[nu][];
        int count = 0;
        for (int u = 0; u < nu; u++) {
            int[] items = held.items(u);
            int keep = 0;
            for (int item : items) {
                if (!known.contains(u, item)) {
                    items[keep++] = item;
                }
            }
            if (keep > 0) {
                us[count] = u;
                rel[count] = Arrays.copyOf(items, keep);
                count++;
            }
        }
        this.users = Arrays.copyOf(us, count);
        this.relevant = Arrays.copyOf(rel, count);
    }

    /** The test part of {@code split}, removing training and validation items from each ranking. */
    public static FullRankingProtocol test(Split split, int... ks) {
        return new FullRankingProtocol(split.test(), UserItemIndex.of(split.train(), split.validation()), ks);
    }

    /** The validation part of {@code split}, removing training items from each ranking. */
    public static FullRankingProtocol validation(Split split, int... ks) {
        return new FullRankingProtocol(split.validation(), UserItemIndex.of(split.train()), ks);
    }

    /** The number of users evaluated. */
    public int cases() {
        return users.length;
    }

    /**
     * Scores all items for every evaluated user and averages the metrics.
     *
     * @throws IllegalArgumentException if no user has a relevant item, or the scorer returns a NaN or rows
     *                                  of the wrong length
     */
    public EvaluationResult evaluate(Scorer scorer) {
        long start = System.nanoTime();
        int n = users.length;
        if (n == 0) {
            throw new IllegalArgumentException("full ranking: no user has a held-out item that is not already known");
        }
        int maxK = Arrays.stream(ks).max().orElseThrow();
        double[][] sums = new double[5][ks.length];
        int[][] tops = new int[n][];
        boolean[] excluded = new boolean[numItems];
        boolean[] isRelevant = new boolean[numItems];
        for (int from = 0; from < n; from += SampledRankingProtocol.CHUNK) {
            int to = Math.min(n, from + SampledRankingProtocol.CHUNK);
            int[] chunk = Arrays.copyOfRange(users, from, to);
            float[][] scores = scorer.scoreAll(chunk, numItems);
            if (scores.length != chunk.length) {
                throw new IllegalArgumentException("scorer returned " + scores.length + " rows for " + chunk.length + " users");
            }
            for (int c = 0; c < chunk.length; c++) {
                int u = chunk[c];
                float[] s = scores[c];
                if (s.length != numItems) {
                    throw new IllegalArgumentException("scorer returned " + s.length + " scores for user " + u + ", expected one per item ("
                            + numItems + ")");
                }
                int[] rel = relevant[from + c];
                int nk = known.count(u);
                for (int k = 0; k < nk; k++) {
                    excluded[known.item(u, k)] = true;
                }
                for (int item : rel) {
                    isRelevant[item] = true;
                }
                boolean[] ranked = Ranking.pessimisticTopK(s, maxK, isRelevant, excluded);
                tops[from + c] = Ranking.topK(s, maxK, excluded);
                for (int k = 0; k < ks.length; k++) {
                    int kk = ks[k];
                    sums[0][k] += Metrics.hit(ranked, kk);
                    sums[1][k] += Metrics.ndcg(ranked, rel.length, kk);
                    sums[2][k] += Metrics.mrr(ranked, kk);
                    sums[3][k] += Metrics.recall(ranked, rel.length, kk);
                    sums[4][k] += Metrics.precision(ranked, kk);
                }
                for (int k = 0; k < nk; k++) {
                    excluded[known.item(u, k)] = false;
                }
                for (int item : rel) {
                    isRelevant[item] = false;
                }
            }
        }
        String[] names = {"HR", "NDCG", "MRR", "Recall", "Precision"};
        Map<String, Double> m = new LinkedHashMap<>();
        for (int metric = 0; metric < names.length; metric++) {
            for (int k = 0; k < ks.length; k++) {
                m.put(names[metric] + "@" + ks[k], sums[metric][k] / n);
            }
        }
        for (int k = 0; k < ks.length; k++) {
            m.put("Coverage@" + ks[k], Metrics.itemCoverage(tops, ks[k], numItems));
        }
        return new EvaluationResult("full", m, n, (System.nanoTime() - start) / 1e9);
    }
}
