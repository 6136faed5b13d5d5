package io.panrec.optim;

import io.panrec.tensor.Tensor;

import java.util.List;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter, "Decoupled Weight Decay Regularization",
 * ICLR 2019), as PyTorch's {@code torch.optim.AdamW}: the parameter first shrinks by
 * {@code p = p * (1 - lr * weightDecay)}, then takes the Adam step of the plain gradient. With a
 * row-sparse gradient only touched rows shrink (lazy decay; see {@link Optimizer}).
 */
public class AdamW extends Adam {

    /** PyTorch's AdamW defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0.01. */
    public static Config defaults() {
        return Config.defaults().withWeightDecay(0.01);
    }

    /** The defaults with this learning rate (weight decay 0.01). */
    public AdamW(List<Tensor> params, double lr) {
        this(params, defaults().withLr(lr));
    }

    public AdamW(List<Tensor> params, Config config) {
        super("AdamW", params, config, true);
    }
}
