package io.panrec.autograd;

import io.panrec.ops.Elementwise;
import io.panrec.tensor.Shape;
import io.panrec.tensor.Tensor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reverse-mode automatic differentiation over a tape of {@link Node}s. Ops call {@link #record} when
 * any input requires a gradient; {@link #backward} sorts the graph below a tensor and walks it in
 * reverse creation order, calling each op's one {@link GradRule} from {@link Gradients}.
 *
 * <p>Recording is per thread and can be switched off with {@link #noGrad()} (inference, optimizer
 * updates, and the gradient rules themselves).
 */
public final class Autograd {
    private static final ThreadLocal<int[]> NO_GRAD_DEPTH = ThreadLocal.withInitial(() -> new int[1]);
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private Autograd() {
    }

    /** Switches recording off on this thread until closed; nests. */
    public static NoGrad noGrad() {
        NO_GRAD_DEPTH.get()[0]++;
        return new NoGrad();
    }

    public static final class NoGrad implements AutoCloseable {
        private boolean closed;

        private NoGrad() {
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                NO_GRAD_DEPTH.get()[0]--;
            }
        }
    }

    public static boolean isRecording() {
        return NO_GRAD_DEPTH.get()[0] == 0;
    }

    /** Whether an op over these inputs must be recorded. */
    public static boolean needsGrad(Tensor... inputs) {
        if (!isRecording()) {
            return false;
        }
        for (Tensor t : inputs) {
            if (t != null && t.requiresGrad()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Records {@code output = op(inputs)} if any input requires a gradient; returns output. Null inputs
     * (an absent bias) are allowed and get no gradient.
     */
    public static Tensor record(Op op, Tensor output, Tensor[] inputs, Object... attrs) {
        if (needsGrad(inputs)) {
            output.setGradFn(new Node(op, output, inputs.clone(), attrs, SEQUENCE.incrementAndGet()));
        }
        return output;
    }

    /**
     * Accumulates d(root)/d(leaf) into every leaf below {@code root} that requires a gradient.
     * {@code gradient} is d(loss)/d(root), or null for a scalar root (then 1).
     */
    public static void backward(Tensor root, Tensor gradient) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward: " + root.describe()
                    + " does not require a gradient (no input of the ops that made it had requiresGrad(true))");
        }
        Tensor seed;
        if (gradient == null) {
            if (root.numel() != 1) {
                throw new IllegalArgumentException("backward: " + root.describe()
                        + " is not a scalar; pass its gradient, e.g. backward(Tensor.onesLike(t)), or reduce it with sum()/mean()");
            }
            seed = Tensor.zeros(root.device(), root.dtype(), root.shape()).fill(1);
        } else {
            if (!root.sameShape(gradient)) {
                throw new IllegalArgumentException("backward: gradient " + Shape.format(gradient.shape())
                        + " does not match " + root.describe());
            }
            seed = gradient;
        }
        if (root.isLeaf()) {
            accumulateLeaf(root, seed);
            return;
        }
        List<Node> nodes = collect(root.gradFn());
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        grads.put(root, seed);
        try (NoGrad ignored = noGrad()) {
            for (Node node : nodes) {
                Tensor gradOut = grads.remove(node.output());
                if (gradOut == null) {
                    continue; // no path from root through this node's output
                }
                GradRule rule = Gradients.rule(node.op());
                rule.apply(node, gradOut, new Sink(node, grads));
            }
        }
    }

    /** Nodes reachable from {@code top}, latest first (a valid reverse topological order). */
    private static List<Node> collect(Node top) {
        List<Node> out = new ArrayList<>();
        IdentityHashMap<Node, Boolean> seen = new IdentityHashMap<>();
        ArrayList<Node> stack = new ArrayList<>();
        stack.add(top);
        seen.put(top, true);
        while (!stack.isEmpty()) {
            Node n = stack.removeLast();
            out.add(n);
            for (int i = 0; i < n.inputCount(); i++) {
                Tensor in = n.input(i);
                if (in != null && in.gradFn() != null && seen.put(in.gradFn(), true) == null) {
                    stack.add(in.gradFn());
                }
            }
        }
        // A node's inputs were created before it, so descending sequence order visits every consumer
        // before its producers.
        out.sort(Comparator.comparingLong(Node::sequence).reversed());
        return out;
    }

    private static void accumulateLeaf(Tensor leaf, Tensor grad) {
        if (!leaf.sameShape(grad)) {
            throw new IllegalStateException("gradient " + Shape.format(grad.shape()) + " does not match leaf " + leaf.describe()
                    + " (a gradient rule is wrong)");
        }
        Tensor existing = leaf.grad();
        if (existing == null || !existing.isAlive()) {
            // the gradient lives beside the leaf: its scope, its device
            Tensor fresh = Tensor.zeros(leaf.scope(), leaf.device(), leaf.dtype(), leaf.shape());
            io.panrec.backend.Backends.on("accumulate gradient", grad, fresh).copy(grad, fresh);
            leaf.setGrad(fresh);
        } else {
            io.panrec.backend.Backends.on("accumulate gradient", existing, grad)
                    .binary(io.panrec.backend.BinaryOp.ADD, existing, grad, existing);
        }
    }

    private record Sink(Node node, Map<Tensor, Tensor> grads) implements GradSink {
        @Override
        public boolean wants(int input) {
            Tensor t = node.input(input);
            return t != null && t.requiresGrad();
        }

        @Override
        public void dense(int input, Tensor grad) {
            Tensor t = node.input(input);
            if (t == null || !t.requiresGrad()) {
                return;
            }
            if (!t.sameShape(grad)) {
                throw new IllegalStateException("gradient rule of " + node.op() + " gave " + Shape.format(grad.shape())
                        + " for input " + input + " " + t.describe());
            }
            if (t.isLeaf()) {
                accumulateLeaf(t, grad);
                return;
            }
            Tensor prev = grads.get(t);
            grads.put(t, prev == null ? grad : Elementwise.add(prev, grad));
        }

        @Override
        public void sparseRows(int input, Tensor indices, Tensor values) {
            Tensor t = node.input(input);
            if (t == null || !t.requiresGrad()) {
                return;
            }
            if (!t.isLeaf() || !t.sparseGradients() || !t.device().isHost()) {
                // only leaf tables that asked for it keep sparse gradients; others get a dense one. So do tables
                // in device memory: coalescing sorts the row ids in Java, which would read them back every step
                Tensor dense = Tensor.zeros(t.device(), t.dtype(), t.shape());
                io.panrec.backend.Backends.on("gather backward", values, dense).scatterAddRows(values, indices, dense);
                dense(input, dense);
                return;
            }
            RowSparseGrad g = t.sparseGrad();
            if (g == null) {
                g = new RowSparseGrad(t.shape(0), t.shape(1), t.dtype());
                t.setSparseGrad(g);
            }
            g.add(indices, values);
        }
    }
}
