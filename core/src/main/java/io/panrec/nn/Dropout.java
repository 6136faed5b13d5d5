package io.panrec.nn;

import io.panrec.ops.Normalization;
import io.panrec.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * Inverted dropout (Srivastava et al. 2014): in training mode each element is zeroed with probability p
 * and the rest scaled by 1/(1-p); in eval mode the input passes through unchanged. The dropout pattern
 * comes from the module's own random source, so a run is reproducible from its seed.
 */
public final class Dropout extends Module implements Layer {
    private final float p;
    private final SplittableRandom random;

    /** @param random the source of dropout patterns; the module keeps it (pass {@code random.split()} to share a seed) */
    public Dropout(float p, SplittableRandom random) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("Dropout: p must be in [0, 1), got " + p);
        }
        this.p = p;
        this.random = java.util.Objects.requireNonNull(random, "random");
    }

    /** x of any shape -> the same shape. */
    @Override
    public Tensor forward(Tensor x) {
        return Normalization.dropout(x, p, isTraining(), random);
    }

    public float p() {
        return p;
    }
}
