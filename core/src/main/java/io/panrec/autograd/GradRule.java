package io.panrec.autograd;

import io.panrec.tensor.Tensor;

/** Pushes the gradient of a node's output to its inputs. Runs with recording off. */
@FunctionalInterface
public interface GradRule {
    void apply(Node node, Tensor gradOut, GradSink sink);
}
