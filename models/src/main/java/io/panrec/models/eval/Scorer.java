package io.panrec.models.eval;

/**
 * What the protocols evaluate: scores of items for a user, higher meaning more relevant (for rating
 * prediction, the predicted rating). Protocols call the batched methods with a few hundred users at a
 * time; a model adapter ({@link RecommenderScorer}) overrides them to make one model call per chunk,
 * while a test or a baseline can implement {@link #score(int, int[])} alone.
 *
 * <p>Implementations must be deterministic for the protocols' results to be.
 */
@FunctionalInterface
public interface Scorer {
    /** Scores of {@code items} for {@code user}: an array of {@code items.length}. */
    float[] score(int user, int[] items);

    /** Scores of {@code items[u]} for {@code users[u]}; row {@code u} has {@code items[u].length} entries. */
    default float[][] score(int[] users, int[][] items) {
        if (users.length != items.length) {
            throw new IllegalArgumentException(users.length + " users but " + items.length + " item lists");
        }
        float[][] out = new float[users.length][];
        for (int u = 0; u < users.length; u++) {
            out[u] = score(users[u], items[u]);
        }
        return out;
    }

    /** Scores of every item {@code 0 .. numItems-1} for each user: {@code [users.length][numItems]}. */
    default float[][] scoreAll(int[] users, int numItems) {
        int[] all = new int[numItems];
        for (int i = 0; i < numItems; i++) {
            all[i] = i;
        }
        float[][] out = new float[users.length][];
        for (int u = 0; u < users.length; u++) {
            out[u] = score(users[u], all);
        }
        return out;
    }
}
