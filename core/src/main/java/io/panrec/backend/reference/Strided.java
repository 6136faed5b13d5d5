package io.panrec.backend.reference;

import io.panrec.tensor.DType;
import io.panrec.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Plain element access to a strided tensor view, in double, for the reference kernels. */
final class Strided {
    final Tensor t;
    final MemorySegment seg;
    final DType dtype;
    final int[] shape;
    final long[] strides;
    final long offset;

    Strided(Tensor t) {
        this.t = t;
        if (!t.device().isHost()) {
            // a device pointer read from Java would crash the JVM: refuse before touching it
            throw new IllegalArgumentException("the reference backend runs on host memory, got " + t.describe() + " on "
                    + t.device() + " (copy it to the CPU first)");
        }
        this.seg = t.segment();
        this.dtype = t.dtype();
        this.shape = t.shape();
        this.strides = t.strides();
        this.offset = t.offset();
    }

    int n() {
        return (int) t.numel();
    }

    /** Storage offsets of every element in row-major logical order. */
    long[] offsets() {
        int n = n();
        long[] out = new long[n];
        int rank = shape.length;
        int[] idx = new int[rank];
        long off = offset;
        for (int i = 0; i < n; i++) {
            out[i] = off;
            for (int d = rank - 1; d >= 0; d--) {
                idx[d]++;
                off += strides[d];
                if (idx[d] < shape[d]) {
                    break;
                }
                off -= strides[d] * shape[d];
                idx[d] = 0;
            }
        }
        return out;
    }

    double get(long off) {
        return switch (dtype) {
            case F32 -> seg.getAtIndex(ValueLayout.JAVA_FLOAT, off);
            case F64 -> seg.getAtIndex(ValueLayout.JAVA_DOUBLE, off);
            case I32 -> seg.getAtIndex(ValueLayout.JAVA_INT, off);
            case I64 -> seg.getAtIndex(ValueLayout.JAVA_LONG, off);
        };
    }

    long getLong(long off) {
        return switch (dtype) {
            case I32 -> seg.getAtIndex(ValueLayout.JAVA_INT, off);
            case I64 -> seg.getAtIndex(ValueLayout.JAVA_LONG, off);
            default -> (long) get(off);
        };
    }

    void set(long off, double v) {
        switch (dtype) {
            case F32 -> seg.setAtIndex(ValueLayout.JAVA_FLOAT, off, (float) v);
            case F64 -> seg.setAtIndex(ValueLayout.JAVA_DOUBLE, off, v);
            case I32 -> seg.setAtIndex(ValueLayout.JAVA_INT, off, (int) v);
            case I64 -> seg.setAtIndex(ValueLayout.JAVA_LONG, off, (long) v);
        }
    }

    /** Offset of a full index. */
    long at(int... idx) {
        long off = offset;
        for (int d = 0; d < idx.length; d++) {
            off += idx[d] * strides[d];
        }
        return off;
    }
}
