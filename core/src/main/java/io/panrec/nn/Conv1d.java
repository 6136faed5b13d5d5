package io.panrec.nn;

import io.panrec.ops.Convolution;
import io.panrec.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * 1-D convolution over sequences, as PyTorch's {@code nn.Conv1d}: parameters "weight"
 * [out, in/groups, kernel] and "bias" [out], initialised as PyTorch does (U(+-1/sqrt(fanIn)),
 * fanIn = in/groups * kernel).
 */
public final class Conv1d extends Module implements Layer {
    private final int stride;
    private final int padding;
    private final int dilation;
    private final int groups;
    private final Parameter weight;
    private final Parameter bias;

    /** Stride 1, no padding, dense kernel, one group, with bias. */
    public Conv1d(int inChannels, int outChannels, int kernel, SplittableRandom random) {
        this(inChannels, outChannels, kernel, 1, 0, 1, 1, true, random);
    }

    public Conv1d(int inChannels, int outChannels, int kernel, int stride, int padding, int dilation, int groups,
                  boolean bias, SplittableRandom random) {
        if (inChannels < 1 || outChannels < 1 || kernel < 1 || groups < 1 || inChannels % groups != 0
                || outChannels % groups != 0) {
            throw new IllegalArgumentException("Conv1d: need channels >= 1, kernel >= 1 and both channel counts divisible "
                    + "by groups; got in " + inChannels + ", out " + outChannels + ", kernel " + kernel + ", groups " + groups);
        }
        if (stride < 1 || padding < 0 || dilation < 1) {
            throw new IllegalArgumentException("Conv1d: need stride >= 1, padding >= 0, dilation >= 1; got " + stride + ", "
                    + padding + ", " + dilation);
        }
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.groups = groups;
        this.weight = registerParameter("weight", Parameter.zeros(outChannels, inChannels / groups, kernel));
        Init.pytorchDefaultWeight(weight.value(), random);
        if (bias) {
            this.bias = registerParameter("bias", Parameter.zeros(outChannels));
            double bound = 1 / Math.sqrt(Init.fans(weight.value())[0]);
            Init.uniform(this.bias.value(), -bound, bound, random);
        } else {
            this.bias = null;
        }
    }

    /** x [N, in, L] -> [N, out, floor((L + 2 padding - dilation (kernel - 1) - 1) / stride) + 1]. */
    @Override
    public Tensor forward(Tensor x) {
        return Convolution.conv1d(x, weight.value(), bias == null ? null : bias.value(), stride, padding, dilation, groups);
    }

    public Tensor weight() {
        return weight.value();
    }

    public Tensor bias() {
        return bias == null ? null : bias.value();
    }
}
