package io.panrec.ops;

import io.panrec.backend.Backend;
import io.panrec.autograd.Autograd;
import io.panrec.autograd.Op;
import io.panrec.backend.Backends;
import io.panrec.tensor.Tensor;

import java.util.SplittableRandom;

/** Layer normalisation and dropout. */
public final class Normalization {
    private Normalization() {
    }

    /** Normalises over the last axis of x [..., D], then scales by gamma [D] and shifts by beta [D] (either may be null). */
    public static Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        Checks.floating("layerNorm", x, gamma, beta);
        if (x.rank() < 1) {
            throw new IllegalArgumentException("layerNorm: needs at least one axis, got " + x.describe());
        }
        int d = x.shape(-1);
        if (gamma != null) {
            Checks.shape("layerNorm", "gamma", gamma, d);
        }
        if (beta != null) {
            Checks.shape("layerNorm", "beta", beta, d);
        }
        if (!(eps > 0)) {
            throw new IllegalArgumentException("layerNorm: eps must be > 0, got " + eps);
        }
        int rows = (int) (x.numel() / Math.max(d, 1));
        Tensor x2 = Shapes.reshape(x, rows, d);
        Backend backend = Backends.on("layerNorm", x, gamma, beta);
        Tensor out = Tensor.zeros(x.device(), x.dtype(), rows, d);
        Tensor mean = Tensor.zeros(x.device(), x.dtype(), rows);
        Tensor rstd = Tensor.zeros(x.device(), x.dtype(), rows);
        Tensor g = gamma == null ? null : Shapes.contiguous(gamma);
        Tensor bt = beta == null ? null : Shapes.contiguous(beta);
        backend.layerNorm(Shapes.contiguous(x2), g, bt, eps, out, mean, rstd);
        Autograd.record(Op.LAYER_NORM, out, new Tensor[] {x2, g, bt}, mean, rstd);
        return Shapes.reshape(out, x.shape());
    }

    /**
     * Inverted dropout: in training, zeroes each element with probability p and scales the rest by
     * 1/(1-p); outside training returns x unchanged.
     */
    public static Tensor dropout(Tensor x, float p, boolean training, SplittableRandom random) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropout: p must be in [0, 1), got " + p);
        }
        if (!training || p == 0) {
            return x;
        }
        Checks.floating("dropout", x);
        int n = (int) x.numel();
        float[] keep = new float[n];
        float scale = 1f / (1f - p);
        for (int i = 0; i < n; i++) {
            keep[i] = random.nextDouble() >= p ? scale : 0f;
        }
        // the mask is drawn in Java from the seeded source, so a run is the same on every device
        return Elementwise.mul(x, Tensor.of(keep, x.shape()).to(x.dtype()).to(x.device()));
    }
}
