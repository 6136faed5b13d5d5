package io.panrec.ops;

import io.panrec.autograd.Autograd;
import io.panrec.autograd.Op;
import io.panrec.backend.Backend;
import io.panrec.backend.Backends;
import io.panrec.tensor.DType;
import io.panrec.tensor.Device;
import io.panrec.tensor.Shape;
import io.panrec.tensor.Tensor;

import java.util.Arrays;

/**
 * Shape ops. Views ({@link #reshape} of a contiguous tensor, {@link #transpose}, {@link #permute},
 * {@link #slice}, {@link #expand}, {@link #unsqueeze}, {@link #squeeze}) share memory with their input;
 * the others copy. All are differentiable.
 */
public final class Shapes {
    private Shapes() {
    }

    /** Same elements in row-major order, new shape; one dimension may be -1 (inferred). */
    public static Tensor reshape(Tensor x, int... newShape) {
        Checks.alive("reshape", x);
        int[] shape = inferShape(x, newShape);
        Tensor base = x.isContiguous() ? x : rawContiguous(x);
        Tensor out = base.view(shape, Shape.contiguousStrides(shape), base.offset());
        return Autograd.record(Op.RESHAPE, out, new Tensor[] {x});
    }

    /** Alias of {@link #reshape} for code ported from PyTorch. */
    public static Tensor view(Tensor x, int... newShape) {
        return reshape(x, newShape);
    }

    private static int[] inferShape(Tensor x, int[] newShape) {
        int infer = -1;
        long known = 1;
        for (int i = 0; i < newShape.length; i++) {
            if (newShape[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("reshape: only one dimension may be -1, got " + Shape.format(newShape));
                }
                infer = i;
            } else if (newShape[i] < 0) {
                throw new IllegalArgumentException("reshape: negative dimension in " + Shape.format(newShape));
            } else {
                known *= newShape[i];
            }
        }
        int[] shape = newShape.clone();
        if (infer >= 0) {
            if (known == 0 || x.numel() % known != 0) {
                throw new IllegalArgumentException("reshape: cannot infer -1 in " + Shape.format(newShape) + " for "
                        + x.describe());
            }
            shape[infer] = Math.toIntExact(x.numel() / known);
        }
        if (Shape.numel(shape) != x.numel()) {
            throw new IllegalArgumentException("reshape: " + x.describe() + " has " + x.numel() + " elements, shape "
                    + Shape.format(newShape) + " holds " + Shape.numel(shape));
        }
        return shape;
    }

    public static Tensor transpose(Tensor x, int dim0, int dim1) {
        Checks.alive("transpose", x);
        int a = Shape.axis("transpose", dim0, x.rank());
        int b = Shape.axis("transpose", dim1, x.rank());
        int[] perm = identity(x.rank());
        perm[a] = b;
        perm[b] = a;
        return permute(x, perm);
    }

    /** Reorders dimensions: result dimension i is input dimension dims[i]. */
    public static Tensor permute(Tensor x, int... dims) {
        Checks.alive("permute", x);
        if (dims.length != x.rank()) {
            throw new IllegalArgumentException("permute: " + Arrays.toString(dims) + " does not list the " + x.rank()
                    + " dimensions of " + x.describe());
        }
        int[] perm = new int[dims.length];
        boolean[] seen = new boolean[dims.length];
        int[] shape = new int[dims.length];
        long[] strides = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            int d = Shape.axis("permute", dims[i], x.rank());
            if (seen[d]) {
                throw new IllegalArgumentException("permute: dimension " + d + " repeated in " + Arrays.toString(dims));
            }
            seen[d] = true;
            perm[i] = d;
            shape[i] = x.shape(d);
            strides[i] = x.stride(d);
        }
        Tensor out = x.view(shape, strides, x.offset());
        return Autograd.record(Op.PERMUTE, out, new Tensor[] {x}, (Object) perm);
    }

    /** Elements start (inclusive) to end (exclusive) of dimension dim; negative bounds count from the end. */
    public static Tensor slice(Tensor x, int dim, int start, int end) {
        Checks.alive("slice", x);
        int d = Shape.axis("slice", dim, x.rank());
        int n = x.shape(d);
        int s = start < 0 ? start + n : start;
        int e = end < 0 ? end + n : end;
        if (s < 0 || e > n || s > e) {
            throw new IndexOutOfBoundsException("slice: [" + start + ", " + end + ") is outside dimension " + d
                    + " of size " + n + " in " + x.describe());
        }
        int[] shape = x.shape();
        shape[d] = e - s;
        Tensor out = x.view(shape, x.strides(), x.offset() + (long) s * x.stride(d));
        return Autograd.record(Op.SLICE, out, new Tensor[] {x}, d, s);
    }

    /** Repeats size-1 dimensions (and adds leading ones) without copying: numpy broadcasting. */
    public static Tensor expand(Tensor x, int... newShape) {
        Checks.alive("expand", x);
        Tensor out = broadcastView("expand", x, newShape);
        if (Arrays.equals(out.shape(), x.shape())) {
            return x;
        }
        return Autograd.record(Op.EXPAND, out, new Tensor[] {x});
    }

    /**
     * A non-recording view of x broadcast to shape (stride 0 on repeated dimensions). For ops that pass
     * broadcast operands to kernels.
     */
    public static Tensor broadcastView(String op, Tensor x, int[] shape) {
        int rank = shape.length;
        if (x.rank() > rank) {
            throw new IllegalArgumentException(op + ": cannot broadcast " + x.describe() + " to " + Shape.format(shape));
        }
        long[] strides = new long[rank];
        int lead = rank - x.rank();
        for (int i = 0; i < rank; i++) {
            if (i < lead) {
                strides[i] = 0;
                continue;
            }
            int have = x.shape(i - lead);
            if (have == shape[i]) {
                strides[i] = x.stride(i - lead);
            } else if (have == 1) {
                strides[i] = 0;
            } else {
                throw new IllegalArgumentException(op + ": cannot broadcast " + x.describe() + " to " + Shape.format(shape)
                        + " (dimension " + i + ": " + have + " vs " + shape[i] + ")");
            }
        }
        return x.view(shape.clone(), strides, x.offset());
    }

    /** Inserts a dimension of size 1 at dim (which may equal the rank, or be negative). */
    public static Tensor unsqueeze(Tensor x, int dim) {
        Checks.alive("unsqueeze", x);
        int d = Shape.axis("unsqueeze", dim, x.rank() + 1);
        int[] shape = new int[x.rank() + 1];
        long[] strides = new long[x.rank() + 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i == d) {
                shape[i] = 1;
                strides[i] = j < x.rank() ? x.stride(j) * x.shape(j) : 1;
            } else {
                shape[i] = x.shape(j);
                strides[i] = x.stride(j);
                j++;
            }
        }
        Tensor out = x.view(shape, strides, x.offset());
        return Autograd.record(Op.RESHAPE, out, new Tensor[] {x});
    }

    /** Removes dimension dim, which must have size 1. */
    public static Tensor squeeze(Tensor x, int dim) {
        Checks.alive("squeeze", x);
        int d = Shape.axis("squeeze", dim, x.rank());
        if (x.shape(d) != 1) {
            throw new IllegalArgumentException("squeeze: dimension " + d + " of " + x.describe() + " has size "
                    + x.shape(d) + ", not 1");
        }
        int[] shape = Shape.remove(x.shape(), d);
        long[] strides = new long[shape.length];
        for (int i = 0, j = 0; i < x.rank(); i++) {
            if (i != d) {
                strides[j++] = x.stride(i);
            }
        }
        Tensor out = x.view(shape, strides, x.offset());
        return Autograd.record(Op.RESHAPE, out, new Tensor[] {x});
    }

    /** x itself if contiguous, else a contiguous copy. */
    public static Tensor contiguous(Tensor x) {
        Checks.alive("contiguous", x);
        if (x.isContiguous()) {
            return x;
        }
        return copy(x);
    }

    /** A contiguous copy in the current scope. */
    public static Tensor copy(Tensor x) {
        Checks.alive("copy", x);
        return Autograd.record(Op.CONTIGUOUS, rawContiguous(x), new Tensor[] {x});
    }

    /** A contiguous copy that records nothing (for ops and gradient rules). */
    public static Tensor rawContiguous(Tensor x) {
        Tensor out = Tensor.empty(x.device(), x.dtype(), x.shape()); // overwritten by the copy
        Backends.on("copy", x).copy(x, out);
        return out;
    }

    /**
     * x on {@code target}: x itself when it is there, else a contiguous copy in the current scope made by the
     * device side's backend ({@link io.panrec.backend.Backend#transfer}). Recorded by autograd: the gradient is
     * moved back to x's device.
     */
    public static Tensor toDevice(Tensor x, Device target) {
        Checks.alive("to(" + target + ")", x);
        Device from = x.device();
        if (from.equals(target)) {
            return x;
        }
        Tensor out;
        if (from.isHost() || target.isHost()) {
            Device dev = from.isHost() ? target : from;
            out = Tensor.empty(target, x.dtype(), x.shape()); // overwritten by the transfer
            Backends.forDevice(dev).transfer(x, out);
        } else {
            // between two devices: through host memory, said plainly rather than hidden in a kernel
            out = toDevice(toDevice(x.detach(), Device.CPU), target);
        }
        return Autograd.record(Op.TO_DEVICE, out, new Tensor[] {x}, from);
    }

    /** A copy converted to dtype (x itself if it already has it). */
    public static Tensor cast(Tensor x, DType dtype) {
        Checks.alive("cast", x);
        if (x.dtype() == dtype) {
            return x;
        }
        Tensor out = Tensor.empty(x.device(), dtype, x.shape()); // overwritten by the copy
        Backends.on("cast", x).copy(x, out);
        if (!dtype.isFloating() || !x.dtype().isFloating()) {
            return out; // integer results carry no gradient
        }
        return Autograd.record(Op.CAST, out, new Tensor[] {x});
    }

    /** Joins tensors along dim; all other dimensions must agree. */
    public static Tensor concat(int dim, Tensor... parts) {
        if (parts.length == 0) {
            throw new IllegalArgumentException("concat: no tensors given");
        }
        Tensor first = parts[0];
        Checks.alive("concat", first);
        int d = Shape.axis("concat", dim, first.rank());
        int total = 0;
        for (Tensor p : parts) {
            Checks.alive("concat", p);
            if (p.rank() != first.rank() || p.dtype() != first.dtype()) {
                throw new IllegalArgumentException("concat: " + p.describe() + " does not match " + first.describe());
            }
            for (int i = 0; i < p.rank(); i++) {
                if (i != d && p.shape(i) != first.shape(i)) {
                    throw new IllegalArgumentException("concat along " + d + ": " + p.describe() + " and " + first.describe()
                            + " differ in dimension " + i);
                }
            }
            total += p.shape(d);
        }
        int[] shape = first.shape();
        shape[d] = total;
        Backend backend = Backends.on("concat", parts);
        Tensor out = Tensor.empty(first.device(), first.dtype(), shape); // the parts' copies cover every element
        int at = 0;
        for (Tensor p : parts) {
            int n = p.shape(d);
            int[] s = out.shape();
            s[d] = n;
            backend.copy(p, out.view(s, out.strides(), out.offset() + (long) at * out.stride(d)));
            at += n;
        }
        return Autograd.record(Op.CONCAT, out, parts, d);
    }

    /** Stacks same-shaped tensors along a new dimension dim. */
    public static Tensor stack(int dim, Tensor... parts) {
        if (parts.length == 0) {
            throw new IllegalArgumentException("stack: no tensors given");
        }
        Tensor[] u = new Tensor[parts.length];
        for (int i = 0; i < parts.length; i++) {
            if (!parts[i].sameShape(parts[0])) {
                throw new IllegalArgumentException("stack: " + parts[i].describe() + " differs from " + parts[0].describe());
            }
            u[i] = unsqueeze(parts[i], dim);
        }
        return concat(dim, u);
    }

    /**
     * A rank-3 view [B, R, C] of x [b..., R, C] when its batch dimensions can be merged without a copy
     * (including broadcast batch dimensions of stride 0), or null.
     */
    public static Tensor asBatch3(Tensor x) {
        int r = x.rank();
        if (r < 2) {
            throw new IllegalArgumentException("asBatch3: rank " + r);
        }
        int batch = 1;
        for (int i = 0; i < r - 2; i++) {
            batch *= x.shape(i);
        }
        long bStride = 0;
        // find the innermost non-trivial batch dim; all outer ones must chain onto it
        int inner = -1;
        for (int i = r - 3; i >= 0; i--) {
            if (x.shape(i) != 1) {
                inner = i;
                break;
            }
        }
        if (inner >= 0) {
            bStride = x.stride(inner);
            long expect = x.stride(inner) * x.shape(inner);
            for (int i = inner - 1; i >= 0; i--) {
                if (x.shape(i) == 1) {
                    continue;
                }
                if (x.stride(i) != expect) {
                    return null;
                }
                expect = x.stride(i) * x.shape(i);
            }
        }
        return x.view(new int[] {batch, x.shape(r - 2), x.shape(r - 1)},
                new long[] {bStride, x.stride(r - 2), x.stride(r - 1)}, x.offset());
    }

    static int[] identity(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        return p;
    }
}
