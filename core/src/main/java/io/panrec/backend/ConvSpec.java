package io.panrec.backend;

/**
 * Geometry of a 2-D convolution, in PyTorch's conventions: dilation 1 means a dense kernel, padding is
 * symmetric zero padding, and {@code groups} splits channels into independent groups.
 */
public record ConvSpec(int strideH, int strideW, int padH, int padW, int dilationH, int dilationW, int groups) {

    public ConvSpec {
        if (strideH < 1 || strideW < 1) {
            throw new IllegalArgumentException("conv: stride must be >= 1, got " + strideH + "x" + strideW);
        }
        if (padH < 0 || padW < 0) {
            throw new IllegalArgumentException("conv: padding must be >= 0, got " + padH + "x" + padW);
        }
        if (dilationH < 1 || dilationW < 1) {
            throw new IllegalArgumentException("conv: dilation must be >= 1 (1 = dense), got " + dilationH + "x" + dilationW);
        }
        if (groups < 1) {
            throw new IllegalArgumentException("conv: groups must be >= 1, got " + groups);
        }
    }

    public static ConvSpec of(int stride, int padding) {
        return new ConvSpec(stride, stride, padding, padding, 1, 1, 1);
    }

    /** Output size of one spatial dimension, or a non-positive number when the input is too small. */
    public static int outputSize(int in, int kernel, int stride, int pad, int dilation) {
        return Math.floorDiv(in + 2 * pad - dilation * (kernel - 1) - 1, stride) + 1;
    }
}
