package io.panrec.autograd;

import io.panrec.tensor.Tensor;

/** Where a {@link GradRule} sends the gradient of each input. */
public interface GradSink {

    /** Whether input i wants a gradient (rules skip the work for inputs that do not). */
    boolean wants(int input);

    /** Adds {@code grad} (input i's shape) to input i's gradient. The sink may keep {@code grad}. */
    void dense(int input, Tensor grad);

    /**
     * Adds a row-sparse gradient to input i (a [V, D] table): {@code values[n, :]} goes to row
     * {@code indices[n]}. Used by row lookups when the table asked for sparse gradients.
     */
    void sparseRows(int input, Tensor indices, Tensor values);
}
