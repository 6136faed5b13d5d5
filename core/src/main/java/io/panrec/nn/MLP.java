package io.panrec.nn;

import io.panrec.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * A multi-layer perceptron: {@code Linear -> activation -> dropout} for each hidden layer, then a last
 * {@code Linear} (followed by the activation only if {@code activateLast}). Widths list the input size,
 * the hidden sizes and the output size, e.g. {@code {64, 32, 16, 1}} for the tower of NCF or DeepFM.
 * Parameters: {@code layers.0.weight}, {@code layers.0.bias}, {@code layers.1.weight}, ...
 */
public final class MLP extends Module implements Layer {
    private final ModuleList<Linear> layers;
    private final Dropout dropout;
    private final Activation activation;
    private final boolean activateLast;
    private final int[] widths;

    /** ReLU, no dropout, no activation after the last layer. */
    public MLP(int[] widths, SplittableRandom random) {
        this(widths, Activation.RELU, 0f, false, random);
    }

    /**
     * @param widths       input, hidden..., output sizes (at least two)
     * @param dropout      dropout probability after each hidden activation (0 for none)
     * @param activateLast whether the activation follows the last layer too
     * @param random       initialises the weights; the dropout pattern comes from a split of it
     */
    public MLP(int[] widths, Activation activation, float dropout, boolean activateLast, SplittableRandom random) {
        if (widths == null || widths.length < 2) {
            throw new IllegalArgumentException("MLP: widths must list at least the input and output sizes, got "
                    + java.util.Arrays.toString(widths));
        }
        this.widths = widths.clone();
        this.activation = java.util.Objects.requireNonNull(activation, "activation");
        this.activateLast = activateLast;
        this.layers = registerModule("layers", new ModuleList<>());
        for (int i = 0; i + 1 < widths.length; i++) {
            layers.add(new Linear(widths[i], widths[i + 1], random));
        }
        this.dropout = dropout > 0 ? registerModule("dropout", new Dropout(dropout, random.split())) : null;
    }

    /** x [..., widths[0]] -> [..., widths[last]]. */
    @Override
    public Tensor forward(Tensor x) {
        return forwardFrom(0, x);
    }

    /**
     * The layers from {@code first} on: x [..., widths[first]] -> [..., widths[last]]. {@code x} is what the
     * layer before {@code first} hands on (activated, and dropped out in training); for callers that compute
     * the first layers another way, e.g. a first layer split into a cached and a per-query part.
     */
    public Tensor forwardFrom(int first, Tensor x) {
        if (first < 0 || first > layers.size()) {
            throw new IndexOutOfBoundsException("MLP.forwardFrom: layer " + first + " of " + layers.size());
        }
        Tensor y = x;
        for (int i = first; i < layers.size(); i++) {
            boolean last = i == layers.size() - 1;
            boolean activate = !last || activateLast;
            if (activate && activation == Activation.RELU) {
                Linear layer = layers.get(i);
                y = io.panrec.ops.Linalg.linearRelu(y, layer.weight(), layer.bias()); // one kernel where the backend fuses it
            } else {
                y = layers.get(i).forward(y);
                if (activate) {
                    y = activation.apply(y);
                }
            }
            if (!last && dropout != null) {
                y = dropout.forward(y);
            }
        }
        return y;
    }

    public ModuleList<Linear> layers() {
        return layers;
    }

    public int[] widths() {
        return widths.clone();
    }

    /** The activation after each hidden layer (for exporters that rebuild the forward pass, e.g. ONNX). */
    public Activation activation() {
        return activation;
    }

    /** Whether {@link #activation()} also follows the last layer. */
    public boolean activateLast() {
        return activateLast;
    }
}
