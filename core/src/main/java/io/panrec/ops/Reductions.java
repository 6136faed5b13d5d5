package io.panrec.ops;

import io.panrec.autograd.Autograd;
import io.panrec.autograd.Op;
import io.panrec.backend.Backends;
import io.panrec.backend.ReduceOp;
import io.panrec.tensor.Shape;
import io.panrec.tensor.Tensor;

import java.util.Arrays;

/** Sums, means, maxima and minima over axes, and softmax. All differentiable. */
public final class Reductions {
    private Reductions() {
    }

    /** Sum of all elements, as a tensor of shape []. */
    public static Tensor sum(Tensor x) {
        return reduce("sum", Op.SUM, ReduceOp.SUM, x, Shapes.identity(x.rank()), false);
    }

    public static Tensor sum(Tensor x, int[] axes, boolean keepDim) {
        return reduce("sum", Op.SUM, ReduceOp.SUM, x, axes, keepDim);
    }

    public static Tensor mean(Tensor x) {
        return reduce("mean", Op.MEAN, ReduceOp.MEAN, x, Shapes.identity(x.rank()), false);
    }

    public static Tensor mean(Tensor x, int[] axes, boolean keepDim) {
        return reduce("mean", Op.MEAN, ReduceOp.MEAN, x, axes, keepDim);
    }

    /** Maximum over axes; ties share the gradient equally. */
    public static Tensor max(Tensor x, int[] axes, boolean keepDim) {
        return reduce("max", Op.MAX, ReduceOp.MAX, x, axes, keepDim);
    }

    public static Tensor max(Tensor x) {
        return reduce("max", Op.MAX, ReduceOp.MAX, x, Shapes.identity(x.rank()), false);
    }

    /** Minimum over axes; ties share the gradient equally. */
    public static Tensor min(Tensor x, int[] axes, boolean keepDim) {
        return reduce("min", Op.MIN, ReduceOp.MIN, x, axes, keepDim);
    }

    /** log(sum(exp(x))) over one axis, computed stably. */
    public static Tensor logSumExp(Tensor x, int axis, boolean keepDim) {
        Tensor m;
        try (var ignored = Autograd.noGrad()) {
            m = max(x, new int[] {axis}, true);
        }
        Tensor s = Elementwise.log(sum(Elementwise.exp(Elementwise.sub(x, m)), new int[] {axis}, true));
        Tensor r = Elementwise.add(s, m);
        return keepDim ? r : Shapes.squeeze(r, axis);
    }

    /** Euclidean norm over the last axis: sqrt(sum(x^2) + eps). */
    public static Tensor l2Norm(Tensor x, int axis, boolean keepDim, float eps) {
        return Elementwise.sqrt(Elementwise.add(sum(Elementwise.mul(x, x), new int[] {axis}, keepDim), eps));
    }

    /** x / ||x|| along an axis. */
    public static Tensor normalize(Tensor x, int axis, float eps) {
        return Elementwise.div(x, l2Norm(x, axis, true, eps));
    }

    /** Sums x down to {@code shape}, which x's shape broadcasts from (the adjoint of broadcasting). */
    public static Tensor sumTo(Tensor x, int[] shape) {
        if (Arrays.equals(x.shape(), shape)) {
            return x;
        }
        int lead = x.rank() - shape.length;
        if (lead < 0) {
            throw new IllegalArgumentException("sumTo: " + x.describe() + " cannot be reduced to " + Shape.format(shape));
        }
        int[] axes = new int[x.rank()];
        int n = 0;
        for (int i = 0; i < x.rank(); i++) {
            if (i < lead || (shape[i - lead] == 1 && x.shape(i) != 1)) {
                axes[n++] = i;
            } else if (shape[i - lead] != x.shape(i)) {
                throw new IllegalArgumentException("sumTo: " + x.describe() + " cannot be reduced to " + Shape.format(shape));
            }
        }
        Tensor r = sum(x, Arrays.copyOf(axes, n), true);
        return Shapes.reshape(r, shape);
    }

    /** Normalised axes in ascending order, no repeats. */
    static int[] axes(String name, int[] axes, int rank) {
        boolean[] on = new boolean[rank];
        for (int a : axes) {
            int d = Shape.axis(name, a, rank);
            if (on[d]) {
                throw new IllegalArgumentException(name + ": axis " + a + " repeated in " + Arrays.toString(axes));
            }
            on[d] = true;
        }
        int[] out = new int[axes.length];
        int n = 0;
        for (int i = 0; i < rank; i++) {
            if (on[i]) {
                out[n++] = i;
            }
        }
        return out;
    }

    static int[] keptShape(int[] shape, int[] axes) {
        int[] k = shape.clone();
        for (int a : axes) {
            k[a] = 1;
        }
        return k;
    }

    private static Tensor reduce(String name, Op op, ReduceOp kernel, Tensor x, int[] axesIn, boolean keepDim) {
        Checks.floating(name, x);
        int[] axes = axes(name, axesIn, x.rank());
        if ((kernel == ReduceOp.MAX || kernel == ReduceOp.MIN)) {
            for (int a : axes) {
                if (x.shape(a) == 0) {
                    throw new IllegalArgumentException(name + ": axis " + a + " of " + x.describe() + " is empty");
                }
            }
        }
        int[] kept = keptShape(x.shape(), axes);
        Tensor out = Tensor.zeros(x.device(), x.dtype(), kept);
        Backends.on(name, x).reduce(kernel, x, out);
        Tensor result = out;
        if (!keepDim) {
            int[] shape = new int[x.rank() - axes.length];
            for (int i = 0, j = 0, a = 0; i < x.rank(); i++) {
                if (a < axes.length && axes[a] == i) {
                    a++;
                } else {
                    shape[j++] = x.shape(i);
                }
            }
            result = out.view(shape, Shape.contiguousStrides(shape), 0);
        }
        return Autograd.record(op, result, new Tensor[] {x}, axes, out);
    }

    // ---------------------------------------------------------------- softmax

    public static Tensor softmax(Tensor x, int axis) {
        return softmax("softmax", Op.SOFTMAX, x, axis, false);
    }

    public static Tensor logSoftmax(Tensor x, int axis) {
        return softmax("logSoftmax", Op.LOG_SOFTMAX, x, axis, true);
    }

    private static Tensor softmax(String name, Op op, Tensor x, int axis, boolean log) {
        Checks.floating(name, x);
        int a = Shape.axis(name, axis, x.rank());
        Tensor out = Tensor.zeros(x.device(), x.dtype(), x.shape());
        Backends.on(name, x).softmax(x, a, log, out);
        return Autograd.record(op, out, new Tensor[] {x}, a);
    }
}
