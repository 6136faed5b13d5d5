package io.panrec.optim;

import io.panrec.autograd.RowSparseGrad;
import io.panrec.tensor.DType;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/** Helpers for the optimizer tests: parameters and gradients set through memory, without kernels. */
final class OptimTesting {
    private OptimTesting() {
    }

    /** A trainable F32 leaf in {@code scope} holding {@code values}. */
    static Tensor param(Scope scope, float[] values, int... shape) {
        Tensor t = Tensor.zeros(scope, DType.F32, shape);
        MemorySegment.copy(values, 0, t.segment(), ValueLayout.JAVA_FLOAT, 0, values.length);
        return t.requiresGrad(true);
    }

    static Tensor param(float[] values, int... shape) {
        return param(Scope.global(), values, shape);
    }

    /** A trainable F64 leaf. */
    static Tensor paramF64(double[] values, int... shape) {
        Tensor t = Tensor.zeros(Scope.global(), DType.F64, shape);
        MemorySegment.copy(values, 0, t.segment(), ValueLayout.JAVA_DOUBLE, 0, values.length);
        return t.requiresGrad(true);
    }

    /** Sets p's dense gradient to {@code values}, reusing its gradient tensor if it has one. */
    static void grad(Tensor p, float[] values) {
        Tensor g = p.grad();
        if (g == null) {
            g = Tensor.zeros(p.scope(), DType.F32, p.shape());
            p.setGrad(g);
        }
        MemorySegment.copy(values, 0, g.segment(), ValueLayout.JAVA_FLOAT, 0, values.length);
    }

    static void grad(Tensor p, double[] values) {
        Tensor g = p.grad();
        if (g == null) {
            g = Tensor.zeros(p.scope(), DType.F64, p.shape());
            p.setGrad(g);
        }
        MemorySegment.copy(values, 0, g.segment(), ValueLayout.JAVA_DOUBLE, 0, values.length);
    }

    /** Adds a row-sparse gradient chunk: rows[n] receives values[n * D .. (n + 1) * D). */
    static void sparse(Tensor table, long[] rows, float[] values) {
        RowSparseGrad g = table.sparseGrad();
        if (g == null) {
            g = new RowSparseGrad(table.shape(0), table.shape(1), table.dtype());
            table.setSparseGrad(g);
        }
        g.add(Tensor.ofLongs(rows, rows.length), Tensor.of(values, rows.length, table.shape(1)));
    }

    static float[] floats(Tensor t) {
        return t.segment().asSlice(t.offset() * 4, t.numel() * 4).toArray(ValueLayout.JAVA_FLOAT);
    }

    static double[] doubles(Tensor t) {
        return t.segment().asSlice(t.offset() * 8, t.numel() * 8).toArray(ValueLayout.JAVA_DOUBLE);
    }

    static float[] random(SplittableRandom r, int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        }
        return v;
    }

    /** Row r of a row-major [rows, cols] array. */
    static float[] row(float[] all, int r, int cols) {
        float[] out = new float[cols];
        System.arraycopy(all, r * cols, out, 0, cols);
        return out;
    }
}
