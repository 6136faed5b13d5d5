package io.panrec.backend;

import io.panrec.tensor.Tensor;

/**
 * A backend with one kernel for {@code out = x @ w^T + bias}, optionally followed by relu (oneDNN's matmul
 * with a bias and a post-op). {@link io.panrec.ops.Linalg#linear} and {@link io.panrec.ops.Linalg#linearRelu}
 * use it when no gradient is recorded: inference then makes one output instead of three (the bias add
 * alone cost as much as the product for a [1000, 64] x [64, 32] layer of a rerank).
 */
public interface FusedLinear {
    /**
     * Whether {@link #linear} takes these operands: x [M, K], w [N, K], bias [N] or null. A false answer
     * sends the caller to the unfused kernels.
     */
    boolean canFuseLinear(Tensor x, Tensor w, Tensor bias);

    /** {@code out [M, N] = x @ w^T + bias}, then relu when {@code relu}; every element of out is written. */
    void linear(Tensor x, Tensor w, Tensor bias, boolean relu, Tensor out);
}
