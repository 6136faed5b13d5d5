package io.panrec.nn;

import io.panrec.ops.Normalization;
import io.panrec.tensor.Tensor;

/**
 * Layer normalisation (Ba et al. 2016) over the last axis, as PyTorch's {@code nn.LayerNorm(dim)}:
 * parameters "weight" (ones) and "bias" (zeros) of shape [dim] when elementwise-affine.
 */
public final class LayerNorm extends Module implements Layer {
    private final int dim;
    private final float eps;
    private final Parameter weight;
    private final Parameter bias;

    public LayerNorm(int dim) {
        this(dim, 1e-5f, true);
    }

    public LayerNorm(int dim, float eps, boolean elementwiseAffine) {
        if (dim < 1) {
            throw new IllegalArgumentException("LayerNorm: dim must be >= 1, got " + dim);
        }
        if (!(eps > 0)) {
            throw new IllegalArgumentException("LayerNorm: eps must be > 0, got " + eps);
        }
        this.dim = dim;
        this.eps = eps;
        if (elementwiseAffine) {
            weight = registerParameter("weight", Parameter.zeros(dim));
            Init.ones(weight.value());
            bias = registerParameter("bias", Parameter.zeros(dim));
        } else {
            weight = null;
            bias = null;
        }
    }

    /** x [..., dim] -> [..., dim], each row normalised to mean 0 and variance 1, then scaled and shifted. */
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() < 1 || x.shape(-1) != dim) {
            throw new IllegalArgumentException("LayerNorm(" + dim + "): input " + x.describe() + " must end in " + dim);
        }
        return Normalization.layerNorm(x, weight == null ? null : weight.value(), bias == null ? null : bias.value(), eps);
    }

    public Tensor weight() {
        return weight == null ? null : weight.value();
    }

    public Tensor bias() {
        return bias == null ? null : bias.value();
    }
}
