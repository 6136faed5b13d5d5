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
            Tensor wt = shaped(w, y.shape());
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

    /**
     * Checks that another backend computes the same values and gradients as the reference: f runs once on
     * the reference in F64 and once on {@code backend} in F32 (copies of the inputs), both back-propagating
     * the same random weighting of the output. Differences must stay within F32 rounding (relative to the
     * largest magnitude of each tensor). Throws AssertionError naming the tensor and element.
     */
    public static void agreesWithReference(String name, String backend, Function<Tensor[], Tensor> f, Tensor... inputs) {
        try (Scope scope = Scope.open("agree " + name)) {
            Tensor[] ref = new Tensor[inputs.length];
            Tensor[] low = new Tensor[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                Tensor x = inputs[i];
                if (x.dtype().isFloating()) {
                    try (Backends.Using r = Backends.use("reference"); Autograd.NoGrad off = Autograd.noGrad()) {
                        ref[i] = x.to(DType.F64).copy().requiresGrad(x.requiresGrad()).sparseGradients(x.sparseGradients());
                        low[i] = x.to(DType.F32).copy().requiresGrad(x.requiresGrad()).sparseGradients(x.sparseGradients());
                    }
                } else {
                    ref[i] = x;
                    low[i] = x;
                }
            }
            double[] refOut;
            double[] w;
            try (Backends.Using r = Backends.use("reference")) {
                Tensor y = f.apply(ref);
                refOut = y.toDoubleArray();
                SplittableRandom random = new SplittableRandom(name.hashCode());
                w = new double[refOut.length];
                for (int i = 0; i < w.length; i++) {
                    w[i] = random.nextDouble(-1, 1);
                }
                if (y.requiresGrad()) {
                    y.backward(shaped(w, y.shape()));
                }
            }
            double[] lowOut;
            try (Backends.Using b = Backends.use(backend)) {
                Tensor y = f.apply(low);
                lowOut = y.toDoubleArray();
                if (y.requiresGrad()) {
                    y.backward(shaped(w, y.shape()).to(DType.F32));
                }
            }
            try (Backends.Using r = Backends.use("reference")) {
                close(name + " output", refOut, lowOut);
                for (int i = 0; i < inputs.length; i++) {
                    if (ref[i].requiresGrad()) {
                        close(name + " gradient of input " + i, analytic(ref[i]), analytic(low[i]));
                    }
                }
            }
        }
    }

    private static void close(String what, double[] expected, double[] actual) {
        if (expected.length != actual.length) {
            throw new AssertionError(what + ": " + expected.length + " vs " + actual.length + " elements");
        }
        double scale = 0;
        for (double v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        double tol = 1e-4 + 2e-4 * scale;
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(expected[i] - actual[i]) <= tol)) {
                throw new AssertionError(what + ": element " + i + " is " + actual[i] + ", reference " + expected[i]
                        + " (tolerance " + tol + ")");
            }
        }
    }

    /** A tensor of exactly this shape, rank 0 included (the array factories make length-1 data 1-D). */
    private static Tensor shaped(double[] data, int[] shape) {
        return Tensor.ofDoubles(data, data.length).view(shape, io.panrec.tensor.Shape.contiguousStrides(shape), 0);
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
