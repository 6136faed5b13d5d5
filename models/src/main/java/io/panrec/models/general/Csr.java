package io.panrec.models.general;

import io.panrec.models.data.Interactions;
import io.panrec.tensor.DType;
import io.panrec.tensor.Tensor;

import java.util.Arrays;
import java.util.Map;

/**
 * A sparse matrix in compressed rows: row {@code r}'s columns are {@code cols[offsets[r] .. offsets[r+1])},
 * sorted and distinct, with {@code values} beside them. Users by items (a user's items) or items by users
 * (an item's users), built from interactions; the neighbourhood models and AutoRec keep one in their
 * state, because they score from the training data.
 */
final class Csr {
    final int rows;
    final int numCols;
    final int[] offsets;
    final int[] cols;
    final float[] values;

    Csr(int rows, int numCols, int[] offsets, int[] cols, float[] values) {
        this.rows = rows;
        this.numCols = numCols;
        this.offsets = offsets;
        this.cols = cols;
        this.values = values;
    }

    /**
     * Users by items ({@code byUser}) or items by users, from {@code data}. A repeated pair keeps the
     * value of its last row (the latest rating in file order).
     */
    static Csr of(Interactions data, boolean byUser) {
        int rows = byUser ? data.numUsers() : data.numItems();
        int numCols = byUser ? data.numItems() : data.numUsers();
        int n = data.size();
        int[] counts = new int[rows + 1];
        for (int r = 0; r < n; r++) {
            counts[(byUser ? data.user(r) : data.item(r)) + 1]++;
        }
        for (int i = 0; i < rows; i++) {
            counts[i + 1] += counts[i];
        }
        int[] fill = Arrays.copyOf(counts, rows);
        long[] packed = new long[n]; // column in the high bits, row order in the low: sorts by column, then file order
        for (int r = 0; r < n; r++) {
            int row = byUser ? data.user(r) : data.item(r);
            int col = byUser ? data.item(r) : data.user(r);
            packed[fill[row]++] = ((long) col << 32) | r;
        }
        int[] offsets = new int[rows + 1];
        int[] cols = new int[n];
        float[] values = new float[n];
        int w = 0;
        for (int row = 0; row < rows; row++) {
            Arrays.sort(packed, counts[row], counts[row + 1]);
            offsets[row] = w;
            for (int k = counts[row]; k < counts[row + 1]; k++) {
                int col = (int) (packed[k] >>> 32);
                int src = (int) packed[k];
                if (w > offsets[row] && cols[w - 1] == col) {
                    values[w - 1] = data.rating(src); // a later row of the same pair wins
                } else {
                    cols[w] = col;
                    values[w] = data.rating(src);
                    w++;
                }
            }
        }
        offsets[rows] = w;
        return new Csr(rows, numCols, offsets, Arrays.copyOf(cols, w), Arrays.copyOf(values, w));
    }

    int count(int row) {
        return offsets[row + 1] - offsets[row];
    }

    int nnz() {
        return offsets[rows];
    }

    /** Whether row {@code row} has column {@code col}. */
    boolean contains(int row, int col) {
        return Arrays.binarySearch(cols, offsets[row], offsets[row + 1], col) >= 0;
    }

    /** The transpose (columns become rows), values kept. */
    Csr transpose() {
        int[] counts = new int[numCols + 1];
        for (int k = 0; k < nnz(); k++) {
            counts[cols[k] + 1]++;
        }
        for (int c = 0; c < numCols; c++) {
            counts[c + 1] += counts[c];
        }
        int[] fill = Arrays.copyOf(counts, numCols);
        int[] tc = new int[nnz()];
        float[] tv = new float[nnz()];
        for (int r = 0; r < rows; r++) {
            for (int k = offsets[r]; k < offsets[r + 1]; k++) {
                int at = fill[cols[k]]++;
                tc[at] = r; // rows visited in order: each new row's columns come out sorted
                tv[at] = values[k];
            }
        }
        return new Csr(numCols, rows, counts, tc, tv);
    }

    /** The state entries {@code prefix.offsets} [rows+1] I32, {@code prefix.columns} [nnz] I32 and, if wanted, {@code prefix.values} [nnz] F32. */
    void putState(Map<String, Tensor> state, String prefix, boolean withValues) {
        state.put(prefix + ".offsets", Tensor.ofInts(offsets.clone(), rows + 1));
        state.put(prefix + ".columns", Tensor.ofInts(cols.clone(), cols.length));
        if (withValues) {
            state.put(prefix + ".values", Tensor.of(values.clone(), values.length));
        }
    }

    /** Reads what {@link #putState} wrote, checking that it is a valid {@code rows x numCols} matrix. */
    static Csr fromState(String model, Map<String, Tensor> state, String prefix, int rows, int numCols, boolean withValues) {
        int[] offsets = Models.expect(model, state, prefix + ".offsets", DType.I32, rows + 1).toIntArray();
        int[] cols = Models.expect(model, state, prefix + ".columns", DType.I32, -1).toIntArray();
        float[] values = withValues ? Models.expect(model, state, prefix + ".values", DType.F32, cols.length).toFloatArray()
                : filled(cols.length);
        if (offsets[0] != 0 || offsets[rows] != cols.length) {
            throw new IllegalArgumentException(model + ".loadState: '" + prefix + ".offsets' must run from 0 to the " + cols.length
                    + " columns, got " + offsets[0] + " .. " + offsets[rows]);
        }
        for (int r = 0; r < rows; r++) {
            if (offsets[r + 1] < offsets[r]) {
                throw new IllegalArgumentException(model + ".loadState: '" + prefix + ".offsets' decreases at row " + r);
            }
            for (int k = offsets[r]; k < offsets[r + 1]; k++) {
                if (cols[k] < 0 || cols[k] >= numCols || (k > offsets[r] && cols[k] <= cols[k - 1])) {
                    throw new IllegalArgumentException(model + ".loadState: '" + prefix + ".columns' of row " + r
                            + " are not sorted distinct indices in [0, " + numCols + ")");
                }
            }
        }
        for (float v : values) {
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException(model + ".loadState: '" + prefix + ".values' holds " + v);
            }
        }
        return new Csr(rows, numCols, offsets, cols, values);
    }

    /** An empty {@code rows x numCols} matrix. */
    static Csr empty(int rows, int numCols) {
        return new Csr(rows, numCols, new int[rows + 1], new int[0], new float[0]);
    }

    private static float[] filled(int n) {
        float[] a = new float[n];
        Arrays.fill(a, 1f);
        return a;
    }
}
