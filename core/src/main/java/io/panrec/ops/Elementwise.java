package io.panrec.ops;

import io.panrec.autograd.Autograd;
import io.panrec.autograd.Op;
import io.panrec.backend.Backend;
import io.panrec.backend.BinaryOp;
import io.panrec.backend.Backends;
import io.panrec.backend.UnaryOp;
import io.panrec.tensor.DType;
import io.panrec.tensor.Device;
import io.panrec.tensor.Shape;
import io.panrec.tensor.Tensor;

/** Element-wise arithmetic with numpy broadcasting, and the activations. All differentiable. */
public final class Elementwise {
    private Elementwise() {
    }

    public static Tensor add(Tensor a, Tensor b) {
        return binary("add", Op.ADD, BinaryOp.ADD, a, b);
    }

    public static Tensor sub(Tensor a, Tensor b) {
        return binary("sub", Op.SUB, BinaryOp.SUB, a, b);
    }

    public static Tensor mul(Tensor a, Tensor b) {
        return binary("mul", Op.MUL, BinaryOp.MUL, a, b);
    }

    public static Tensor div(Tensor a, Tensor b) {
        return binary("div", Op.DIV, BinaryOp.DIV, a, b);
    }

    /** Element-wise maximum; where equal the gradient goes to a. */
    public static Tensor maximum(Tensor a, Tensor b) {
        return binary("maximum", Op.MAXIMUM, BinaryOp.MAX, a, b);
    }

    /** Element-wise minimum; where equal the gradient goes to a. */
    public static Tensor minimum(Tensor a, Tensor b) {
        return binary("minimum", Op.MINIMUM, BinaryOp.MIN, a, b);
    }

    public static Tensor add(Tensor a, float c) {
        return add(a, constant(a, c));
    }

    public static Tensor sub(Tensor a, float c) {
        return add(a, constant(a, -c));
    }

    /** c - a. */
    public static Tensor rsub(float c, Tensor a) {
        return sub(constant(a, c), a);
    }

    public static Tensor mul(Tensor a, float c) {
        return mul(a, constant(a, c));
    }

    public static Tensor div(Tensor a, float c) {
        return mul(a, constant(a, 1.0f / c));
    }

    /** min(max(x, lo), hi). */
    public static Tensor clamp(Tensor x, float lo, float hi) {
        if (lo > hi) {
            throw new IllegalArgumentException("clamp: lo " + lo + " > hi " + hi);
        }
        return minimum(maximum(x, constant(x, lo)), constant(x, hi));
    }

    /** 1 where a == b, else 0 (a's dtype); not differentiable. */
    public static Tensor eq(Tensor a, Tensor b) {
        try (var ignored = Autograd.noGrad()) {
            return binary("eq", null, BinaryOp.EQ, a, b);
        }
    }

    /** 1 where a > b, else 0 (a's dtype); not differentiable. */
    public static Tensor gt(Tensor a, Tensor b) {
        try (var ignored = Autograd.noGrad()) {
            return binary("gt", null, BinaryOp.GT, a, b);
        }
    }

    /** A scalar of x's dtype, on x's device, in the current scope, that never requires a gradient. */
    public static Tensor constant(Tensor like, double value) {
        Device d = like.device();
        if (d.isHost()) {
            Tensor c = Tensor.zeros(like.dtype(), 1);
            Backends.current().fill(c, value);
            return c;
        }
        Tensor c = Tensor.empty(d, like.dtype(), 1);
        Backends.forDevice(d).fill(c, value);
        return c;
    }

    private static Tensor binary(String name, Op op, BinaryOp kernel, Tensor a, Tensor b) {
        DType dtype = Checks.floating(name, a, b);
        int[] shape = Shape.broadcast(name, a.shape(), b.shape());
        Backend backend = Backends.on(name, a, b);
        Tensor out = Tensor.empty(a.device(), dtype, shape); // the kernel writes every element
        backend.binary(kernel, Shapes.broadcastView(name, a, shape), Shapes.broadcastView(name, b, shape), out);
        return op == null ? out : Autograd.record(op, out, new Tensor[] {a, b});
    }

    // ---------------------------------------------------------------- unary

    /** Applies f to every element; {@code alpha} is f's parameter where it has one (see {@link UnaryOp}). */
    public static Tensor unary(UnaryOp f, float alpha, Tensor x) {
        Checks.floating(f.name().toLowerCase(java.util.Locale.ROOT), x);
        Tensor out = Tensor.empty(x.device(), x.dtype(), x.shape()); // the kernel writes every element
        Backends.on("unary", x).unary(f, alpha, x, out);
        return Autograd.record(Op.UNARY, out, new Tensor[] {x}, f, alpha);
    }

    public static Tensor neg(Tensor x) {
        return unary(UnaryOp.NEG, 0, x);
    }

    public static Tensor abs(Tensor x) {
        return unary(UnaryOp.ABS, 0, x);
    }

    public static Tensor relu(Tensor x) {
        return unary(UnaryOp.RELU, 0, x);
    }

    public static Tensor leakyRelu(Tensor x, float slope) {
        return unary(UnaryOp.LEAKY_RELU, slope, x);
    }

    public static Tensor sigmoid(Tensor x) {
        return unary(UnaryOp.SIGMOID, 0, x);
    }

    public static Tensor tanh(Tensor x) {
        return unary(UnaryOp.TANH, 0, x);
    }

    public static Tensor exp(Tensor x) {
        return unary(UnaryOp.EXP, 0, x);
    }

    public static Tensor log(Tensor x) {
        return unary(UnaryOp.LOG, 0, x);
    }

    public static Tensor sqrt(Tensor x) {
        return unary(UnaryOp.SQRT, 0, x);
    }

    public static Tensor pow(Tensor x, float exponent) {
        return unary(UnaryOp.POW, exponent, x);
    }

    /** log(1 + exp(x)), stable for large |x|. */
    public static Tensor softplus(Tensor x) {
        return unary(UnaryOp.SOFTPLUS, 0, x);
    }

    /** log(sigmoid(x)) = -softplus(-x), stable. */
    public static Tensor logSigmoid(Tensor x) {
        return neg(softplus(neg(x)));
    }

    public static Tensor gelu(Tensor x) {
        return unary(UnaryOp.GELU_TANH, 0, x);
    }
}
