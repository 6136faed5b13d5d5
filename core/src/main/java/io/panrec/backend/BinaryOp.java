package io.panrec.backend;

/** Element-wise functions of two tensors of the same (broadcast) shape. */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, MAX, MIN,
    /** 1 where a == b, else 0 (not differentiable). */
    EQ,
    /** 1 where a > b, else 0 (not differentiable). */
    GT
}
