package io.panrec.optim;

import io.panrec.backend.Backend;
import io.panrec.backend.Backends;
import io.panrec.backend.BinaryOp;
import io.panrec.backend.UnaryOp;
import io.panrec.tensor.DType;
import io.panrec.tensor.Device;
import io.panrec.tensor.Tensor;

/**
 * Element-wise arithmetic on the tensors of one parameter in a device's memory, for the optimizers' update
 * rules there ({@link Optimizer#deviceKernel}): each method is one kernel of the device's backend
 * ({@link Backend#binary}, {@link Backend#unary}), so nothing is read from device memory in Java. Results
 * are new tensors of the parameter's shape in the current scope (the step's temporary scope), unless written
 * {@link #into} an existing one; scalars are one-element tensors broadcast with stride 0.
 *
 * <p>Each operation rounds to the parameter's dtype, so a rule that applies them in the order of its host
 * kernel's expression gets the same numbers as the host: Java evaluates {@code a * b + c} without fusing
 * either.
 */
public final class DeviceMath {
    private final Backend backend;
    private final Device device;
    private final DType dtype;
    private final int[] shape;
    private final long[] broadcast;

    DeviceMath(Tensor param) {
        this.backend = Backends.forDevice(param.device());
        this.device = param.device();
        this.dtype = param.dtype();
        this.shape = param.shape();
        this.broadcast = new long[shape.length];
    }

    /** The constant {@code value} (rounded to the dtype) in the parameter's shape, as a stride-0 view. */
    public Tensor scalar(double value) {
        Tensor c = Tensor.empty(device, dtype, 1);
        backend.fill(c, value);
        return c.view(shape, broadcast, 0);
    }

    /** {@code out = a (op) b}; out may be a or b itself. Returns out. */
    public Tensor into(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        backend.binary(op, a, b, out);
        return out;
    }

    private Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        return into(op, a, b, Tensor.empty(device, dtype, shape));
    }

    public Tensor add(Tensor a, Tensor b) {
        return binary(BinaryOp.ADD, a, b);
    }

    public Tensor add(Tensor a, double c) {
        return binary(BinaryOp.ADD, a, scalar(c));
    }

    public Tensor sub(Tensor a, Tensor b) {
        return binary(BinaryOp.SUB, a, b);
    }

    public Tensor mul(Tensor a, Tensor b) {
        return binary(BinaryOp.MUL, a, b);
    }

    public Tensor mul(Tensor a, double c) {
        return binary(BinaryOp.MUL, a, scalar(c));
    }

    public Tensor div(Tensor a, Tensor b) {
        return binary(BinaryOp.DIV, a, b);
    }

    public Tensor div(Tensor a, double c) {
        return binary(BinaryOp.DIV, a, scalar(c));
    }

    public Tensor sqrt(Tensor a) {
        Tensor out = Tensor.empty(device, dtype, shape);
        backend.unary(UnaryOp.SQRT, 0, a, out);
        return out;
    }
}
