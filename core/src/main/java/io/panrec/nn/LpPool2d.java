package io.panrec.nn;

import io.panrec.ops.Pooling;
import io.panrec.tensor.Tensor;

/**
 * Windowed Lp pooling, (sum over the window of |x|^p)^(1/p), over the last two axes of x [N, C, H, W],
 * as PyTorch's {@code nn.LPPool2d}: p = 1 sums magnitudes, large p approaches max pooling. No padding,
 * no parameters.
 */
public final class LpPool2d extends Module implements Layer {
    private final float p;
    private final int kernel;
    private final int stride;

    /** Stride = kernel. */
    public LpPool2d(float p, int kernel) {
        this(p, kernel, kernel);
    }

    public LpPool2d(float p, int kernel, int stride) {
        if (!(p > 0) || Float.isInfinite(p) || kernel < 1 || stride < 1) {
            throw new IllegalArgumentException("LpPool2d: need p > 0 and finite, kernel >= 1, stride >= 1; got p " + p
                    + ", kernel " + kernel + ", stride " + stride);
        }
        this.p = p;
        this.kernel = kernel;
        this.stride = stride;
    }

    /** [N, C, H, W] -> [N, C, OH, OW], each (size - kernel) / stride + 1. */
    @Override
    public Tensor forward(Tensor x) {
        return Pooling.lpPool2d(x, p, kernel, stride);
    }
}
