package io.panrec.backend.vector;

import io.panrec.backend.Backend;
import io.panrec.backend.reference.ReferenceBackend;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import io.panrec.testing.Rand;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The SGEMM's blocking and threading against the reference: sizes that cross every block boundary
 * (MR, NR, KC, MC, NC), every packing path (row-major, transposed, arbitrary strides), beta cases, and
 * thread counts that do not divide the work (more threads than this machine has cores included: the
 * split must be right whatever runs it).
 */
class SgemmTest {
    private final Rand rand = new Rand();
    private final Backend ref = new ReferenceBackend();
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open("sgemm test");
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Sgemm.Mat mat(Tensor t, int q) {
        return new Sgemm.Mat(t.segment(), t.offset() + q * t.stride(0), t.stride(1), t.stride(2));
    }

    /** Runs the SGEMM directly with {@code threads} threads and compares with the reference. */
    private void check(String what, Tensor a, Tensor b, Tensor c, float alpha, float beta, int threads) {
        int batches = c.shape(0);
        Tensor expected = c.copy();
        ref.matmul(a, b, expected, alpha, beta);
        Sgemm.Mat[] ma = new Sgemm.Mat[batches];
        Sgemm.Mat[] mb = new Sgemm.Mat[batches];
        Sgemm.Mat[] mc = new Sgemm.Mat[batches];
        for (int q = 0; q < batches; q++) {
            ma[q] = mat(a, q);
            mb[q] = mat(b, q);
            mc[q] = mat(c, q);
        }
        Sgemm.gemm(ma, mb, mc, c.shape(1), c.shape(2), a.shape(2), alpha, beta, threads);
        rand.assertClose(what + " on " + threads + " threads", expected, c, a.shape(2));
    }

    @Test
    void sizesAcrossEveryBlockBoundary() {
        int kc = Sgemm.KC, mc = Sgemm.MC, nr = Sgemm.NR, mr = Sgemm.MR;
        int[][] shapes = {
            {mr, 3, nr}, {mr + 1, 5, nr + 1}, {mc - 1, kc + 1, 2 * nr - 1}, {mc + 3, 2 * kc + 7, 3 * nr + 5},
            {2 * mc + 1, 17, 37}, {1, 2 * kc + 1, 1}, {5, 7, Sgemm.NC + 9},
            // few rows for many threads (the columns are cut too), and tall and thin
            {3, 300, 2000}, {3 * mc + 5, 300, 3}, {6, 40, Sgemm.NC + 2 * nr + 1},
        };
        for (int[] s : shapes) {
            int m = s[0], k = s[1], n = s[2];
            for (int threads : new int[] {1, 2, 3, 7}) {
                Tensor a = rand.f32(1, m, k), b = rand.f32(1, k, n);
                check("gemm " + m + "x" + k + "x" + n, a, b, rand.f32(1, m, n), 1f, 0f, threads);
            }
        }
    }

    @Test
    void everyPackingPath() {
        int m = 2 * Sgemm.MR + 3, k = Sgemm.KC + 5, n = 3 * Sgemm.NR + 2;
        Tensor[] as = {rand.f32(1, m, k), rand.f32(1, k, m).transpose(1, 2), rand.gapped(1, m, k)};
        Tensor[] bs = {rand.f32(1, k, n), rand.f32(1, n, k).transpose(1, 2), rand.gapped(1, k, n)};
        String[] names = {"row-major", "transposed", "gapped"};
        for (int i = 0; i < as.length; i++) {
            for (int j = 0; j < bs.length; j++) {
                check("A " + names[i] + ", B " + names[j], as[i], bs[j], rand.f32(1, m, n), 0.75f, 0f, 2);
            }
        }
        // C strided: transposed and gapped outputs go through the scalar store
        check("C transposed", as[0], bs[0], Tensor.zeros(1, n, m).transpose(1, 2), 1f, 0f, 2);
        check("C gapped", as[0], bs[0], rand.gapped(1, m, n), 1f, 1f, 3);
    }

    @Test
    void betaIsAppliedOnceAndZeroIgnoresNaN() {
        int m = 37, k = 2 * Sgemm.KC + 3, n = 41; // three slices of K: beta must scale C only once
        for (float beta : new float[] {0f, 1f, 0.5f, -2f}) {
            Tensor a = rand.f32(1, m, k), b = rand.f32(1, k, n);
            Tensor c = beta == 0 ? Tensor.full(Float.NaN, 1, m, n) : rand.f32(1, m, n);
            Tensor expected = beta == 0 ? Tensor.zeros(1, m, n) : c.copy();
            ref.matmul(a, b, expected, 2f, beta);
            Sgemm.gemm(m, n, k, 2f, mat(a, 0), mat(b, 0), beta, mat(c, 0), 2);
            rand.assertClose("beta=" + beta, expected, c, k);
        }
        // K = 0: C = beta C, and beta = 0 clears NaN
        Tensor c = Tensor.full(Float.NaN, 1, 3, 4);
        Sgemm.gemm(3, 4, 0, 1f, mat(Tensor.zeros(1, 3, 0), 0), mat(Tensor.zeros(1, 0, 4), 0), 0f, mat(c, 0), 2);
        assertArrayEquals(new float[12], c.toFloatArray());
    }

    @Test
    void batchesSplitAcrossThreadsWithBroadcastOperands() {
        for (int batches : new int[] {1, 2, 3, 5, 9}) {
            for (int threads : new int[] {1, 2, 4}) {
                Tensor a = rand.f32(1, 70, 90).view(new int[] {batches, 70, 90}, new long[] {0, 90, 1}, 0);
                Tensor b = rand.f32(batches, 90, 50);
                check(batches + " batches, A broadcast", a, b, rand.f32(batches, 70, 50), 1f, 0f, threads);
                Tensor a2 = rand.f32(batches, 70, 90);
                Tensor b2 = rand.f32(1, 90, 50).view(new int[] {batches, 90, 50}, new long[] {0, 50, 1}, 0);
                check(batches + " batches, B broadcast", a2, b2, rand.f32(batches, 70, 50), 1f, 0.5f, threads);
            }
        }
    }

    @Test
    void manyCallersAtOnceShareThePool() throws Exception {
        // the backend is used from many threads at once (Lucene search threads): results must not mix.
        // The threads share the inputs, so these live in a shared scope (a model's parameters would)
        try (Scope shared = Scope.openShared("inputs of every caller")) {
            manyCallers();
        }
    }

    private void manyCallers() throws Exception {
        Tensor a = rand.f32(1, 150, 120), b = rand.f32(1, 120, 130);
        Tensor expected = Tensor.zeros(1, 150, 130);
        ref.matmul(a, b, expected, 1f, 0f);
        VectorBackend vec = new VectorBackend();
        Tensor[] outs = new Tensor[6];
        Thread[] threads = new Thread[6];
        Throwable[] failures = new Throwable[6];
        for (int t = 0; t < threads.length; t++) {
            outs[t] = Tensor.zeros(1, 150, 130);
            int id = t;
            threads[t] = new Thread(() -> {
                try {
                    for (int r = 0; r < 5; r++) {
                        vec.matmul(a, b, outs[id], 1f, 0f);
                    }
                } catch (Throwable e) {
                    failures[id] = e;
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        for (int t = 0; t < threads.length; t++) {
            if (failures[t] != null) {
                throw new AssertionError("caller " + t + " failed" + rand.note(), failures[t]);
            }
            rand.assertClose("concurrent matmul, caller " + t, expected, outs[t], 120);
        }
    }
}
