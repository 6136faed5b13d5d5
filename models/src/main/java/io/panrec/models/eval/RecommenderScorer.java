package io.panrec.models.eval;

import io.panrec.autograd.Autograd;
import io.panrec.models.spi.Batch;
import io.panrec.models.spi.Recommender;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;

import java.util.Objects;

/**
 * A {@link Scorer} over a {@link Recommender}: a chunk of users becomes one {@link Recommender#predict}
 * call (all their (user, item) pairs flattened into one batch) or one {@link Recommender#fullSortPredict}
 * call. Each call runs without autograd recording, in evaluation mode (the model's previous mode is
 * restored afterwards), inside a scope of its own that is closed once the scores are copied out, so
 * evaluation leaves no tensor behind.
 */
public final class RecommenderScorer implements Scorer {
    private final Recommender model;

    public RecommenderScorer(Recommender model) {
        this.model = Objects.requireNonNull(model, "model");
    }

    @Override
    public float[] score(int user, int[] items) {
        return score(new int[] {user}, new int[][] {items})[0];
    }

    @Override
    public float[][] score(int[] users, int[][] items) {
        if (users.length != items.length) {
            throw new IllegalArgumentException(users.length + " users but " + items.length + " item lists");
        }
        int total = 0;
        for (int[] list : items) {
            total = Math.addExact(total, list.length);
        }
        long[] u = new long[total];
        long[] it = new long[total];
        int w = 0;
        for (int c = 0; c < users.length; c++) {
            for (int item : items[c]) {
                u[w] = users[c];
                it[w] = item;
                w++;
            }
        }
        float[] flat;
        if (total == 0) {
            flat = new float[0];
        } else {
            boolean wasTraining = model.isTraining();
            model.setTraining(false);
            try (var _ = Autograd.noGrad(); var _ = Scope.open("evaluation")) {
                Batch batch = new Batch().put(Batch.USERS, Tensor.ofLongs(u)).put(Batch.ITEMS, Tensor.ofLongs(it));
                Tensor scores = model.predict(batch);
                if (scores.numel() != total) {
                    throw new IllegalStateException(model.settings().owner() + ".predict returned " + scores.describe() + " for a batch of "
                            + total + " pairs; expected [" + total + "]");
                }
                flat = scores.contiguous().toFloatArray();
            } finally {
                model.setTraining(wasTraining);
            }
        }
        float[][] out = new float[users.length][];
        int r = 0;
        for (int c = 0; c < users.length; c++) {
            out[c] = new float[items[c].length];
            System.arraycopy(flat, r, out[c], 0, out[c].length);
            r += out[c].length;
        }
        return out;
    }

    @Override
    public float[][] scoreAll(int[] users, int numItems) {
        if (numItems != model.schema().numItems()) {
            throw new IllegalArgumentException("the evaluation has " + numItems + " items but the model was built for "
                    + model.schema().numItems());
        }
        if (users.length == 0) {
            return new float[0][];
        }
        boolean wasTraining = model.isTraining();
        model.setTraining(false);
        try (var _ = Autograd.noGrad(); var _ = Scope.open("evaluation")) {
            Tensor scores = model.fullSortPredict(users);
            if (scores.rank() != 2 || scores.shape(0) != users.length || scores.shape(1) != numItems) {
                throw new IllegalStateException(model.settings().owner() + ".fullSortPredict returned " + scores.describe() + " for "
                        + users.length + " users; expected [" + users.length + ", " + numItems + "]");
            }
            float[] flat = scores.contiguous().toFloatArray();
            float[][] out = new float[users.length][numItems];
            for (int c = 0; c < users.length; c++) {
                System.arraycopy(flat, c * numItems, out[c], 0, numItems);
            }
            return out;
        } finally {
            model.setTraining(wasTraining);
        }
    }
}
