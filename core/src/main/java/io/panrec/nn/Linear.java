package io.panrec.nn;

import io.panrec.ops.Linalg;
import io.panrec.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * A fully connected layer, {@code y = x W^T + b}, as PyTorch's {@code nn.Linear}: parameters "weight"
 * [out, in] and "bias" [out], initialised as PyTorch does (U(-1/sqrt(in), 1/sqrt(in)) for both).
 */
public final class Linear extends Module implements Layer {
    private final int inFeatures;
    private final int outFeatures;
    private final Parameter weight;
    private final Parameter bias;

    public Linear(int inFeatures, int outFeatures, SplittableRandom random) {
        this(inFeatures, outFeatures, true, random);
    }

    public Linear(int inFeatures, int outFeatures, boolean bias, SplittableRandom random) {
        if (inFeatures < 1 || outFeatures < 1) {
            throw new IllegalArgumentException("Linear: feature counts must be >= 1, got in " + inFeatures + ", out "
                    + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = registerParameter("weight", Parameter.zeros(outFeatures, inFeatures));
        Init.pytorchDefaultWeight(weight.value(), random);
        if (bias) {
            this.bias = registerParameter("bias", Parameter.zeros(outFeatures));
            double bound = 1 / Math.sqrt(inFeatures);
            Init.uniform(this.bias.value(), -bound, bound, random);
        } else {
            this.bias = null;
        }
    }

    /** x [..., in] -> [..., out]. */
    @Override
    public Tensor forward(Tensor x) {
        return Linalg.linear(x, weight.value(), bias == null ? null : bias.value());
    }

    /** [out, in]. */
    public Tensor weight() {
        return weight.value();
    }

    /** [out], or null without bias. */
    public Tensor bias() {
        return bias == null ? null : bias.value();
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }
}
