package io.panrec.models.eval;

import java.util.Arrays;

/**
 * Evaluation metrics as pure functions over arrays, accumulated in double precision. Ranking metrics
 * take the relevance of a ranked list ({@code ranked[0]} is the first recommendation) as RecBole does,
 * so they do not care how the list was made; {@link Ranking} makes such lists with a documented rule
 * for ties. Each function computes one user's (or one case's) value; protocols average them over users.
 *
 * <p>Notation: {@code rel_i} is 1 if the item at rank {@code i} (1-based) is relevant, else 0;
 * {@code R} is the number of relevant items of the user; {@code K} the cut-off. A list shorter than
 * {@code K} counts as padded with non-relevant items, so K larger than the list is allowed.
 */
public final class Metrics {
    /** Default clipping of probabilities in {@link #logLoss(float[], float[])}, as for float32 outputs. */
    public static final double LOG_LOSS_EPS = 1e-7;

    private Metrics() {
    }

    // ------------------------------------------------------------------ rating prediction

    /** Root mean squared error: {@code sqrt( (1/n) * sum_j (p_j - y_j)^2 )}. */
    public static double rmse(float[] predicted, float[] actual) {
        checkPair("RMSE", predicted.length, actual.length);
        double s = 0;
        for (int j = 0; j < predicted.length; j++) {
            double d = (double) predicted[j] - actual[j];
            s += d * d;
        }
        return Math.sqrt(s / predicted.length);
    }

    /** Mean absolute error: {@code (1/n) * sum_j |p_j - y_j|}. */
    public static double mae(float[] predicted, float[] actual) {
        checkPair("MAE", predicted.length, actual.length);
        double s = 0;
        for (int j = 0; j < predicted.length; j++) {
            s += Math.abs((double) predicted[j] - actual[j]);
        }
        return s / predicted.length;
    }

    // ------------------------------------------------------------------ classification

    /**
     * Area under the ROC curve: the probability that a random positive scores above a random negative,
     * ties counted half. Computed as the Mann-Whitney statistic from average ranks:
     * {@code AUC = (sum of positive ranks - P(P+1)/2) / (P * N)} with ranks 1..n ascending by score and
     * tied scores sharing their average rank, for {@code P} positives and {@code N} negatives.
     *
     * @param labels 1 for positive, 0 for negative (anything else is rejected)
     * @throws IllegalArgumentException without at least one positive and one negative, or on NaN scores
     */
    public static double auc(float[] scores, float[] labels) {
        checkPair("AUC", scores.length, labels.length);
        int n = scores.length;
        long positives = 0;
        for (int j = 0; j < n; j++) {
            checkLabel("AUC", labels[j], j);
            if (Float.isNaN(scores[j])) {
                throw new IllegalArgumentException("AUC: score " + j + " is NaN");
            }
            if (labels[j] == 1f) {
                positives++;
            }
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            throw new IllegalArgumentException("AUC needs at least one positive and one negative label, got " + positives
                    + " positives and " + negatives + " negatives");
        }
        Integer[] order = new Integer[n];
        for (int j = 0; j < n; j++) {
            order[j] = j;
        }
        Arrays.sort(order, (a, b) -> Float.compare(scores[a], scores[b]));
        double positiveRankSum = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) {
                j++;
            }
            double averageRank = (i + 1 + j + 1) / 2.0; // ranks i+1 .. j+1 share their mean
            for (int k = i; k <= j; k++) {
                if (labels[order[k]] == 1f) {
                    positiveRankSum += averageRank;
                }
            }
            i = j + 1;
        }
        return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
    }

    /** {@link #logLoss(float[], float[], double)} with {@link #LOG_LOSS_EPS}. */
    public static double logLoss(float[] probabilities, float[] labels) {
        return logLoss(probabilities, labels, LOG_LOSS_EPS);
    }

    /**
     * Binary cross-entropy of probabilities:
     * {@code -(1/n) * sum_j [ y_j log(q_j) + (1 - y_j) log(1 - q_j) ]} with {@code q_j = clip(p_j, eps, 1-eps)},
     * so that one confident mistake costs {@code -log(eps)} instead of infinity.
     *
     * @param probabilities predicted probabilities of the positive class, in [0, 1]
     * @param labels        1 or 0
     * @param eps           in (0, 0.5)
     */
    public static double logLoss(float[] probabilities, float[] labels, double eps) {
        checkPair("LogLoss", probabilities.length, labels.length);
        if (!(eps > 0 && eps < 0.5)) {
            throw new IllegalArgumentException("LogLoss: eps " + eps + " must be in (0, 0.5)");
        }
        double s = 0;
        for (int j = 0; j < probabilities.length; j++) {
            checkLabel("LogLoss", labels[j], j);
            double p = probabilities[j];
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException("LogLoss: probability " + j + " is " + p + ", outside [0, 1] (apply a sigmoid to logits)");
            }
            double q = Math.min(Math.max(p, eps), 1 - eps);
            s += labels[j] == 1f ? -Math.log(q) : -Math.log(1 - q);
        }
        return s / probabilities.length;
    }

    // ------------------------------------------------------------------ ranking, one ranked list

    /** Hit ratio: {@code HR@K = 1} if any of the first K items is relevant, else 0. */
    public static double hit(boolean[] ranked, int k) {
        checkK(k);
        int end = Math.min(k, ranked.length);
        for (int i = 0; i < end; i++) {
            if (ranked[i]) {
                return 1;
            }
        }
        return 0;
    }

    /**
     * Normalised discounted cumulative gain with binary relevance:
     * {@code DCG@K = sum_{i=1..K} rel_i / log2(i + 1)}, {@code IDCG@K = sum_{i=1..min(R, K)} 1 / log2(i + 1)},
     * {@code NDCG@K = DCG@K / IDCG@K}.
     *
     * @param numRelevant R, at least 1 and at least the number of relevant entries in {@code ranked}
     */
    public static double ndcg(boolean[] ranked, int numRelevant, int k) {
        checkK(k);
        checkRelevant(ranked, numRelevant);
        int end = Math.min(k, ranked.length);
        double dcg = 0;
        for (int i = 0; i < end; i++) {
            if (ranked[i]) {
                dcg += 1 / log2(i + 2);
            }
        }
        double idcg = 0;
        for (int i = 0; i < Math.min(numRelevant, k); i++) {
            idcg += 1 / log2(i + 2);
        }
        return dcg / idcg;
    }

    /** Reciprocal rank: {@code MRR@K = 1 / i} for the first relevant rank {@code i <= K}, else 0. */
    public static double mrr(boolean[] ranked, int k) {
        checkK(k);
        int end = Math.min(k, ranked.length);
        for (int i = 0; i < end; i++) {
            if (ranked[i]) {
                return 1.0 / (i + 1);
            }
        }
        return 0;
    }

    /** {@code Recall@K = (sum_{i<=K} rel_i) / R} (RecBole's definition: R, not min(R, K)). */
    public static double recall(boolean[] ranked, int numRelevant, int k) {
        checkK(k);
        checkRelevant(ranked, numRelevant);
        return (double) hits(ranked, k) / numRelevant;
    }

    /** {@code Precision@K = (sum_{i<=K} rel_i) / K}, also when fewer than K items were ranked. */
    public static double precision(boolean[] ranked, int k) {
        checkK(k);
        return (double) hits(ranked, k) / k;
    }

    /**
     * Item coverage: the share of the catalogue that appears in at least one top-K list,
     * {@code |union_u topK(u)| / numItems}.
     *
     * @param topLists each user's recommendations, best first; only the first K of each count
     */
    public static double itemCoverage(int[][] topLists, int k, int numItems) {
        checkK(k);
        if (numItems < 1) {
            throw new IllegalArgumentException("coverage: numItems " + numItems + " < 1");
        }
        boolean[] seen = new boolean[numItems];
        int distinct = 0;
        for (int[] list : topLists) {
            for (int i = 0; i < Math.min(k, list.length); i++) {
                int item = list[i];
                if (item < 0 || item >= numItems) {
                    throw new IllegalArgumentException("coverage: item " + item + " outside [0, " + numItems + ")");
                }
                if (!seen[item]) {
                    seen[item] = true;
                    distinct++;
                }
            }
        }
        return (double) distinct / numItems;
    }

    // ------------------------------------------------------------------ ranking, one held-out item

    /** HR@K of one relevant item at 1-based {@code rank}: 1 if {@code rank <= K}. */
    public static double hitAtRank(int rank, int k) {
        checkRank(rank);
        checkK(k);
        return rank <= k ? 1 : 0;
    }

    /** NDCG@K of one relevant item at 1-based {@code rank}: {@code 1 / log2(rank + 1)} if {@code rank <= K}, else 0. */
    public static double ndcgAtRank(int rank, int k) {
        checkRank(rank);
        checkK(k);
        return rank <= k ? 1 / log2(rank + 1) : 0;
    }

    /** MRR@K of one relevant item at 1-based {@code rank}: {@code 1 / rank} if {@code rank <= K}, else 0. */
    public static double mrrAtRank(int rank, int k) {
        checkRank(rank);
        checkK(k);
        return rank <= k ? 1.0 / rank : 0;
    }

    // ------------------------------------------------------------------ helpers

    private static int hits(boolean[] ranked, int k) {
        int end = Math.min(k, ranked.length);
        int h = 0;
        for (int i = 0; i < end; i++) {
            if (ranked[i]) {
                h++;
            }
        }
        return h;
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    private static void checkK(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("cut-off K must be at least 1, got " + k);
        }
    }

    private static void checkRank(int rank) {
        if (rank < 1) {
            throw new IllegalArgumentException("rank must be at least 1 (1 = first), got " + rank);
        }
    }

    private static void checkRelevant(boolean[] ranked, int numRelevant) {
        if (numRelevant < 1) {
            throw new IllegalArgumentException("a user without relevant items has no recall or NDCG (numRelevant " + numRelevant
                    + "); leave such users out of the evaluation");
        }
        int inList = 0;
        for (boolean r : ranked) {
            if (r) {
                inList++;
            }
        }
        if (inList > numRelevant) {
            throw new IllegalArgumentException("the ranked list holds " + inList + " relevant items but numRelevant is " + numRelevant);
        }
    }

    private static void checkPair(String metric, int a, int b) {
        if (a != b) {
            throw new IllegalArgumentException(metric + ": " + a + " predictions for " + b + " targets");
        }
        if (a == 0) {
            throw new IllegalArgumentException(metric + " of nothing: no predictions");
        }
    }

    private static void checkLabel(String metric, float label, int j) {
        if (label != 0f && label != 1f) {
            throw new IllegalArgumentException(metric + ": label " + j + " is " + label + "; labels must be 0 or 1");
        }
    }
}
