package io.panrec.backend;

/**
 * Geometry of a 2-D pooling window. Max pooling ignores padded positions; average pooling divides by the
 * whole window when {@code countIncludePad}, else by the number of real elements in it.
 * (Lp pooling is built in the ops layer from power and average pooling.)
 */
public record PoolSpec(Kind kind, int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
                       boolean countIncludePad) {

    public enum Kind { MAX, AVG }

    public PoolSpec {
        if (kernelH < 1 || kernelW < 1) {
            throw new IllegalArgumentException("pool: kernel must be >= 1, got " + kernelH + "x" + kernelW);
        }
        if (strideH < 1 || strideW < 1) {
            throw new IllegalArgumentException("pool: stride must be >= 1, got " + strideH + "x" + strideW);
        }
        if (padH < 0 || padW < 0 || padH > kernelH / 2 || padW > kernelW / 2) {
            throw new IllegalArgumentException("pool: padding must be between 0 and half the kernel, got "
                    + padH + "x" + padW + " for kernel " + kernelH + "x" + kernelW);
        }
    }

    public int outputH(int inH) {
        return (inH + 2 * padH - kernelH) / strideH + 1;
    }

    public int outputW(int inW) {
        return (inW + 2 * padW - kernelW) / strideW + 1;
    }
}
