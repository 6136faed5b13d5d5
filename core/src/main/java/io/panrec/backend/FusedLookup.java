package io.panrec.backend;

import io.panrec.tensor.Tensor;

/**
 * A backend with one kernel for {@code out[i, :] = table[indices[i], :] + row}, optionally followed by relu:
 * the first layer of a tower split into a cached per-item half and a per-query half (a one-user rerank of
 * NCF's MLP and NeuMF). {@link io.panrec.ops.Indexing#gatherRowsAdd} uses it when no gradient is recorded:
 * one pass that writes the output once, where the lookup, the add and the relu each made and read a
 * [B, D] tensor (together half of a 1000-candidate NeuMF rerank).
 */
public interface FusedLookup {
    /**
     * Whether {@link #gatherRowsAdd} takes these operands: table [V, D] with unit column stride, indices [N]
     * (I32 or I64, already checked to lie in [0, V)), row [D] contiguous. A false answer sends the caller
     * to the separate kernels.
     */
    boolean canFuseLookup(Tensor table, Tensor indices, Tensor row);

    /** {@code out [N, D] = table[indices] + row}, then relu when {@code relu}; every element of out is written. */
    void gatherRowsAdd(Tensor table, Tensor indices, Tensor row, boolean relu, Tensor out);
}
