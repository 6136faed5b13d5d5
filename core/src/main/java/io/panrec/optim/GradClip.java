package io.panrec.optim;

import io.panrec.autograd.RowSparseGrad;
import io.panrec.backend.Backend;
import io.panrec.backend.Backends;
import io.panrec.backend.BinaryOp;
import io.panrec.backend.ReduceOp;
import io.panrec.tensor.DType;
import io.panrec.tensor.Device;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.List;
import java.util.Objects;

/**
 * Gradient clipping, as PyTorch's {@code torch.nn.utils.clip_grad_norm_}. Gradients in a device's memory are
 * reduced and scaled there by the device's backend; only each one's sum of squares (one number) comes back
 * to the host, where the clipping decision is made.
 */
public final class GradClip {
    private static final int CHUNK = 1024;

    private GradClip() {
    }

    /**
     * The Euclidean norm of all gradients of {@code params} together (dense and row-sparse), computed in
     * double precision, without changing them. A row-sparse gradient is coalesced first (rows looked up
     * twice count once, with their summed gradient), and is replaced by its coalesced form, allocated
     * in the current scope: call this inside the scope of the backward pass, before the optimizer step.
     */
    public static double globalNorm(List<Tensor> params) {
        return norm(params, null);
    }

    /**
     * Scales all gradients of {@code params} by {@code maxNorm / (norm + 1e-6)} when their global norm
     * exceeds {@code maxNorm}, so that it becomes (just under) {@code maxNorm}; returns the norm before
     * clipping. A non-finite norm (an overflow or NaN in some gradient) leaves the gradients as they are
     * and is returned, so that the caller can skip the step (PyTorch would turn every gradient into NaN
     * or zero). See {@link #globalNorm} about sparse gradients and scopes.
     */
    public static double clipByGlobalNorm(List<Tensor> params, double maxNorm) {
        if (!(maxNorm > 0) || Double.isInfinite(maxNorm)) {
            throw new IllegalArgumentException("clipByGlobalNorm: maxNorm must be finite and > 0, got " + maxNorm);
        }
        List<Tensor> grads = new ArrayList<>();
        double norm = norm(params, grads);
        if (!Double.isFinite(norm)) {
            return norm;
        }
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1) {
            for (Tensor g : grads) {
                scale(g, coef);
            }
        }
        return norm;
    }

    /** The global norm; collects the tensors to scale (dense gradients, coalesced sparse values) if asked. */
    private static double norm(List<Tensor> params, List<Tensor> collect) {
        double sumSq = 0;
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Tensor p : Objects.requireNonNull(params, "params")) {
            Objects.requireNonNull(p, "clipByGlobalNorm: a parameter is null");
            if (!seen.add(p)) {
                continue; // listed twice: count and scale its gradient once
            }
            Tensor g = p.grad();
            if (g != null) {
                sumSq += sumOfSquares("gradient of " + p.describe(), g);
                if (collect != null) {
                    collect.add(g);
                }
            }
            Tensor v = coalescedValues(p);
            if (v != null) {
                sumSq += sumOfSquares("sparse gradient of " + p.describe(), v);
                if (collect != null) {
                    collect.add(v);
                }
            }
        }
        return Math.sqrt(sumSq);
    }

    /**
     * Replaces p's sparse gradient with its coalesced form (one chunk of unique rows) and returns its
     * values, or null without rows. The chunks of the backward pass may share memory with other
     * gradients (a gradient that fans out to two lookups is the same tensor in both chunks), so they
     * are never scaled in place; the coalesced copy is ours. Coalescing an already coalesced gradient
     * again returns the same rows and values.
     */
    private static Tensor coalescedValues(Tensor p) {
        RowSparseGrad sg = p.sparseGrad();
        if (sg == null || sg.isEmpty()) {
            return null;
        }
        RowSparseGrad.Coalesced c = sg.coalesce();
        RowSparseGrad single = new RowSparseGrad(sg.rows(), sg.cols(), c.values().dtype());
        single.add(Tensor.ofLongs(c.rows(), c.rows().length), c.values());
        p.setSparseGrad(single);
        return c.values();
    }

    private static double sumOfSquares(String what, Tensor g) {
        check(what, g);
        if (!g.device().isHost()) {
            // on the device: g * g, summed there; the one-element result is copied back. In the gradient's dtype
            // (F32 on a GPU), not in double as on the host
            try (Scope s = Scope.open("clip norm")) {
                Backend b = Backends.forDevice(g.device());
                Tensor sq = Tensor.empty(g.device(), g.dtype(), g.shape());
                b.binary(BinaryOp.MUL, g, g, sq);
                int[] one = new int[g.rank()];
                java.util.Arrays.fill(one, 1);
                Tensor sum = Tensor.zeros(g.device(), g.dtype(), one);
                b.reduce(ReduceOp.SUM, sq, sum);
                return sum.to(Device.CPU).toDoubleArray()[0];
            }
        }
        MemorySegment seg = g.dataSegment();
        long n = g.numel();
        double total = 0;
        if (g.dtype() == DType.F32) {
            float[] buf = new float[(int) Math.min(n, CHUNK)];
            for (long i = 0; i < n; i += CHUNK) {
                int len = (int) Math.min(CHUNK, n - i);
                MemorySegment.copy(seg, ValueLayout.JAVA_FLOAT, i * Float.BYTES, buf, 0, len);
                double s = 0;
                for (int j = 0; j < len; j++) {
                    double x = buf[j];
                    s += x * x;
                }
                total += s;
            }
        } else {
            double[] buf = new double[(int) Math.min(n, CHUNK)];
            for (long i = 0; i < n; i += CHUNK) {
                int len = (int) Math.min(CHUNK, n - i);
                MemorySegment.copy(seg, ValueLayout.JAVA_DOUBLE, i * Double.BYTES, buf, 0, len);
                double s = 0;
                for (int j = 0; j < len; j++) {
                    s += buf[j] * buf[j];
                }
                total += s;
            }
        }
        return total;
    }

    private static void scale(Tensor g, double coef) {
        if (!g.device().isHost()) {
            try (Scope s = Scope.open("clip scale")) {
                Tensor c = Tensor.empty(g.device(), g.dtype(), 1);
                c.fill(coef);
                int[] shape = g.shape();
                Backends.forDevice(g.device()).binary(BinaryOp.MUL, g, c.view(shape, new long[shape.length], 0), g);
            }
            return;
        }
        MemorySegment seg = g.dataSegment();
        long n = g.numel();
        if (g.dtype() == DType.F32) {
            float c = (float) coef;
            float[] buf = new float[(int) Math.min(n, CHUNK)];
            for (long i = 0; i < n; i += CHUNK) {
                int len = (int) Math.min(CHUNK, n - i);
                MemorySegment.copy(seg, ValueLayout.JAVA_FLOAT, i * Float.BYTES, buf, 0, len);
                for (int j = 0; j < len; j++) {
                    buf[j] *= c;
                }
                MemorySegment.copy(buf, 0, seg, ValueLayout.JAVA_FLOAT, i * Float.BYTES, len);
            }
        } else {
            double[] buf = new double[(int) Math.min(n, CHUNK)];
            for (long i = 0; i < n; i += CHUNK) {
                int len = (int) Math.min(CHUNK, n - i);
                MemorySegment.copy(seg, ValueLayout.JAVA_DOUBLE, i * Double.BYTES, buf, 0, len);
                for (int j = 0; j < len; j++) {
                    buf[j] *= coef;
                }
                MemorySegment.copy(buf, 0, seg, ValueLayout.JAVA_DOUBLE, i * Double.BYTES, len);
            }
        }
    }

    private static void check(String what, Tensor g) {
        if (!g.isAlive()) {
            throw new IllegalStateException("clipByGlobalNorm: the " + what + " belongs to the closed scope '"
                    + g.scope().path() + "'");
        }
        if (!g.isContiguous() || !g.dtype().isFloating()) {
            throw new IllegalArgumentException("clipByGlobalNorm: the " + what + " is " + g.describe()
                    + "; gradients must be contiguous floating-point tensors");
        }
    }
}
