package io.panrec.autograd;

import io.panrec.backend.Backends;
import io.panrec.tensor.DType;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Checks gradient rules against central finite differences, in double precision on the reference
 * backend (PyTorch's {@code gradcheck}). For a function f of some tensors, it back-propagates
 * {@code sum(f(x) * w)} for a random w and compares every input's gradient with
 * {@code (L(x + h) - L(x - h)) / 2h}, element by element.
 */
public final class GradCheck {
    private static final double STEP = 1e-6;
    private static final double ABS_TOL = 1e-6;
    private static final double REL_TOL = 1e-4;
    /** Elements probed per input; larger inputs are sampled (deterministically). */
    private static final int MAX_PROBES = 400;

    private GradCheck() {
    }

    /**
     * Checks f at the given inputs: F64 leaves with {@code requiresGrad(true)} are checked; other inputs
     * (indices, constants) are passed through. Throws AssertionError naming the input, element, analytic
     * and numeric values. Returns the ops seen in f's graph (for coverage checks).
     */
    public static java.util.Set<Op> check(String name, Function<Tensor[], Tensor> f, Tensor... inputs) {
        try (Backends.Using ignored = Backends.use("reference"); Scope scope = Scope.open("gradcheck " + name)) {
            for (Tensor t : inputs) {
                if (t.requiresGrad() && t.dtype() != DType.F64) {
                    throw new IllegalArgumentException("GradCheck " + name + ": differentiable inputs must be F64, got "
                            + t.describe());
                }
                t.setGrad(null);
                t.setSparseGrad(null);
            }
            Tensor y = f.apply(inputs);
            if (!y.requiresGrad()) {
                throw new AssertionError("GradCheck " + name + ": the output does not require a gradient");
            }
            java.util.Set<Op> ops = opsBelow(y);
            SplittableRandom random = new SplittableRandom(name.hashCode());
            double[] w = new double[(int) y.numel()];
            for (int i = 0; i < w.length; i++) {
                w[i] = random.nextDouble(-1, 1);
            }
            Tensor wt = Tensor.ofDoubles(w, y.shape());
            y.backward(wt);

            for (int k = 0; k < inputs.length; k++) {
                Tensor x = inputs[k];
                if (!x.requiresGrad()) {
                    continue;
                }
                double[] analytic = analytic(x);
                int n = (int) x.numel();
                for (int flat : probes(n, random)) {
                    int[] idx = unflatten(flat, x.shape());
                    double orig = x.get(idx);
                    x.set(orig + STEP, idx);
                    double plus = objective(f, inputs, w);
                    x.set(orig - STEP, idx);
                    double minus = objective(f, inputs, w);
                    x.set(orig, idx);
                    double numeric = (plus - minus) / (2 * STEP);
                    double a = analytic[flat];
                    if (!(Math.abs(a - numeric) <= ABS_TOL + REL_TOL * Math.max(Math.abs(a), Math.abs(numeric)))) {
                        throw new AssertionError("GradCheck " + name + ": input " + k + " " + x.describe() + " element "
                                + Arrays.toString(idx) + ": analytic " + a + " vs numeric " + numeric);
                    }
                }
            }
            return ops;
        }
    }

    private static double[] analytic(Tensor x) {
        int n = (int) x.numel();
        double[] g = new double[n];
        if (x.grad() != null) {
            double[] d = x.grad().toDoubleArray();
            System.arraycopy(d, 0, g, 0, n);
        }
        if (x.sparseGrad() != null) {
            double[] d = x.sparseGrad().toDense().toDoubleArray();
            for (int i = 0; i < n; i++) {
                g[i] += d[i];
            }
        }
        return g;
    }

    private static double objective(Function<Tensor[], Tensor> f, Tensor[] inputs, double[] w) {
        try (Autograd.NoGrad ignored = Autograd.noGrad(); Scope s = Scope.open("gradcheck probe")) {
            double[] y = f.apply(inputs).toDoubleArray();
            double sum = 0;
            for (int i = 0; i < y.length; i++) {
                sum += y[i] * w[i];
            }
            return sum;
        }
    }

    private static List<Integer> probes(int n, SplittableRandom random) {
        List<Integer> out = new ArrayList<>();
        if (n <= MAX_PROBES) {
            for (int i = 0; i < n; i++) {
                out.add(i);
            }
        } else {
            for (int i = 0; i < MAX_PROBES; i++) {
                out.add(random.nextInt(n));
            }
        }
        return out;
    }

    private static int[] unflatten(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int i = shape.length - 1; i >= 0; i--) {
            idx[i] = flat % shape[i];
            flat /= shape[i];
        }
        return idx;
    }

    /** The ops recorded in the graph below t. */
    public static java.util.Set<Op> opsBelow(Tensor t) {
        java.util.Set<Op> ops = java.util.EnumSet.noneOf(Op.class);
        java.util.IdentityHashMap<Node, Boolean> seen = new java.util.IdentityHashMap<>();
        java.util.ArrayDeque<Node> todo = new java.util.ArrayDeque<>();
        if (t.gradFn() != null) {
            todo.add(t.gradFn());
        }
        while (!todo.isEmpty()) {
            Node n = todo.poll();
            if (seen.put(n, true) != null) {
                continue;
            }
            ops.add(n.op());
            for (int i = 0; i < n.inputCount(); i++) {
                if (n.input(i) != null && n.input(i).gradFn() != null) {
                    todo.add(n.input(i).gradFn());
                }
            }
        }
        return ops;
    }
}
