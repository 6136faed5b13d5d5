package io.panrec.autograd;

/**
 * Every differentiable primitive op. Each has exactly one gradient rule in {@link Gradients}; composite
 * ops (losses, attention, GRU, ...) are built from these and need no rule of their own.
 */
public enum Op {
    // elementwise
    ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM, UNARY,
    // linear algebra
    MATMUL,
    // reductions and normalisations
    SUM, MEAN, MAX, MIN, SOFTMAX, LOG_SOFTMAX, LAYER_NORM,
    // shapes (views and copies)
    RESHAPE, PERMUTE, SLICE, EXPAND, CONTIGUOUS, CAST, CONCAT,
    // moves between host and device memory
    TO_DEVICE,
    // indexing
    GATHER_ROWS, SCATTER_ADD_ROWS,
    // convolution and pooling
    CONV2D, POOL2D
}
