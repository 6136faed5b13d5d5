package io.panrec.autograd;

import io.panrec.backend.Backends;
import io.panrec.tensor.DType;
import io.panrec.tensor.Shape;
import io.panrec.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The gradient of a [V, D] table that only a few rows received, as PyTorch's sparse embedding gradients:
 * a list of (row indices, row values) chunks, one per lookup, kept as they came (no copy) until an
 * optimizer asks for them {@linkplain #coalesce() coalesced}. Optimizers then update only those rows.
 *
 * <p>The chunks are views of tensors from the backward pass, so the optimizer step must run before
 * the scope of that pass is closed (as in the usual loop: forward, backward, step, close).
 */
public final class RowSparseGrad {
    private final int rows;
    private final int cols;
    private final DType dtype;
    private final List<Tensor> indexChunks = new ArrayList<>();
    private final List<Tensor> valueChunks = new ArrayList<>();

    public RowSparseGrad(int rows, int cols, DType dtype) {
        this.rows = rows;
        this.cols = cols;
        this.dtype = dtype;
    }

    /** The unique touched rows in ascending order and their summed gradients [rows.length, D]. */
    public record Coalesced(long[] rows, Tensor values) {
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** Adds {@code values[n, :]} to row {@code indices[n]}; indices is [N] (I32 or I64), values [N, D]. */
    public void add(Tensor indices, Tensor values) {
        if (indices.rank() != 1 || values.rank() != 2 || values.shape(0) != indices.shape(0) || values.shape(1) != cols) {
            throw new IllegalArgumentException("RowSparseGrad.add: indices " + Shape.format(indices.shape()) + " and values "
                    + Shape.format(values.shape()) + " do not match a [" + rows + ", " + cols + "] table");
        }
        indexChunks.add(indices);
        valueChunks.add(values);
    }

    public boolean isEmpty() {
        return indexChunks.isEmpty();
    }

    public void clear() {
        indexChunks.clear();
        valueChunks.clear();
    }

    /** Merges the chunks: unique rows, values of repeated rows summed. Allocates in the current scope. */
    public Coalesced coalesce() {
        int total = 0;
        for (Tensor t : indexChunks) {
            total += t.shape(0);
        }
        long[] all = new long[total];
        int p = 0;
        for (Tensor t : indexChunks) {
            long[] part = t.toLongArray();
            System.arraycopy(part, 0, all, p, part.length);
            p += part.length;
        }
        // sort a copy and drop repeats in place (LongStream.distinct boxes every id)
        long[] unique = all.clone();
        Arrays.sort(unique);
        int u = 0;
        for (int i = 0; i < unique.length; i++) {
            if (u == 0 || unique[i] != unique[u - 1]) {
                unique[u++] = unique[i];
            }
        }
        unique = Arrays.copyOf(unique, u);
        Tensor summed = Tensor.zeros(dtype, unique.length, cols);
        p = 0;
        for (int c = 0; c < indexChunks.size(); c++) {
            int n = indexChunks.get(c).shape(0);
            long[] slot = new long[n];
            for (int i = 0; i < n; i++) {
                slot[i] = Arrays.binarySearch(unique, all[p + i]);
            }
            p += n;
            Backends.current().scatterAddRows(valueChunks.get(c), Tensor.ofLongs(slot, n), summed);
        }
        return new Coalesced(unique, summed);
    }

    /** The same gradient as a dense [V, D] tensor in the current scope. */
    public Tensor toDense() {
        Tensor dense = Tensor.zeros(dtype, rows, cols);
        for (int c = 0; c < indexChunks.size(); c++) {
            Backends.current().scatterAddRows(valueChunks.get(c), indexChunks.get(c), dense);
        }
        return dense;
    }
}
