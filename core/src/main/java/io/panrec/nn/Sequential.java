package io.panrec.nn;

import io.panrec.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Layers applied one after another (PyTorch's {@code nn.Sequential}). Steps that are modules are
 * registered under their position ("0", "1", ...), so their parameters are found and saved; plain
 * functions ({@code Layer} lambdas such as activations) hold no state and keep their position too.
 */
public final class Sequential extends Module implements Layer {
    private final List<Layer> steps = new ArrayList<>();

    public Sequential(Layer... layers) {
        for (Layer l : layers) {
            add(l);
        }
    }

    /** Appends a step; returns this. */
    public Sequential add(Layer layer) {
        java.util.Objects.requireNonNull(layer, "layer");
        if (layer instanceof Module m) {
            registerModule(Integer.toString(steps.size()), m);
        }
        steps.add(layer);
        return this;
    }

    /** Applies every step in order. */
    @Override
    public Tensor forward(Tensor x) {
        Tensor y = x;
        for (Layer l : steps) {
            y = l.forward(y);
        }
        return y;
    }

    public int size() {
        return steps.size();
    }

    public Layer get(int index) {
        return steps.get(index);
    }
}
