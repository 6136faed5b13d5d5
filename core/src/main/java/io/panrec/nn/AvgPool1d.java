package io.panrec.nn;

import io.panrec.ops.Pooling;
import io.panrec.tensor.Tensor;

/**
 * Windowed average pooling over the last axis of x [N, C, L], as PyTorch's {@code nn.AvgPool1d}
 * (padded positions count in the divisor, PyTorch's default). No parameters.
 */
public final class AvgPool1d extends Module implements Layer {
    private final int kernel;
    private final int stride;
    private final int padding;

    /** Stride = kernel, no padding. */
    public AvgPool1d(int kernel) {
        this(kernel, kernel, 0);
    }

    public AvgPool1d(int kernel, int stride, int padding) {
        if (kernel < 1 || stride < 1 || padding < 0 || padding > kernel / 2) {
            throw new IllegalArgumentException("AvgPool1d: need kernel >= 1, stride >= 1 and padding in [0, kernel / 2]; got "
                    + kernel + ", " + stride + ", " + padding);
        }
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    /** [N, C, L] -> [N, C, (L + 2 padding - kernel) / stride + 1]. */
    @Override
    public Tensor forward(Tensor x) {
        return Pooling.avgPool1d(x, kernel, stride, padding);
    }
}
