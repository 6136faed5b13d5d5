package io.panrec.nn;

import io.panrec.backend.ConvSpec;
import io.panrec.ops.Convolution;
import io.panrec.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * 2-D convolution, as PyTorch's {@code nn.Conv2d}: parameters "weight" [out, in/groups, KH, KW] and
 * "bias" [out], initialised as PyTorch does. Kernels may be rectangular, e.g. Caser's horizontal
 * filters [h, d] over an [L, d] embedding matrix.
 */
public final class Conv2d extends Module implements Layer {
    private final ConvSpec spec;
    private final Parameter weight;
    private final Parameter bias;

    /** Square kernel, square stride and padding, dense, one group, with bias. */
    public Conv2d(int inChannels, int outChannels, int kernel, int stride, int padding, SplittableRandom random) {
        this(inChannels, outChannels, kernel, kernel, ConvSpec.of(stride, padding), true, random);
    }

    public Conv2d(int inChannels, int outChannels, int kernelH, int kernelW, ConvSpec spec, boolean bias,
                  SplittableRandom random) {
        int groups = spec.groups();
        if (inChannels < 1 || outChannels < 1 || kernelH < 1 || kernelW < 1 || inChannels % groups != 0
                || outChannels % groups != 0) {
            throw new IllegalArgumentException("Conv2d: need channels >= 1, kernel >= 1 and both channel counts divisible "
                    + "by groups; got in " + inChannels + ", out " + outChannels + ", kernel " + kernelH + "x" + kernelW
                    + ", groups " + groups);
        }
        this.spec = spec;
        this.weight = registerParameter("weight", Parameter.zeros(outChannels, inChannels / groups, kernelH, kernelW));
        Init.pytorchDefaultWeight(weight.value(), random);
        if (bias) {
            this.bias = registerParameter("bias", Parameter.zeros(outChannels));
            double bound = 1 / Math.sqrt(Init.fans(weight.value())[0]);
            Init.uniform(this.bias.value(), -bound, bound, random);
        } else {
            this.bias = null;
        }
    }

    /** x [N, in, H, W] -> [N, out, OH, OW] (output sizes as in {@link ConvSpec#outputSize}). */
    @Override
    public Tensor forward(Tensor x) {
        return Convolution.conv2d(x, weight.value(), bias == null ? null : bias.value(), spec);
    }

    public Tensor weight() {
        return weight.value();
    }

    public Tensor bias() {
        return bias == null ? null : bias.value();
    }

    public ConvSpec spec() {
        return spec;
    }
}
