package io.panrec.ops;

import io.panrec.autograd.Autograd;
import io.panrec.autograd.Op;
import io.panrec.backend.Backend;
import io.panrec.backend.Backends;
import io.panrec.backend.FusedLinear;
import io.panrec.tensor.DType;
import io.panrec.tensor.Shape;
import io.panrec.tensor.Tensor;

/** Matrix products. */
public final class Linalg {
    private Linalg() {
    }

    /**
     * Batched matrix product a [..., M, K] @ b [..., K, N] -> [..., M, N], batch dimensions broadcast
     * as in numpy. A 1-D a is treated as [1, K] and a 1-D b as [K, 1], and that dimension is dropped
     * from the result. Transposed operands are views ({@code b.t()}) and are not copied.
     */
    public static Tensor matmul(Tensor a, Tensor b) {
        DType dtype = Checks.floating("matmul", a, b);
        if (a.rank() == 0 || b.rank() == 0) {
            throw new IllegalArgumentException("matmul: scalars are not matrices: " + a.describe() + " @ " + b.describe()
                    + " (use mul)");
        }
        if (a.rank() == 1) {
            return Shapes.squeeze(matmul(Shapes.unsqueeze(a, 0), b), -2);
        }
        if (b.rank() == 1) {
            return Shapes.squeeze(matmul(a, Shapes.unsqueeze(b, 1)), -1);
        }
        int m = a.shape(-2);
        int k = a.shape(-1);
        int n = b.shape(-1);
        if (b.shape(-2) != k) {
            throw new IllegalArgumentException("matmul: inner dimensions differ: " + a.describe() + " @ " + b.describe()
                    + " (" + k + " vs " + b.shape(-2) + ")");
        }
        int[] batchA = java.util.Arrays.copyOf(a.shape(), a.rank() - 2);
        int[] batchB = java.util.Arrays.copyOf(b.shape(), b.rank() - 2);
        int[] batch = Shape.broadcast("matmul (batch dimensions)", batchA, batchB);
        int[] outShape = java.util.Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = m;
        outShape[batch.length + 1] = n;
        // beta = 0: the kernel ignores c's old contents (Backend.matmul), so c needs no zero-fill; an empty
        // inner dimension still gets zeros, as no kernel has to write anything then
        Backend backend = Backends.on("matmul", a, b);
        Tensor out = k > 0 ? Tensor.empty(a.device(), dtype, outShape) : Tensor.zeros(a.device(), dtype, outShape);
        Tensor a3 = batch3(a, batch, m, k);
        Tensor b3 = batch3(b, batch, k, n);
        Tensor c3 = Shapes.asBatch3(out);
        backend.matmul(a3, b3, c3, 1f, 0f);
        return Autograd.record(Op.MATMUL, out, new Tensor[] {a, b});
    }

    private static Tensor batch3(Tensor x, int[] batch, int rows, int cols) {
        int[] full = java.util.Arrays.copyOf(batch, batch.length + 2);
        full[batch.length] = rows;
        full[batch.length + 1] = cols;
        Tensor v = Shapes.broadcastView("matmul", x, full);
        Tensor b3 = Shapes.asBatch3(v);
        if (b3 == null) {
            b3 = Shapes.asBatch3(Shapes.rawContiguous(v));
        }
        return b3;
    }

    /** x [..., in] @ w.T + bias, for w [out, in] and bias [out] (may be null): PyTorch's linear. */
    public static Tensor linear(Tensor x, Tensor w, Tensor bias) {
        Checks.rank("linear", "weight", w, 2);
        if (x.rank() < 1 || x.shape(-1) != w.shape(1)) {
            throw new IllegalArgumentException("linear: input " + x.describe() + " does not end in " + w.shape(1)
                    + " features for weight " + w.describe());
        }
        Tensor fused = fusedLinear(x, w, bias, false);
        if (fused != null) {
            return fused;
        }
        Tensor y = matmul(x, Shapes.transpose(w, 0, 1));
        return bias == null ? y : Elementwise.add(y, bias);
    }

    /** {@code relu(linear(x, w, bias))}: one kernel where the backend fuses it (see {@link FusedLinear}). */
    public static Tensor linearRelu(Tensor x, Tensor w, Tensor bias) {
        Tensor fused = fusedLinear(x, w, bias, true);
        return fused != null ? fused : Elementwise.relu(linear(x, w, bias));
    }

    /**
     * The fused kernel's result when nothing needs a gradient (the fused op has no gradient rule: training
     * records the separate ops) and the backend takes the operands; else null. x [..., in] is flattened to
     * rows when it is contiguous.
     */
    private static Tensor fusedLinear(Tensor x, Tensor w, Tensor bias, boolean relu) {
        // the fused kernels are CPU backends' (FusedLinear takes host tensors): device tensors take the separate ops
        if (!(Backends.current() instanceof FusedLinear f) || Autograd.needsGrad(x, w, bias) || x.rank() < 1 || w.rank() != 2
                || !x.isContiguous() || !x.device().isHost() || !w.device().isHost()
                || (bias != null && !bias.device().isHost())) {
            return null;
        }
        int in = w.shape(1);
        if (x.shape(-1) != in || in == 0) {
            return null;
        }
        int rows = (int) (x.numel() / in);
        Tensor x2 = x.view(new int[] {rows, in}, new long[] {in, 1}, x.offset());
        if (rows == 0 || !f.canFuseLinear(x2, w, bias)) {
            return null;
        }
        int out = w.shape(0);
        Tensor y = Tensor.empty(x.dtype(), rows, out); // the kernel writes every element
        f.linear(x2, w, bias, relu, y);
        int[] shape = x.shape();
        shape[shape.length - 1] = out;
        return y.view(shape, io.panrec.tensor.Shape.contiguousStrides(shape), 0);
    }

    /** Row-wise dot product of a [..., D] and b [..., D] -> [...]. */
    public static Tensor rowDot(Tensor a, Tensor b) {
        return Reductions.sum(Elementwise.mul(a, b), new int[] {-1}, false);
    }
}
