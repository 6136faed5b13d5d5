package io.panrec.models.sequential;

import io.panrec.autograd.Autograd;
import io.panrec.models.eval.Scorer;
import io.panrec.models.eval.SequenceScorer;
import io.panrec.models.spi.Batch;
import io.panrec.models.spi.Recommender;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Adapters from models to the evaluation protocols of sequences: a {@link SequentialRecommender} to a
 * {@link SequenceScorer} (next-item evaluation of sessions) or, with each user's known history, to a
 * {@link Scorer} (leave-one-out ranking of users, as the SASRec paper); and the session baselines of the
 * GRU4Rec paper built from the general models Pop and ItemKNN.
 */
public final class SequenceScorers {
    private SequenceScorers() {
    }

    /** The model's scores after each prefix (its last {@code maxLength} items), one model call per chunk. */
    public static SequenceScorer of(SequentialRecommender model) {
        return (prefixes, numItems) -> {
            checkItems(model, numItems);
            try (var _ = Scope.open("sequence-scores"); var _ = Autograd.noGrad()) {
                float[] flat = model.fullSortPredict(batchOf(prefixes, model.maxLength())).contiguous().toFloatArray();
                float[][] out = new float[prefixes.length][];
                for (int r = 0; r < prefixes.length; r++) {
                    out[r] = Arrays.copyOfRange(flat, r * numItems, (r + 1) * numItems);
                }
                return out;
            }
        };
    }

    /**
     * A {@link Scorer} of users by their histories: user {@code u} is scored as the sequence
     * {@code histories[u]} (oldest first, e.g. {@code Sessions.sequences(split.known())}), so that the
     * standard full and sampled ranking protocols measure the model with everything known before the
     * held-out item, as the SASRec paper's leave-one-out evaluation does.
     */
    public static Scorer histories(SequentialRecommender model, int[][] histories) {
        return new Scorer() {
            @Override
            public float[] score(int user, int[] items) {
                return score(new int[] {user}, new int[][] {items})[0];
            }

            @Override
            public float[][] score(int[] users, int[][] items) {
                float[][] all = scoreAll(users, model.schema().numItems());
                float[][] out = new float[users.length][];
                for (int u = 0; u < users.length; u++) {
                    out[u] = new float[items[u].length];
                    for (int j = 0; j < items[u].length; j++) {
                        out[u][j] = all[u][items[u][j]];
                    }
                }
                return out;
            }

            @Override
            public float[][] scoreAll(int[] users, int numItems) {
                int[][] prefixes = new int[users.length][];
                for (int u = 0; u < users.length; u++) {
                    if (users[u] < 0 || users[u] >= histories.length || histories[users[u]].length == 0) {
                        throw new IllegalArgumentException("user " + users[u] + " has no known history to score from");
                    }
                    prefixes[u] = histories[users[u]];
                }
                return of(model).scoreAll(prefixes, numItems);
            }
        };
    }

    /**
     * Pop as a session baseline: the same scores (the model's, for user 0) after every prefix. Pop's scores
     * do not depend on the user.
     */
    public static SequenceScorer popularity(Recommender pop) {
        float[] row;
        try (var _ = Scope.open("pop-scores"); var _ = Autograd.noGrad()) {
            row = pop.fullSortPredict(new int[] {0}).contiguous().toFloatArray();
        }
        return (prefixes, numItems) -> {
            if (numItems != row.length) {
                throw new IllegalArgumentException("Pop was built for " + row.length + " items, the evaluation has " + numItems);
            }
            float[][] out = new float[prefixes.length][];
            Arrays.fill(out, row);
            return out;
        };
    }

    /**
     * Item-KNN as the session baseline of the GRU4Rec paper: the items similar to the session's
     * <em>last</em> item, by the similarities of a fitted {@code ItemKNN} (trained with sessions as users,
     * so two items are similar when they co-occur in sessions; cosine with shrinkage). The score of item
     * {@code i} is {@code sim(i, last)} when {@code last} is among i's kept neighbours, else 0.
     */
    public static SequenceScorer lastItemNeighbours(Recommender itemKnn) {
        Map<String, Tensor> state = itemKnn.stateDict();
        Tensor ids = state.get("neighbours");
        Tensor sims = state.get("similarities");
        if (ids == null || sims == null || ids.rank() != 2) {
            throw new IllegalArgumentException(itemKnn.settings().owner() + " has no item neighbour table; fit an ItemKNN");
        }
        int n = ids.shape(0);
        int k = ids.shape(1);
        int[] nb = ids.contiguous().toIntArray();
        float[] sim = sims.contiguous().toFloatArray();
        // inverted: for each item j, the items i that keep j as a neighbour, with sim(i, j)
        List<List<float[]>> inverted = new ArrayList<>();
        for (int j = 0; j < n; j++) {
            inverted.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            for (int x = 0; x < k; x++) {
                int j = nb[i * k + x];
                if (j >= 0) {
                    inverted.get(j).add(new float[] {i, sim[i * k + x]});
                }
            }
        }
        return (prefixes, numItems) -> {
            if (numItems != n) {
                throw new IllegalArgumentException("ItemKNN was built for " + n + " items, the evaluation has " + numItems);
            }
            float[][] out = new float[prefixes.length][numItems];
            for (int r = 0; r < prefixes.length; r++) {
                int last = prefixes[r][prefixes[r].length - 1];
                for (float[] e : inverted.get(last)) {
                    out[r][(int) e[0]] = e[1];
                }
            }
            return out;
        };
    }

    /** {@code sequences [B, L]} and {@code lengths [B]} of the prefixes' last {@code maxLength} items. */
    public static Batch batchOf(int[][] prefixes, int maxLength) {
        int l = 1;
        for (int[] p : prefixes) {
            l = Math.max(l, Math.min(p.length, maxLength));
        }
        long[] seq = new long[prefixes.length * l];
        long[] lengths = new long[prefixes.length];
        for (int r = 0; r < prefixes.length; r++) {
            int[] p = prefixes[r];
            if (p.length == 0) {
                throw new IllegalArgumentException("sequence " + r + " is empty; a next-item prediction needs at least one item");
            }
            int keep = Math.min(p.length, maxLength);
            for (int j = 0; j < keep; j++) {
                seq[r * l + j] = p[p.length - keep + j];
            }
            lengths[r] = keep;
        }
        return new Batch().put(Batch.SEQUENCES, Tensor.ofLongs(seq, prefixes.length, l)).put(Batch.LENGTHS, Tensor.ofLongs(lengths));
    }

    private static void checkItems(Recommender model, int numItems) {
        if (model.schema().numItems() != numItems) {
            throw new IllegalArgumentException(model.settings().owner() + " was built for " + model.schema().numItems()
                    + " items, the evaluation has " + numItems);
        }
    }
}
