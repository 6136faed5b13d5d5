package io.panrec.models.eval;

import java.util.Arrays;

/**
 * Turns scores into ranks and top-K lists, deterministically.
 *
 * <p><b>Ties are broken pessimistically</b> for evaluation: among items of equal score, relevant items
 * are ranked after non-relevant ones. A held-out item's rank is therefore
 * {@code 1 + #{other candidates with score >= its score}}. Reasons: a model that gives every item the
 * same score (an untrained or collapsed one) must score 0, not a perfect HR@K; the result cannot depend
 * on the order candidates happen to be listed in; and it is what the NCF paper's evaluation code does in
 * effect (it appends the held-out item after its 99 negatives and {@code heapq.nlargest} keeps the
 * earlier of equal items). Optimistic or random tie-breaking would reward degenerate models.
 *
 * <p>For a list to show or to measure coverage with (no relevance known), equal scores are ordered by
 * item index, lowest first.
 *
 * <p>A NaN score throws {@link IllegalArgumentException} naming the item: it means the model diverged,
 * and ranking it anywhere would hide that. Infinite scores are ranked as numbers.
 */
public final class Ranking {
    private Ranking() {
    }

    /**
     * The 1-based pessimistic rank of {@code scores[target]} among all of {@code scores}:
     * {@code 1 + #{j != target : scores[j] >= scores[target]}}.
     */
    public static int pessimisticRank(float[] scores, int target) {
        if (target < 0 || target >= scores.length) {
            throw new IndexOutOfBoundsException("target " + target + " outside [0, " + scores.length + ")");
        }
        float s = checked(scores, target);
        int rank = 1;
        for (int j = 0; j < scores.length; j++) {
            if (j != target && checked(scores, j) >= s) {
                rank++;
            }
        }
        return rank;
    }

    /**
     * The {@code k} best items by score (descending), ties by lower index, skipping {@code excluded}
     * items ({@code excluded} may be null). Shorter than {@code k} when fewer items are eligible.
     */
    public static int[] topK(float[] scores, int k, boolean[] excluded) {
        return select(scores, k, excluded, null);
    }

    /**
     * The relevance of the first {@code k} ranks of the pessimistic order over the non-excluded items:
     * by score descending, among equal scores non-relevant items first, then by lower index. Entry
     * {@code i} is true if the item at rank {@code i + 1} is relevant.
     *
     * @param relevant per-item relevance ({@code [numItems]})
     * @param excluded per-item exclusion ({@code [numItems]}, may be null): e.g. training positives
     */
    public static boolean[] pessimisticTopK(float[] scores, int k, boolean[] relevant, boolean[] excluded) {
        if (relevant.length != scores.length) {
            throw new IllegalArgumentException("relevance of " + relevant.length + " items for " + scores.length + " scores");
        }
        int[] top = select(scores, k, excluded, relevant);
        boolean[] rel = new boolean[top.length];
        for (int i = 0; i < top.length; i++) {
            rel[i] = relevant[top[i]];
        }
        return rel;
    }

    /** Bounded heap selection: O(n log k), the heap's root being the worst item kept so far. */
    private static int[] select(float[] scores, int k, boolean[] excluded, boolean[] relevant) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, got " + k);
        }
        if (excluded != null && excluded.length != scores.length) {
            throw new IllegalArgumentException("exclusion mask of " + excluded.length + " items for " + scores.length + " scores");
        }
        int[] heap = new int[Math.min(k, scores.length)];
        int size = 0;
        for (int j = 0; j < scores.length; j++) {
            if (excluded != null && excluded[j]) {
                continue;
            }
            checked(scores, j);
            if (size < heap.length) {
                heap[size] = j;
                siftUp(heap, size, scores, relevant);
                size++;
            } else if (better(j, heap[0], scores, relevant)) {
                heap[0] = j;
                siftDown(heap, size, scores, relevant);
            }
        }
        int[] out = Arrays.copyOf(heap, size);
        // sort best first; boxed comparator is fine for k entries
        Integer[] boxed = new Integer[size];
        for (int i = 0; i < size; i++) {
            boxed[i] = out[i];
        }
        Arrays.sort(boxed, (a, b) -> better(a, b, scores, relevant) ? -1 : better(b, a, scores, relevant) ? 1 : 0);
        for (int i = 0; i < size; i++) {
            out[i] = boxed[i];
        }
        return out;
    }

    /** Whether item a ranks before item b. */
    private static boolean better(int a, int b, float[] scores, boolean[] relevant) {
        float sa = scores[a];
        float sb = scores[b];
        if (sa != sb) {
            return sa > sb;
        }
        if (relevant != null && relevant[a] != relevant[b]) {
            return !relevant[a]; // pessimistic: the non-relevant one first
        }
        return a < b;
    }

    // min-heap by rank order: the root is the item that ranks last
    private static void siftUp(int[] heap, int i, float[] scores, boolean[] relevant) {
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (better(heap[parent], heap[i], scores, relevant)) {
                swap(heap, parent, i);
                i = parent;
            } else {
                break;
            }
        }
    }

    private static void siftDown(int[] heap, int size, float[] scores, boolean[] relevant) {
        int i = 0;
        while (true) {
            int l = 2 * i + 1;
            int r = l + 1;
            int worst = i;
            if (l < size && better(heap[worst], heap[l], scores, relevant)) {
                worst = l;
            }
            if (r < size && better(heap[worst], heap[r], scores, relevant)) {
                worst = r;
            }
            if (worst == i) {
                return;
            }
            swap(heap, i, worst);
            i = worst;
        }
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }

    private static float checked(float[] scores, int j) {
        float s = scores[j];
        if (Float.isNaN(s)) {
            throw new IllegalArgumentException("score of item " + j + " is NaN: the model diverged (lower the learning rate) or "
                    + "produced an undefined value");
        }
        return s;
    }
}
