package io.panrec.cuda;

import io.panrec.tensor.DType;
import io.panrec.tensor.Device;
import io.panrec.tensor.Shape;
import io.panrec.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The checks {@link CudaBackend} makes in Java before any native call: which memory the tensors are in,
 * that they are alive, dtypes and shapes. Nothing here touches a GPU, so it is tested without one. Every
 * message names the op and the tensors, and says how to fix it.
 */
final class CudaChecks {
    private CudaChecks() {
    }

    /** Where a kernel runs. */
    enum Route { HOST, DEVICE }

    /**
     * HOST when every (non-null) tensor is in host memory, DEVICE when every one is on {@code cuda:device};
     * anything else is an error: the backend never moves data behind the caller's back.
     */
    static Route route(String op, int device, Tensor... ts) {
        boolean host = false;
        boolean cuda = false;
        boolean other = false;
        for (Tensor t : ts) {
            if (t == null) {
                continue;
            }
            if (t.device().isHost()) {
                host = true;
            } else if (t.device().kind() == Device.Kind.CUDA && t.device().index() == device) {
                cuda = true;
            } else {
                other = true;
            }
        }
        if (host && !cuda && !other) {
            return Route.HOST;
        }
        if (cuda && !host && !other) {
            for (Tensor t : ts) {
                if (t != null) {
                    alive(op, t);
                }
            }
            return Route.DEVICE;
        }
        if (!host && !cuda && !other) {
            throw new NullPointerException("cuda " + op + ": no tensor given");
        }
        List<String> where = new ArrayList<>();
        for (Tensor t : ts) {
            if (t != null) {
                where.add(t.describe() + (t.device().isHost() ? " cpu" : ""));
            }
        }
        throw new IllegalArgumentException("cuda " + op + ": the tensors are not all on cuda:" + device + " or all on the host ("
                + String.join(", ", where) + "); the cuda backend never copies between them silently: move them with "
                + "CudaTensors.toDevice / toHost first");
    }

    static void alive(String op, Tensor t) {
        if (!t.isAlive()) {
            throw new IllegalStateException("cuda " + op + ": tensor " + t.describe() + " belongs to scope '" + t.scope().path()
                    + "', which is closed (its GPU memory is freed); keep tensors you need in a longer-lived scope");
        }
    }

    static void notNull(String op, String what, Tensor t) {
        if (t == null) {
            throw new NullPointerException("cuda " + op + ": " + what + " is null");
        }
    }

    /**
     * The GPU kernels compute in FP32 only: anything else is an op this backend lacks, said so rather than
     * computed somewhere else.
     */
    static void f32(String op, Tensor... ts) {
        for (Tensor t : ts) {
            if (t != null && t.dtype() != DType.F32) {
                throw new UnsupportedOperationException("cuda " + op + " on " + t.describe() + " is not supported on the GPU "
                        + "(F32 only): convert it with a copy into an F32 device tensor, or run this op on the host "
                        + "(CudaTensors.toHost)");
            }
        }
    }

    static void indices(String op, Tensor t) {
        if (t.dtype() != DType.I32 && t.dtype() != DType.I64) {
            throw new IllegalArgumentException("cuda " + op + ": indices must be I32 or I64, got " + t.describe());
        }
    }

    static void rank(String op, String what, Tensor t, int rank) {
        if (t.rank() != rank) {
            throw new IllegalArgumentException("cuda " + op + ": " + what + " must have rank " + rank + ", got " + t.describe());
        }
    }

    static void shape(String op, String what, Tensor t, int... expected) {
        if (!Arrays.equals(t.shape(), expected)) {
            throw new IllegalArgumentException("cuda " + op + ": " + what + " must have shape " + Shape.format(expected) + ", got "
                    + t.describe());
        }
    }

    static void sameShape(String op, Tensor first, Tensor... others) {
        for (Tensor t : others) {
            if (t != null && !first.sameShape(t)) {
                throw new IllegalArgumentException("cuda " + op + ": shapes differ, " + first.describe() + " vs " + t.describe()
                        + " (broadcast with expand() first)");
            }
        }
    }

    /** cuDNN and cuBLAS take int sizes: a tensor whose element count or a size does not fit is refused. */
    static void fitsInt(String op, Tensor t) {
        if (t != null && t.numel() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("cuda " + op + ": " + t.describe() + " has more than 2^31-1 elements, which cuDNN "
                    + "and cuBLAS index with int; split it (e.g. into smaller batches)");
        }
    }

    /** An axis in [-rank, rank), normalized to [0, rank). */
    static int axis(String op, int axis, int rank) {
        if (axis < -rank || axis >= rank) {
            throw new IllegalArgumentException("cuda " + op + ": axis " + axis + " is out of range for rank " + rank);
        }
        return axis < 0 ? axis + rank : axis;
    }

    /** Reduction output: x's rank, each size 1 or x's. */
    static void reduceShapes(String op, Tensor x, Tensor out) {
        if (x.rank() != out.rank()) {
            throw new IllegalArgumentException("cuda " + op + ": out " + out.describe() + " must have x's rank " + x.rank()
                    + " (keep reduced axes as size 1)");
        }
        for (int d = 0; d < x.rank(); d++) {
            if (out.shape(d) != 1 && out.shape(d) != x.shape(d)) {
                throw new IllegalArgumentException("cuda " + op + ": out " + out.describe() + " does not reduce x " + x.describe()
                        + " (axis " + d + " must be 1 or " + x.shape(d) + ")");
            }
        }
    }

    /** An output must not repeat elements (a stride 0 over a size above 1), or parallel writes would race. */
    static void writable(String op, Tensor out) {
        for (int d = 0; d < out.rank(); d++) {
            if (out.shape(d) > 1 && out.stride(d) == 0) {
                throw new IllegalArgumentException("cuda " + op + ": output " + out.describe() + " is a broadcast view (stride 0 "
                        + "on axis " + d + "); write into a real tensor");
            }
        }
    }
}
