package io.panrec.ops;

import io.panrec.tensor.Device;
import io.panrec.autograd.Autograd;
import io.panrec.autograd.Op;
import io.panrec.backend.Backends;
import io.panrec.backend.PoolSpec;
import io.panrec.tensor.Tensor;

/**
 * Pooling, a first-class operation in panrec: windowed max, average and Lp pooling in 1-D and 2-D,
 * global pooling over feature maps, and masked pooling over variable-length sequences (YouTube-DNN style
 * behaviour pooling).
 */
public final class Pooling {
    private Pooling() {
    }

    /** Windowed pooling of x [N, C, H, W] -> [N, C, OH, OW]. */
    public static Tensor pool2d(Tensor x, PoolSpec spec) {
        Checks.floating("pool2d", x);
        Checks.rank("pool2d", "input", x, 4);
        int oh = spec.outputH(x.shape(2));
        int ow = spec.outputW(x.shape(3));
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException("pool2d: input " + x.describe() + " is smaller than the window "
                    + spec.kernelH() + "x" + spec.kernelW());
        }
        Tensor xc = Shapes.contiguous(x);
        Tensor out = Tensor.zeros(x.device(), x.dtype(), x.shape(0), x.shape(1), oh, ow);
        Backends.on("pool2d", xc).pool2d(spec, xc, out);
        return Autograd.record(Op.POOL2D, out, new Tensor[] {xc}, spec);
    }

    public static Tensor maxPool2d(Tensor x, int kernel, int stride, int padding) {
        return pool2d(x, new PoolSpec(PoolSpec.Kind.MAX, kernel, kernel, stride, stride, padding, padding, false));
    }

    /** Average pooling; padded positions count in the divisor (PyTorch's default). */
    public static Tensor avgPool2d(Tensor x, int kernel, int stride, int padding) {
        return pool2d(x, new PoolSpec(PoolSpec.Kind.AVG, kernel, kernel, stride, stride, padding, padding, true));
    }

    /**
     * Lp pooling, (sum over the window of |x|^p)^(1/p): p = 1 sums magnitudes, large p approaches max
     * pooling. Built from power and average pooling (no padding, as in PyTorch's LPPool2d).
     */
    public static Tensor lpPool2d(Tensor x, float p, int kernel, int stride) {
        checkP(p);
        Tensor powered = Elementwise.pow(Elementwise.abs(x), p);
        Tensor avg = avgPool2d(powered, kernel, stride, 0);
        return Elementwise.pow(Elementwise.mul(avg, (float) kernel * kernel), 1f / p);
    }

    /** Windowed pooling over the last axis of x [N, C, L]. */
    public static Tensor maxPool1d(Tensor x, int kernel, int stride, int padding) {
        Checks.rank("maxPool1d", "input", x, 3);
        return Shapes.squeeze(pool2d(Shapes.unsqueeze(x, 2),
                new PoolSpec(PoolSpec.Kind.MAX, 1, kernel, 1, stride, 0, padding, false)), 2);
    }

    public static Tensor avgPool1d(Tensor x, int kernel, int stride, int padding) {
        Checks.rank("avgPool1d", "input", x, 3);
        return Shapes.squeeze(pool2d(Shapes.unsqueeze(x, 2),
                new PoolSpec(PoolSpec.Kind.AVG, 1, kernel, 1, stride, 0, padding, true)), 2);
    }

    public static Tensor lpPool1d(Tensor x, float p, int kernel, int stride) {
        checkP(p);
        Tensor powered = Elementwise.pow(Elementwise.abs(x), p);
        Tensor avg = avgPool1d(powered, kernel, stride, 0);
        return Elementwise.pow(Elementwise.mul(avg, (float) kernel), 1f / p);
    }

    /** Max over all spatial positions: x [N, C, ...] -> [N, C]. */
    public static Tensor globalMaxPool(Tensor x) {
        return Reductions.max(x, spatialAxes("globalMaxPool", x), false);
    }

    public static Tensor globalAvgPool(Tensor x) {
        return Reductions.mean(x, spatialAxes("globalAvgPool", x), false);
    }

    /** (mean over spatial positions of |x|^p)^(1/p): generalised-mean pooling. */
    public static Tensor globalLpPool(Tensor x, float p) {
        checkP(p);
        return Elementwise.pow(Reductions.mean(Elementwise.pow(Elementwise.abs(x), p), spatialAxes("globalLpPool", x), false),
                1f / p);
    }

    private static int[] spatialAxes(String op, Tensor x) {
        if (x.rank() < 3) {
            throw new IllegalArgumentException(op + ": needs [N, C, spatial...], got " + x.describe());
        }
        int[] axes = new int[x.rank() - 2];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = i + 2;
        }
        return axes;
    }

    private static void checkP(float p) {
        if (!(p > 0) || Float.isInfinite(p)) {
            throw new IllegalArgumentException("Lp pooling: p must be positive and finite, got " + p
                    + " (use max pooling for p = infinity)");
        }
    }

    /** The pooling kinds over sequences. */
    public enum Mode { SUM, MEAN, MAX, LP }

    /**
     * Pools a batch of variable-length sequences x [B, T, D] over time, counting only the first
     * lengths[b] steps of row b (lengths I32/I64 [B], each in [0, T]) -> [B, D]. An empty sequence
     * pools to zeros. {@code p} is used by {@link Mode#LP} only.
     */
    public static Tensor maskedPool(Tensor x, Tensor lengths, Mode mode, float p) {
        Checks.floating("maskedPool", x);
        Checks.rank("maskedPool", "x", x, 3);
        Checks.indices("maskedPool", lengths);
        Checks.shape("maskedPool", "lengths", lengths, x.shape(0));
        int b = x.shape(0);
        int t = x.shape(1);
        Backends.on("maskedPool", x, lengths); // mixed devices fail here, before the lengths are read
        long[] len = Checks.indexRange("maskedPool", lengths, t + 1L);
        Device dev = x.device();
        double[] maskData = new double[b * t];
        double[] inv = new double[b];
        double[] minusInf = new double[b * t];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                boolean on = j < len[i];
                maskData[i * t + j] = on ? 1 : 0;
                minusInf[i * t + j] = on ? 0 : -1e30;
            }
            inv[i] = len[i] == 0 ? 0 : 1.0 / len[i];
        }
        Tensor mask = Tensor.ofDoubles(maskData, b, t, 1).to(x.dtype()).to(dev);
        Tensor any = Tensor.ofDoubles(java.util.Arrays.stream(len).mapToDouble(l -> l > 0 ? 1 : 0).toArray(), b, 1).to(x.dtype())
                .to(dev);
        return switch (mode) {
            case SUM -> Reductions.sum(Elementwise.mul(x, mask), new int[] {1}, false);
            case MEAN -> Elementwise.mul(Reductions.sum(Elementwise.mul(x, mask), new int[] {1}, false),
                    Tensor.ofDoubles(inv, b, 1).to(x.dtype()).to(dev));
            case MAX -> Elementwise.mul(Reductions.max(Elementwise.add(x, Tensor.ofDoubles(minusInf, b, t, 1).to(x.dtype()).to(dev)),
                    new int[] {1}, false), any);
            case LP -> {
                checkP(p);
                Tensor powered = Elementwise.mul(Elementwise.pow(Elementwise.abs(x), p), mask);
                Tensor s = Reductions.sum(powered, new int[] {1}, false);
                // +tiny keeps the gradient of x^(1/p) finite for all-zero rows
                yield Elementwise.mul(Elementwise.pow(Elementwise.add(s, 1e-12f), 1f / p), any);
            }
        };
    }
}
