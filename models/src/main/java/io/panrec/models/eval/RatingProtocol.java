package io.panrec.models.eval;

import io.panrec.models.data.Interactions;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Rating prediction: the scorer's score of each held-out (user, item) pair is its predicted rating, and
 * RMSE and MAE are computed over all pairs (not averaged per user), as in the MovieLens 100K five-fold
 * results of Surprise and LibRec.
 *
 * <p>Optionally predictions are clipped to the rating scale first ({@link #clipped}), as Surprise does
 * by default: a prediction of 5.3 on a 1-5 scale is certainly wrong by at least 0.3, and clipping is
 * part of any real rating system.
 */
public final class RatingProtocol {
    private final Interactions heldOut;
    private final float clipMin;
    private final float clipMax;

    /**
     * @param heldOut the test (or validation) pairs, with ratings
     * @throws IllegalArgumentException if they have no ratings or are empty
     */
    public RatingProtocol(Interactions heldOut) {
        this(heldOut, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
    }

    private RatingProtocol(Interactions heldOut, float clipMin, float clipMax) {
        if (!heldOut.hasRatings()) {
            throw new IllegalArgumentException("rating protocol: the held-out data has no ratings (implicit feedback); use a ranking protocol");
        }
        if (heldOut.isEmpty()) {
            throw new IllegalArgumentException("rating protocol: no held-out pairs");
        }
        if (!(clipMin <= clipMax)) {
            throw new IllegalArgumentException("rating protocol: clip range [" + clipMin + ", " + clipMax + "] is empty");
        }
        this.heldOut = heldOut;
        this.clipMin = clipMin;
        this.clipMax = clipMax;
    }

    /** This protocol with predictions clipped to {@code [min, max]} before the errors are taken. */
    public RatingProtocol clipped(float min, float max) {
        return new RatingProtocol(heldOut, min, max);
    }

    public int cases() {
        return heldOut.size();
    }

    /** Predicts every held-out pair (grouped by user, a chunk of users per scorer call) and measures RMSE and MAE. */
    public EvaluationResult evaluate(Scorer scorer) {
        long start = System.nanoTime();
        int n = heldOut.size();
        // group rows by user so that a model adapter scores each user's items in one batch row
        int nu = heldOut.numUsers();
        int[] startOf = new int[nu + 1];
        for (int r = 0; r < n; r++) {
            startOf[heldOut.user(r) + 1]++;
        }
        for (int u = 0; u < nu; u++) {
            startOf[u + 1] += startOf[u];
        }
        int[] rows = new int[n];
        int[] fill = Arrays.copyOf(startOf, nu);
        for (int r = 0; r < n; r++) {
            rows[fill[heldOut.user(r)]++] = r;
        }
        int[] usersWithRows = new int[nu];
        int nUsers = 0;
        for (int u = 0; u < nu; u++) {
            if (startOf[u + 1] > startOf[u]) {
                usersWithRows[nUsers++] = u;
            }
        }
        float[] predicted = new float[n];
        float[] actual = new float[n];
        int w = 0;
        for (int from = 0; from < nUsers; from += SampledRankingProtocol.CHUNK) {
            int to = Math.min(nUsers, from + SampledRankingProtocol.CHUNK);
            int[] us = Arrays.copyOfRange(usersWithRows, from, to);
            int[][] items = new int[us.length][];
            for (int c = 0; c < us.length; c++) {
                int u = us[c];
                items[c] = new int[startOf[u + 1] - startOf[u]];
                for (int k = 0; k < items[c].length; k++) {
                    items[c][k] = heldOut.item(rows[startOf[u] + k]);
                }
            }
            float[][] scores = scorer.score(us, items);
            if (scores.length != us.length) {
                throw new IllegalArgumentException("scorer returned " + scores.length + " rows for " + us.length + " users");
            }
            for (int c = 0; c < us.length; c++) {
                int u = us[c];
                if (scores[c].length != items[c].length) {
                    throw new IllegalArgumentException("scorer returned " + scores[c].length + " predictions for " + items[c].length
                            + " items of user " + u);
                }
                for (int k = 0; k < items[c].length; k++) {
                    float p = scores[c][k];
                    if (Float.isNaN(p)) {
                        throw new IllegalArgumentException("predicted rating of user " + u + ", item " + items[c][k]
                                + " is NaN: the model diverged (lower the learning rate)");
                    }
                    predicted[w] = Math.min(Math.max(p, clipMin), clipMax);
                    actual[w] = heldOut.rating(rows[startOf[u] + k]);
                    w++;
                }
            }
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("RMSE", Metrics.rmse(predicted, actual));
        m.put("MAE", Metrics.mae(predicted, actual));
        return new EvaluationResult("rating", m, n, (System.nanoTime() - start) / 1e9);
    }
}
