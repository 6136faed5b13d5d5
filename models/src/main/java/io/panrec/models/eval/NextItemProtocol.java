package io.panrec.models.eval;

import io.panrec.models.data.Interactions;
import io.panrec.models.data.Sessions;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Next-item evaluation of session-based recommendation, as GRU4Rec (Hidasi et al. 2016) and NARM (Li et
 * al. 2017): every held-out session {@code [i1, ..., in]} gives the cases {@code [i1..it] -> i(t+1)}
 * ({@link Sessions#nextItemCases}); for each case the target is ranked against <b>all</b> items (none
 * excluded, not even the items of the prefix, since sessions repeat items), with pessimistic ties
 * ({@link Ranking#pessimisticRank}). Recall@K is the share of cases whose target is in the top K (one
 * relevant item per case, so it equals HR@K), MRR@K the mean reciprocal rank, 0 beyond K; NDCG@K is
 * reported too. Metrics are averaged over cases, not sessions, as in those papers.
 */
public final class NextItemProtocol {
    private final List<Sessions.Case> cases;
    private final int numItems;
    private final int[] ks;

    /**
     * @param cases    the (prefix, target) cases; items in {@code [0, numItems)}
     * @param numItems N
     * @param ks       cut-offs, e.g. 20
     */
    public NextItemProtocol(List<Sessions.Case> cases, int numItems, int... ks) {
        this.ks = SampledRankingProtocol.checkKs(ks);
        this.cases = List.copyOf(cases);
        this.numItems = numItems;
        for (Sessions.Case c : this.cases) {
            if (c.target() < 0 || c.target() >= numItems) {
                throw new IllegalArgumentException("next-item case of session " + c.session() + ": target " + c.target()
                        + " outside [0, " + numItems + ")");
            }
        }
    }

    /** The cases of the sessions of {@code heldOut} (the test or validation part of a session split). */
    public static NextItemProtocol of(Interactions heldOut, int... ks) {
        return new NextItemProtocol(Sessions.nextItemCases(heldOut), heldOut.numItems(), ks);
    }

    /**
     * The cases of a split's test part, each held-out item predicted from everything before it: the
     * user's known items (training and validation, by time) followed by the user's earlier test items.
     * For a session split the test sessions are new, so a case's prefix is the session so far; for a
     * leave-one-out split each user gives one case, the whole known history predicting the test item.
     */
    public static NextItemProtocol test(io.panrec.models.data.Split split, int... ks) {
        int[][] known = Sessions.sequences(split.known());
        int[][] held = Sessions.sequences(split.test());
        java.util.List<Sessions.Case> cases = new java.util.ArrayList<>();
        for (int u = 0; u < held.length; u++) {
            int[] history = known[u];
            for (int item : held[u]) {
                if (history.length > 0) {
                    cases.add(new Sessions.Case(u, history, item));
                }
                history = java.util.Arrays.copyOf(history, history.length + 1);
                history[history.length - 1] = item;
            }
        }
        return new NextItemProtocol(cases, split.test().numItems(), ks);
    }

    /** The number of (prefix, target) cases. */
    public int cases() {
        return cases.size();
    }

    /**
     * Scores all items after every prefix and averages the metrics over the cases.
     *
     * @throws IllegalArgumentException if there is no case, or the scorer returns a NaN or rows of the
     *                                  wrong length
     */
    public EvaluationResult evaluate(SequenceScorer scorer) {
        long start = System.nanoTime();
        int n = cases.size();
        if (n == 0) {
            throw new IllegalArgumentException("next-item evaluation: no held-out session has two items");
        }
        double[][] sums = new double[3][ks.length];
        for (int from = 0; from < n; from += SampledRankingProtocol.CHUNK) {
            int to = Math.min(n, from + SampledRankingProtocol.CHUNK);
            int[][] prefixes = new int[to - from][];
            for (int c = from; c < to; c++) {
                prefixes[c - from] = cases.get(c).prefix();
            }
            float[][] scores = scorer.scoreAll(prefixes, numItems);
            if (scores.length != prefixes.length) {
                throw new IllegalArgumentException("scorer returned " + scores.length + " rows for " + prefixes.length + " sequences");
            }
            for (int c = from; c < to; c++) {
                float[] s = scores[c - from];
                if (s.length != numItems) {
                    throw new IllegalArgumentException("scorer returned " + s.length + " scores for a sequence, expected one per item ("
                            + numItems + ")");
                }
                int rank = Ranking.pessimisticRank(s, cases.get(c).target());
                for (int k = 0; k < ks.length; k++) {
                    sums[0][k] += Metrics.hitAtRank(rank, ks[k]);
                    sums[1][k] += Metrics.mrrAtRank(rank, ks[k]);
                    sums[2][k] += Metrics.ndcgAtRank(rank, ks[k]);
                }
            }
        }
        String[] names = {"Recall", "MRR", "NDCG"};
        Map<String, Double> m = new LinkedHashMap<>();
        for (int metric = 0; metric < names.length; metric++) {
            for (int k = 0; k < ks.length; k++) {
                m.put(names[metric] + "@" + ks[k], sums[metric][k] / n);
            }
        }
        return new EvaluationResult("next-item", m, n, (System.nanoTime() - start) / 1e9);
    }

    @Override
    public String toString() {
        return "NextItemProtocol[" + cases.size() + " cases, " + numItems + " items, K " + Arrays.toString(ks) + "]";
    }
}
