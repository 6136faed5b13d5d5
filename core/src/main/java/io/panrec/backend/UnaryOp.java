package io.panrec.backend;

/**
 * Element-wise functions of one tensor. {@code alpha} is the one parameter some of them take
 * (the slope of {@link #LEAKY_RELU}, the exponent of {@link #POW}); others ignore it.
 * The reference backend's formulas are the definition; every backend must match them.
 */
public enum UnaryOp {
    /** -x. */
    NEG,
    /** |x|; gradient sign(x) (0 at 0). */
    ABS,
    /** max(x, 0); gradient 1 where x > 0. */
    RELU,
    /** x if x > 0 else alpha * x. */
    LEAKY_RELU,
    /** 1 / (1 + exp(-x)). */
    SIGMOID,
    TANH,
    EXP,
    /** Natural logarithm. */
    LOG,
    SQRT,
    /** x ^ alpha. */
    POW,
    /** log(1 + exp(x)), computed stably; its gradient is sigmoid(x). */
    SOFTPLUS,
    /** GELU with the tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
    GELU_TANH;

    /** True if the backward rule reads the forward output y rather than the input x. */
    public boolean backwardUsesOutput() {
        return this == SIGMOID || this == TANH || this == EXP || this == SQRT;
    }
}
