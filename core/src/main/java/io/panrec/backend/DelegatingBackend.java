package io.panrec.backend;

import io.panrec.tensor.Tensor;

import java.util.Objects;

/**
 * A backend that forwards every kernel to another one; accelerated backends extend it and override the
 * kernels they do better, so that what they lack runs on the delegate over the same memory, with no copy.
 */
public abstract class DelegatingBackend implements Backend, FusedLookup {
    protected final Backend fallback;

    protected DelegatingBackend(Backend fallback) {
        this.fallback = Objects.requireNonNull(fallback, "fallback");
    }

    /** The backend that runs what this one does not override. */
    public Backend fallback() {
        return fallback;
    }

    @Override
    public void matmul(Tensor a, Tensor b, Tensor c, float alpha, float beta) {
        fallback.matmul(a, b, c, alpha, beta);
    }

    @Override
    public void unary(UnaryOp op, float alpha, Tensor x, Tensor out) {
        fallback.unary(op, alpha, x, out);
    }

    @Override
    public void unaryBackward(UnaryOp op, float alpha, Tensor x, Tensor y, Tensor gradOut, Tensor gradIn) {
        fallback.unaryBackward(op, alpha, x, y, gradOut, gradIn);
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        fallback.binary(op, a, b, out);
    }

    @Override
    public void reduce(ReduceOp op, Tensor x, Tensor out) {
        fallback.reduce(op, x, out);
    }

    @Override
    public void softmax(Tensor x, int axis, boolean log, Tensor out) {
        fallback.softmax(x, axis, log, out);
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor gradOut, int axis, boolean log, Tensor gradIn) {
        fallback.softmaxBackward(y, gradOut, axis, log, gradIn);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        fallback.copy(src, dst);
    }

    @Override
    public void fill(Tensor dst, double value) {
        fallback.fill(dst, value);
    }

    @Override
    public void gatherRows(Tensor table, Tensor indices, Tensor out) {
        fallback.gatherRows(table, indices, out);
    }

    /** The fallback's fused lookup, where it has one. */
    @Override
    public boolean canFuseLookup(Tensor table, Tensor indices, Tensor row) {
        return fallback instanceof FusedLookup f && f.canFuseLookup(table, indices, row);
    }

    @Override
    public void gatherRowsAdd(Tensor table, Tensor indices, Tensor row, boolean relu, Tensor out) {
        if (!(fallback instanceof FusedLookup f)) {
            throw new UnsupportedOperationException(name() + " gatherRowsAdd: no fused lookup (canFuseLookup said false)");
        }
        f.gatherRowsAdd(table, indices, row, relu, out);
    }

    @Override
    public void scatterAddRows(Tensor src, Tensor indices, Tensor target) {
        fallback.scatterAddRows(src, indices, target);
    }

    @Override
    public void conv2d(Tensor x, Tensor w, Tensor bias, Tensor out, ConvSpec spec) {
        fallback.conv2d(x, w, bias, out, spec);
    }

    @Override
    public void conv2dBackwardData(Tensor gradOut, Tensor w, Tensor gradIn, ConvSpec spec) {
        fallback.conv2dBackwardData(gradOut, w, gradIn, spec);
    }

    @Override
    public void conv2dBackwardWeights(Tensor x, Tensor gradOut, Tensor gradW, Tensor gradBias, ConvSpec spec) {
        fallback.conv2dBackwardWeights(x, gradOut, gradW, gradBias, spec);
    }

    @Override
    public void pool2d(PoolSpec spec, Tensor x, Tensor out) {
        fallback.pool2d(spec, x, out);
    }

    @Override
    public void pool2dBackward(PoolSpec spec, Tensor x, Tensor out, Tensor gradOut, Tensor gradIn) {
        fallback.pool2dBackward(spec, x, out, gradOut, gradIn);
    }

    @Override
    public void layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps, Tensor out, Tensor mean, Tensor rstd) {
        fallback.layerNorm(x, gamma, beta, eps, out, mean, rstd);
    }

    @Override
    public void layerNormBackward(Tensor x, Tensor gamma, Tensor mean, Tensor rstd, Tensor gradOut,
                                  Tensor gradIn, Tensor gradGamma, Tensor gradBeta) {
        fallback.layerNormBackward(x, gamma, mean, rstd, gradOut, gradIn, gradGamma, gradBeta);
    }
}
