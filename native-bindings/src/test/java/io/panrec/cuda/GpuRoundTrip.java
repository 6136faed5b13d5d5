package io.panrec.cuda;

import io.panrec.backend.Availability;
import io.panrec.backend.Backend;
import io.panrec.backend.BackendProvider;
import io.panrec.backend.Backends;
import io.panrec.backend.BinaryOp;
import io.panrec.backend.ConvSpec;
import io.panrec.backend.PoolSpec;
import io.panrec.backend.ReduceOp;
import io.panrec.backend.UnaryOp;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;

/**
 * A test backend that runs every kernel of {@link CudaBackend} on the GPU for host tensors: each call copies the
 * whole storage of every input to the device (so views keep their strides, offsets and broadcasts), runs the
 * GPU kernel on the device views, and copies the outputs' storage back. This lets the conformance suite and the
 * gradient cases, which allocate host tensors, check the GPU kernels against the reference. Registered as the
 * provider {@code cuda-roundtrip} so that code looking backends up by name (the gradient checker) finds it.
 */
final class GpuRoundTrip implements Backend {
    static final String NAME = "cuda-roundtrip";
    private final CudaBackend gpu;

    private GpuRoundTrip(CudaBackend gpu) {
        this.gpu = gpu;
    }

    /** The registered instance; only call when CUDA is available. */
    static synchronized GpuRoundTrip get() {
        if (Backends.providers().stream().noneMatch(p -> p.name().equals(NAME))) {
            // resolved here, not in create(): Backends creates providers inside a map update, which must not nest
            CudaBackend gpu = (CudaBackend) Backends.named("cuda");
            Backends.register(new BackendProvider() {
                @Override
                public String name() {
                    return NAME;
                }

                @Override
                public int rank() {
                    return -1; // never the default
                }

                @Override
                public Availability availability() {
                    return CudaLibraries.availability();
                }

                @Override
                public Backend create() {
                    return new GpuRoundTrip(gpu);
                }
            });
        }
        return (GpuRoundTrip) Backends.named(NAME);
    }

    CudaBackend gpu() {
        return gpu;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** A flat view over a tensor's whole storage, in host or device memory alike. */
    private static Tensor storage(Tensor t) {
        long elements = t.segment().byteSize() / t.dtype().byteSize();
        if (t.device().isHost()) {
            return Tensor.wrap(t.segment(), t.scope(), t.dtype(), (int) elements);
        }
        return Tensor.onDevice(t.segment(), t.scope(), t.device(), t.dtype(), (int) elements);
    }

    /** The same view of a device copy of the storage. */
    private Tensor up(Tensor h) {
        if (h == null) {
            return null;
        }
        Tensor d = CudaTensors.toDevice(storage(h), gpu.device(), Scope.current());
        return d.view(h.shape(), h.strides(), h.offset());
    }

    private static void down(Tensor d, Tensor h) {
        if (h != null) {
            CudaTensors.copyToHost(storage(d), storage(h));
        }
    }

    /** Runs {@code body} in a scope that frees the device copies afterwards. */
    private static void call(Runnable body) {
        try (Scope s = Scope.open("gpu round trip")) {
            body.run();
        }
    }

    @Override
    public void matmul(Tensor a, Tensor b, Tensor c, float alpha, float beta) {
        call(() -> {
            Tensor dc = up(c);
            gpu.matmul(up(a), up(b), dc, alpha, beta);
            down(dc, c);
        });
    }

    @Override
    public void unary(UnaryOp op, float alpha, Tensor x, Tensor out) {
        call(() -> {
            Tensor d = up(out);
            gpu.unary(op, alpha, up(x), d);
            down(d, out);
        });
    }

    @Override
    public void unaryBackward(UnaryOp op, float alpha, Tensor x, Tensor y, Tensor gradOut, Tensor gradIn) {
        call(() -> {
            Tensor d = up(gradIn);
            gpu.unaryBackward(op, alpha, up(x), up(y), up(gradOut), d);
            down(d, gradIn);
        });
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        call(() -> {
            Tensor d = up(out);
            gpu.binary(op, up(a), up(b), d);
            down(d, out);
        });
    }

    @Override
    public void reduce(ReduceOp op, Tensor x, Tensor out) {
        call(() -> {
            Tensor d = up(out);
            gpu.reduce(op, up(x), d);
            down(d, out);
        });
    }

    @Override
    public void softmax(Tensor x, int axis, boolean log, Tensor out) {
        call(() -> {
            Tensor d = up(out);
            gpu.softmax(up(x), axis, log, d);
            down(d, out);
        });
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor gradOut, int axis, boolean log, Tensor gradIn) {
        call(() -> {
            Tensor d = up(gradIn);
            gpu.softmaxBackward(up(y), up(gradOut), axis, log, d);
            down(d, gradIn);
        });
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        call(() -> {
            Tensor d = up(dst);
            gpu.copy(up(src), d);
            down(d, dst);
        });
    }

    @Override
    public void fill(Tensor dst, double value) {
        call(() -> {
            Tensor d = up(dst);
            gpu.fill(d, value);
            down(d, dst);
        });
    }

    @Override
    public void gatherRows(Tensor table, Tensor indices, Tensor out) {
        call(() -> {
            Tensor d = up(out);
            gpu.gatherRows(up(table), up(indices), d);
            down(d, out);
        });
    }

    @Override
    public void scatterAddRows(Tensor src, Tensor indices, Tensor target) {
        call(() -> {
            Tensor d = up(target);
            gpu.scatterAddRows(up(src), up(indices), d);
            down(d, target);
        });
    }

    @Override
    public void conv2d(Tensor x, Tensor w, Tensor bias, Tensor out, ConvSpec spec) {
        call(() -> {
            Tensor d = up(out);
            gpu.conv2d(up(x), up(w), up(bias), d, spec);
            down(d, out);
        });
    }

    @Override
    public void conv2dBackwardData(Tensor gradOut, Tensor w, Tensor gradIn, ConvSpec spec) {
        call(() -> {
            Tensor d = up(gradIn);
            gpu.conv2dBackwardData(up(gradOut), up(w), d, spec);
            down(d, gradIn);
        });
    }

    @Override
    public void conv2dBackwardWeights(Tensor x, Tensor gradOut, Tensor gradW, Tensor gradBias, ConvSpec spec) {
        call(() -> {
            Tensor dw = up(gradW);
            Tensor db = up(gradBias);
            gpu.conv2dBackwardWeights(up(x), up(gradOut), dw, db, spec);
            down(dw, gradW);
            if (gradBias != null) {
                down(db, gradBias);
            }
        });
    }

    @Override
    public void pool2d(PoolSpec spec, Tensor x, Tensor out) {
        call(() -> {
            Tensor d = up(out);
            gpu.pool2d(spec, up(x), d);
            down(d, out);
        });
    }

    @Override
    public void pool2dBackward(PoolSpec spec, Tensor x, Tensor out, Tensor gradOut, Tensor gradIn) {
        call(() -> {
            Tensor d = up(gradIn);
            gpu.pool2dBackward(spec, up(x), up(out), up(gradOut), d);
            down(d, gradIn);
        });
    }

    @Override
    public void layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps, Tensor out, Tensor mean, Tensor rstd) {
        call(() -> {
            Tensor o = up(out);
            Tensor m = up(mean);
            Tensor r = up(rstd);
            gpu.layerNorm(up(x), up(gamma), up(beta), eps, o, m, r);
            down(o, out);
            down(m, mean);
            down(r, rstd);
        });
    }

    @Override
    public void layerNormBackward(Tensor x, Tensor gamma, Tensor mean, Tensor rstd, Tensor gradOut, Tensor gradIn,
                                  Tensor gradGamma, Tensor gradBeta) {
        call(() -> {
            Tensor gi = up(gradIn);
            Tensor gg = up(gradGamma);
            Tensor gb = up(gradBeta);
            gpu.layerNormBackward(up(x), up(gamma), up(mean), up(rstd), up(gradOut), gi, gg, gb);
            down(gi, gradIn);
            if (gradGamma != null) {
                down(gg, gradGamma);
            }
            if (gradBeta != null) {
                down(gb, gradBeta);
            }
        });
    }
}
