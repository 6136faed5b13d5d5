package io.panrec.onednn;

import io.panrec.backend.Backend;
import io.panrec.backend.Backends;
import io.panrec.onednn.raw.dnnl_h;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The ways panrec can compute C = A B on the same off-heap buffers, for benchmarks that compare them in
 * one run: {@code onednn} (the backend: cached matmul primitive), {@code direct} (one FFM call of
 * {@code dnnl_sgemm}, the native floor), {@code vector} and {@code reference} (the pure-Java backends).
 */
public final class MatmulPaths {
    public static final List<String> PATHS = List.of("direct", "onednn", "vector", "reference");

    private MatmulPaths() {
    }

    /** One prepared product: {@link #run()} computes it, {@link #check()} verifies one entry. */
    public static final class Case {
        final int m, k, n;
        final Tensor a, b, c;
        final Runnable call;

        Case(int m, int k, int n, Tensor a, Tensor b, Tensor c, Runnable call) {
            this.m = m;
            this.k = k;
            this.n = n;
            this.a = a;
            this.b = b;
            this.c = c;
            this.call = call;
        }

        public void run() {
            call.run();
        }

        public Tensor result() {
            return c;
        }

        public double flops() {
            return 2.0 * m * n * k;
        }

        /** Recomputes one entry of C in double and throws if the path got it wrong. */
        public void check(String path) {
            call.run();
            int i = m / 2, j = n / 3;
            double expect = 0;
            for (int p = 0; p < k; p++) {
                expect += a.get(0, i, p) * b.get(0, p, j);
            }
            double got = c.get(0, i, j);
            if (Math.abs(expect - got) > 1e-3 * Math.max(1, Math.abs(expect))) {
                throw new IllegalStateException(path + " matmul " + m + "x" + k + "x" + n + " is wrong: " + got + " vs " + expect);
            }
        }
    }

    /** Allocates A [1, m, k], B [1, k, n], C [1, m, n] in {@code scope} and binds the path's call. */
    public static Case prepare(String path, int m, int k, int n, Scope scope) {
        SplittableRandom r = new SplittableRandom(7);
        Tensor a = uniform(scope, r, m, k);
        Tensor b = uniform(scope, r, k, n);
        Tensor c = Tensor.zeros(scope, io.panrec.tensor.DType.F32, 1, m, n);
        Runnable call = switch (path) {
            case "direct" -> {
                OneDnnLibrary.lookup();
                var pa = a.dataSegment();
                var pb = b.dataSegment();
                var pc = c.dataSegment();
                yield () -> DnnlException.check(dnnl_h.dnnl_sgemm((byte) 'N', (byte) 'N', m, n, k, 1f, pa, k, pb, n, 0f, pc, n),
                        "dnnl_sgemm");
            }
            case "onednn", "vector", "reference" -> {
                Backend backend = Backends.named(path);
                yield () -> backend.matmul(a, b, c, 1f, 0f);
            }
            default -> throw new IllegalArgumentException("unknown matmul path '" + path + "'; known: " + PATHS);
        };
        return new Case(m, k, n, a, b, c, call);
    }

    private static Tensor uniform(Scope scope, SplittableRandom r, int rows, int cols) {
        Tensor t = Tensor.zeros(scope, io.panrec.tensor.DType.F32, 1, rows, cols);
        var seg = t.dataSegment();
        for (long i = 0; i < (long) rows * cols; i++) {
            seg.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i, (float) r.nextDouble(-1, 1));
        }
        return t;
    }
}
