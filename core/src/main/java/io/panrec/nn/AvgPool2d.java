package io.panrec.nn;

import io.panrec.ops.Pooling;
import io.panrec.tensor.Tensor;

/**
 * Windowed average pooling over the last two axes of x [N, C, H, W], as PyTorch's {@code nn.AvgPool2d}
 * (padded positions count in the divisor, PyTorch's default). No parameters.
 */
public final class AvgPool2d extends Module implements Layer {
    private final int kernel;
    private final int stride;
    private final int padding;

    /** Stride = kernel, no padding. */
    public AvgPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    public AvgPool2d(int kernel, int stride, int padding) {
        if (kernel < 1 || stride < 1 || padding < 0 || padding > kernel / 2) {
            throw new IllegalArgumentException("AvgPool2d: need kernel >= 1, stride >= 1 and padding in [0, kernel / 2]; got "
                    + kernel + ", " + stride + ", " + padding);
        }
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    /** [N, C, H, W] -> [N, C, OH, OW], each (size + 2 padding - kernel) / stride + 1. */
    @Override
    public Tensor forward(Tensor x) {
        return Pooling.avgPool2d(x, kernel, stride, padding);
    }
}
