package io.panrec.nn;

import io.panrec.tensor.Tensor;

/** A module (or function) of one tensor, composable in a {@link Sequential}. */
@FunctionalInterface
public interface Layer {
    Tensor forward(Tensor input);
}
