package io.panrec.ops;

import io.panrec.tensor.DType;
import io.panrec.tensor.Shape;
import io.panrec.tensor.Tensor;

/** Argument checks shared by the ops: each message names the op, the tensors and how to fix them. */
public final class Checks {
    private Checks() {
    }

    /** Non-null, alive, floating point, one dtype (devices are checked by {@link io.panrec.backend.Backends#on}). Returns the dtype. */
    public static DType floating(String op, Tensor... tensors) {
        DType dtype = null;
        for (Tensor t : tensors) {
            if (t == null) {
                continue;
            }
            alive(op, t);
            if (!t.dtype().isFloating()) {
                throw new IllegalArgumentException(op + ": needs floating-point tensors, got " + t.describe()
                        + " (convert with .to(DType.F32))");
            }
            if (dtype == null) {
                dtype = t.dtype();
            } else if (dtype != t.dtype()) {
                throw new IllegalArgumentException(op + ": dtypes differ, " + dtype + " vs " + t.describe()
                        + " (convert one with .to(...))");
            }
        }
        if (dtype == null) {
            throw new IllegalArgumentException(op + ": no tensor given");
        }
        return dtype;
    }

    public static void alive(String op, Tensor t) {
        if (t == null) {
            throw new NullPointerException(op + ": tensor is null");
        }
        if (!t.isAlive()) {
            throw new IllegalStateException(op + ": tensor " + t.describe() + " belongs to scope '" + t.scope().path()
                    + "', which is closed; keep results you need in a longer-lived scope (Scope.child, or copy them)");
        }
    }

    /** Integer index tensor (I32 or I64). */
    public static void indices(String op, Tensor t) {
        alive(op, t);
        if (t.dtype() != DType.I32 && t.dtype() != DType.I64) {
            throw new IllegalArgumentException(op + ": indices must be I32 or I64, got " + t.describe());
        }
    }

    public static void rank(String op, String what, Tensor t, int rank) {
        if (t.rank() != rank) {
            throw new IllegalArgumentException(op + ": " + what + " must have rank " + rank + ", got " + t.describe());
        }
    }

    public static void shape(String op, String what, Tensor t, int... expected) {
        if (!java.util.Arrays.equals(t.shape(), expected)) {
            throw new IllegalArgumentException(op + ": " + what + " must have shape " + Shape.format(expected) + ", got "
                    + t.describe());
        }
    }

    /**
     * {@code t} itself when it is in host memory, else a host copy of it (current scope): for the small tensors
     * the ops read in Java (index ranges, masks), never for data a kernel could use where it is.
     */
    public static Tensor onHost(Tensor t) {
        return t.device().isHost() ? t : t.to(io.panrec.tensor.Device.CPU);
    }

    /**
     * Reads every index and checks it lies in [0, bound); returns them. Indices in device memory are copied to
     * the host for the check (they are small, and a kernel must never see an index outside its table), so a
     * lookup on a device costs one small device-to-host copy.
     */
    public static long[] indexRange(String op, Tensor indices, long bound) {
        long[] ids = onHost(indices).toLongArray();
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= bound) {
                throw new IndexOutOfBoundsException(op + ": index " + ids[i] + " at position " + i + " of "
                        + indices.describe() + " is outside [0, " + bound + ")");
            }
        }
        return ids;
    }
}
