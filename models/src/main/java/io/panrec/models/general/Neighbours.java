package io.panrec.models.general;

import java.util.stream.IntStream;

/**
 * The {@code k} most similar rows of each row of a binary matrix under cosine similarity with
 * shrinkage: {@code sim(r, s) = |r & s| / (sqrt(|r| |s|) + shrink)}, where {@code |r & s|} counts the
 * columns both rows have. Shrinkage (Koren 2008, "Factorization meets the neighborhood", section 2.1)
 * pulls similarities resting on few common columns towards 0.
 *
 * <p>Computed row by row, accumulating the co-occurrences of row {@code r} through the transpose, so
 * the cost is the sum over columns of their squared counts and the memory one dense counter of the
 * number of rows per thread: no {@code rows x rows} matrix. Rows run in parallel; each row's result
 * depends on nothing else, so the output is the same on any number of threads. Ties are broken by the
 * smaller index.
 */
final class Neighbours {
    final int rows;
    final int k;
    /** [rows * k]: the neighbours of row r are ids[r*k .. r*k+k), best first, -1 after the last. */
    final int[] ids;
    /** [rows * k]: their similarities (0 after the last). */
    final float[] sims;

    Neighbours(int rows, int k, int[] ids, float[] sims) {
        this.rows = rows;
        this.k = k;
        this.ids = ids;
        this.sims = sims;
    }

    /**
     * @param byRow  the matrix (e.g. items by users for item neighbours)
     * @param byCol  its transpose
     */
    static Neighbours cosine(Csr byRow, Csr byCol, int k, double shrink) {
        int n = byRow.rows;
        int[] ids = new int[Math.multiplyExact(n, k)];
        float[] sims = new float[ids.length];
        java.util.Arrays.fill(ids, -1);
        ThreadLocal<int[]> counters = ThreadLocal.withInitial(() -> new int[n]);
        ThreadLocal<int[]> touchedLists = ThreadLocal.withInitial(() -> new int[n]);
        IntStream.range(0, n).parallel().forEach(r -> {
            int[] co = counters.get();
            int[] touched = touchedLists.get();
            int t = 0;
            for (int a = byRow.offsets[r]; a < byRow.offsets[r + 1]; a++) {
                int c = byRow.cols[a];
                for (int b = byCol.offsets[c]; b < byCol.offsets[c + 1]; b++) {
                    int s = byCol.cols[b];
                    if (s != r) {
                        if (co[s] == 0) {
                            touched[t++] = s;
                        }
                        co[s]++;
                    }
                }
            }
            Heap heap = new Heap(k);
            double nr = byRow.count(r);
            for (int x = 0; x < t; x++) {
                int s = touched[x];
                double sim = co[s] / (Math.sqrt(nr * byRow.count(s)) + shrink);
                heap.offer((float) sim, s);
                co[s] = 0;
            }
            heap.drainBestFirst(ids, sims, r * k);
        });
        return new Neighbours(n, k, ids, sims);
    }

    /** The k best (similarity, id) pairs seen: a min-heap on "worse" (lower similarity, then larger id). */
    private static final class Heap {
        private final float[] sim;
        private final int[] id;
        private int size;

        Heap(int k) {
            sim = new float[k];
            id = new int[k];
        }

        private boolean worse(float sa, int ia, float sb, int ib) {
            return sa < sb || (sa == sb && ia > ib);
        }

        void offer(float s, int i) {
            if (sim.length == 0) {
                return;
            }
            if (size < sim.length) {
                int c = size++;
                sim[c] = s;
                id[c] = i;
                while (c > 0) {
                    int p = (c - 1) / 2;
                    if (!worse(sim[c], id[c], sim[p], id[p])) {
                        break;
                    }
                    swap(c, p);
                    c = p;
                }
                return;
            }
            if (!worse(sim[0], id[0], s, i)) {
                return; // not better than the worst kept
            }
            sim[0] = s;
            id[0] = i;
            int c = 0;
            while (true) {
                int l = 2 * c + 1;
                int r = l + 1;
                int w = c;
                if (l < size && worse(sim[l], id[l], sim[w], id[w])) {
                    w = l;
                }
                if (r < size && worse(sim[r], id[r], sim[w], id[w])) {
                    w = r;
                }
                if (w == c) {
                    break;
                }
                swap(c, w);
                c = w;
            }
        }

        private void swap(int a, int b) {
            float s = sim[a];
            sim[a] = sim[b];
            sim[b] = s;
            int i = id[a];
            id[a] = id[b];
            id[b] = i;
        }

        /** Writes the kept pairs best first at {@code at}; the heap is left empty. */
        void drainBestFirst(int[] ids, float[] sims, int at) {
            int n = size;
            // popping the worst each time fills the output from its end
            for (int pos = n - 1; pos >= 0; pos--) {
                ids[at + pos] = id[0];
                sims[at + pos] = sim[0];
                size--;
                if (size > 0) {
                    sim[0] = sim[size];
                    id[0] = id[size];
                    int c = 0;
                    while (true) {
                        int l = 2 * c + 1;
                        int r = l + 1;
                        int w = c;
                        if (l < size && worse(sim[l], id[l], sim[w], id[w])) {
                            w = l;
                        }
                        if (r < size && worse(sim[r], id[r], sim[w], id[w])) {
                            w = r;
                        }
                        if (w == c) {
                            break;
                        }
                        swap(c, w);
                        c = w;
                    }
                }
            }
        }
    }
}
