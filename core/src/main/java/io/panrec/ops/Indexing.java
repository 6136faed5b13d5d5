package io.panrec.ops;

import io.panrec.tensor.Device;
import io.panrec.backend.Backend;
import io.panrec.backend.FusedLookup;
import io.panrec.autograd.Autograd;
import io.panrec.autograd.Op;
import io.panrec.backend.Backends;
import io.panrec.tensor.DType;
import io.panrec.tensor.Tensor;

/** Row lookups (embeddings) and their adjoint, scatter-add. Indices are checked in Java before any kernel. */
public final class Indexing {
    private Indexing() {
    }

    /**
     * Embedding lookup: {@code out[i..., :] = table[indices[i...], :]} for table [V, D] and indices of any
     * shape (I32 or I64) -> [indices..., D]. If the table has {@link Tensor#sparseGradients()} on, its
     * gradient is row-sparse.
     */
    public static Tensor gatherRows(Tensor table, Tensor indices) {
        Checks.floating("gatherRows", table);
        Checks.rank("gatherRows", "table", table, 2);
        Checks.indices("gatherRows", indices);
        Backend backend = Backends.on("gatherRows", table, indices);
        Checks.indexRange("gatherRows", indices, table.shape(0));
        Tensor flat = Shapes.rawContiguous(indices);
        flat = flat.view(new int[] {(int) indices.numel()}, new long[] {1}, 0);
        int d = table.shape(1);
        Tensor out2 = Tensor.empty(table.device(), table.dtype(), (int) indices.numel(), d); // every row is written
        backend.gatherRows(table, flat, out2);
        int[] shape = java.util.Arrays.copyOf(indices.shape(), indices.rank() + 1);
        shape[indices.rank()] = d;
        Tensor out = out2.view(shape, io.panrec.tensor.Shape.contiguousStrides(shape), 0);
        return Autograd.record(Op.GATHER_ROWS, out, new Tensor[] {table}, flat);
    }

    /**
     * {@code gatherRows(table, indices) + row}, then relu when {@code relu}, for table [V, D], indices of any
     * shape and row [D] (or [1, D]): the first layer of a tower whose item half is a cached table and whose
     * user half is one row. One fused kernel where the backend has it ({@link FusedLookup}) and nothing needs a
     * gradient; the separate differentiable ops otherwise.
     */
    public static Tensor gatherRowsAdd(Tensor table, Tensor indices, Tensor row, boolean relu) {
        Checks.floating("gatherRowsAdd", table, row);
        Checks.rank("gatherRowsAdd", "table", table, 2);
        Checks.indices("gatherRowsAdd", indices);
        int d = table.shape(1);
        if (!(row.numel() == d && (row.rank() == 1 || (row.rank() == 2 && row.shape(0) == 1)))) {
            throw new IllegalArgumentException("gatherRowsAdd: row must be [" + d + "] or [1, " + d + "] to match table "
                    + table.describe() + ", got " + row.describe());
        }
        Tensor row1 = row.rank() == 1 ? row : row.view(new int[] {d}, new long[] {row.stride(1)}, row.offset());
        Backend backend = Backends.on("gatherRowsAdd", table, indices, row);
        if (backend instanceof FusedLookup f && !Autograd.needsGrad(table, row) && table.device().isHost()
                && indices.device().isHost() && row.device().isHost() && table.dtype() == row.dtype()) {
            Checks.indexRange("gatherRowsAdd", indices, table.shape(0));
            Tensor flat = Shapes.rawContiguous(indices);
            flat = flat.view(new int[] {(int) indices.numel()}, new long[] {1}, 0);
            if (f.canFuseLookup(table, flat, row1)) {
                Tensor out2 = Tensor.empty(table.device(), table.dtype(), (int) indices.numel(), d); // every row is written
                f.gatherRowsAdd(table, flat, row1, relu, out2);
                int[] shape = java.util.Arrays.copyOf(indices.shape(), indices.rank() + 1);
                shape[indices.rank()] = d;
                return out2.view(shape, io.panrec.tensor.Shape.contiguousStrides(shape), 0);
            }
        }
        Tensor h = gatherRows(table, indices).add(row); // row itself, not the raw view row1: its gradient is recorded
        return relu ? h.relu() : h;
    }

    /**
     * {@code target} plus src's rows added at indices: {@code out = target; out[indices[n], :] += src[n, :]}
     * for target [V, D], indices [N], src [N, D]. A new tensor; target is unchanged.
     */
    public static Tensor scatterAddRows(Tensor target, Tensor indices, Tensor src) {
        Checks.floating("scatterAddRows", target, src);
        Checks.rank("scatterAddRows", "target", target, 2);
        Checks.indices("scatterAddRows", indices);
        Checks.rank("scatterAddRows", "indices", indices, 1);
        Checks.shape("scatterAddRows", "src", src, indices.shape(0), target.shape(1));
        Backend backend = Backends.on("scatterAddRows", target, indices, src);
        Checks.indexRange("scatterAddRows", indices, target.shape(0));
        Tensor idx = Shapes.rawContiguous(indices);
        Tensor out = Shapes.rawContiguous(target);
        backend.scatterAddRows(src, idx, out);
        return Autograd.record(Op.SCATTER_ADD_ROWS, out, new Tensor[] {target, src}, idx);
    }

    /** {@code out[r] = x[r, index[r]]} for x [R, C] and index [R]: picks one entry per row (for cross-entropy). */
    public static Tensor takeAlongLastAxis(Tensor x, Tensor index) {
        Checks.floating("takeAlongLastAxis", x);
        Checks.rank("takeAlongLastAxis", "x", x, 2);
        Checks.indices("takeAlongLastAxis", index);
        Checks.shape("takeAlongLastAxis", "index", index, x.shape(0));
        Backends.on("takeAlongLastAxis", x, index); // mixed devices fail here, before anything is read
        int rows = x.shape(0);
        int cols = x.shape(1);
        long[] ids = Checks.indexRange("takeAlongLastAxis", index, cols);
        long[] flat = new long[rows];
        for (int r = 0; r < rows; r++) {
            flat[r] = (long) r * cols + ids[r];
        }
        // x viewed as a [R*C, 1] table: one row lookup per pick, so the gradient rule is the lookup's.
        Tensor table = Shapes.reshape(x, rows * cols, 1);
        return Shapes.reshape(gatherRows(table, Tensor.ofLongs(flat, rows).to(x.device())), rows);
    }

    /** Integers 0..n-1 as I64 on {@code device}, e.g. the targets of in-batch contrastive losses. */
    public static Tensor arange(int n, Device device) {
        return arange(n).to(device);
    }

    /** Integers 0..n-1 as I64, e.g. the targets of in-batch contrastive losses. */
    public static Tensor arange(int n) {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = i;
        }
        return Tensor.ofLongs(v, n);
    }

    static boolean isIndex(Tensor t) {
        return t.dtype() == DType.I32 || t.dtype() == DType.I64;
    }
}
