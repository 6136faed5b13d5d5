package io.panrec.autograd;

import io.panrec.tensor.Tensor;

import java.util.Arrays;

/**
 * One recorded op application: what produced {@code output} from {@code inputs}, with whatever the
 * gradient rule needs ({@code attrs}: axes, specs, saved intermediates). Nodes form the tape that
 * {@link Autograd#backward} walks in reverse.
 */
public final class Node {
    private final Op op;
    private final Tensor[] inputs;
    private final Object[] attrs;
    private final Tensor output;
    private final long sequence;

    Node(Op op, Tensor output, Tensor[] inputs, Object[] attrs, long sequence) {
        this.op = op;
        this.output = output;
        this.inputs = inputs;
        this.attrs = attrs;
        this.sequence = sequence;
    }

    public Op op() {
        return op;
    }

    public Tensor output() {
        return output;
    }

    public int inputCount() {
        return inputs.length;
    }

    public Tensor input(int i) {
        return inputs[i];
    }

    /** The i-th attribute, cast to the type the rule expects. */
    @SuppressWarnings("unchecked")
    public <T> T attr(int i) {
        return (T) attrs[i];
    }

    /** Creation order; later nodes never feed earlier ones. */
    long sequence() {
        return sequence;
    }

    @Override
    public String toString() {
        return op.name() + Arrays.stream(inputs).map(t -> t == null ? "null" : t.describe()).toList() + " -> " + output.describe();
    }
}
