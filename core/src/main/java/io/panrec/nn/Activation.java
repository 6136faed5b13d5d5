package io.panrec.nn;

import io.panrec.ops.Elementwise;
import io.panrec.tensor.Tensor;

/** The activations a layer can be configured with (e.g. {@link MLP}). */
public enum Activation {
    IDENTITY, RELU, LEAKY_RELU, SIGMOID, TANH, GELU;

    /** Negative slope of {@link #LEAKY_RELU}, PyTorch's default. */
    public static final float LEAKY_RELU_SLOPE = 0.01f;

    public Tensor apply(Tensor x) {
        return switch (this) {
            case IDENTITY -> x;
            case RELU -> Elementwise.relu(x);
            case LEAKY_RELU -> Elementwise.leakyRelu(x, LEAKY_RELU_SLOPE);
            case SIGMOID -> Elementwise.sigmoid(x);
            case TANH -> Elementwise.tanh(x);
            case GELU -> Elementwise.gelu(x);
        };
    }
}
