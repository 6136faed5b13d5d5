package io.panrec.backend.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;

/**
 * Single-precision GEMM in the Goto/BLIS style. For each KC-deep slice of K, a KC x NC block of B is
 * packed into NR-wide column panels and an MC x KC block of A (times alpha) into MR-tall row panels;
 * a register-blocked micro-kernel then keeps an MR x NR tile of C in vector registers while it walks
 * the two panels. Operands are read through arbitrary element strides only while packing, so transposed
 * views cost one differently-ordered copy and nothing in the kernel.
 *
 * <p>Tile shape: MR = 4 rows by NR = 2 vectors, i.e. 8 accumulators. That is fewer than the 12 of the
 * classic 6 x 16 AVX2 kernel on purpose: C2 schedules all the broadcasts of A ahead of the FMAs, so with
 * 12 accumulators (+ 2 B vectors + the broadcasts) it runs out of the 16 ymm registers and spills one
 * accumulator to the stack, and the resulting load-FMA-store chain through memory caps the kernel at
 * about 45% of peak on Zen 3. With 8 accumulators nothing spills, and 8 independent FMA chains are
 * exactly what two FMA pipes with a 4-cycle latency need; measured on L1-resident panels this kernel
 * runs at the FMA peak of the core.
 *
 * <p>Threads: a product (or a batch of products) is cut into rectangles of C, each computed entirely by
 * one thread with its own packing buffers, so threads never wait on each other between blocks. The
 * caller's thread does one share of the work; the rest runs on a dedicated pool.
 */
final class Sgemm {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final int MR = 4;
    static final int NR = 2 * L;
    /** Depth of a packed slice: a B micro-panel (KC x NR floats, 16 KiB with AVX2) stays in L1. */
    static final int KC = 256;
    /** Rows of A packed at once: 128 x 256 floats = 128 KiB, comfortably inside a 512 KiB L2. */
    static final int MC = 128;
    /** Columns of B packed at once: 256 x 4096 floats = 4 MiB, a share of L3. */
    static final int NC = 4096;
    /** Multiply-adds below which a thread's share is too small to pay for handing it to another thread. */
    static final long MIN_TASK_WORK = 1L << 18;

    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    /** Four floats: one k-step of a packed A panel, loaded at once from a column-major (transposed) A. */
    private static final VectorSpecies<Float> S4 = FloatVector.SPECIES_128;

    static {
        if (S4.length() != MR) {
            throw new AssertionError("packing of transposed A assumes MR == 4");
        }
    }

    private Sgemm() {
    }

    /** A strided float matrix in a segment: element (i, j) at {@code offset + i * rs + j * cs} (in floats). */
    record Mat(MemorySegment seg, long offset, long rs, long cs) {
    }

    /** One rectangle of one product: C[i0:i1, j0:j1] of batch entry {@code q}. */
    private record Task(int q, int i0, int i1, int j0, int j1) {
    }

    /** C = alpha A B + beta C for one product A [M, K], B [K, N], C [M, N]. */
    static void gemm(int m, int n, int k, float alpha, Mat a, Mat b, float beta, Mat c, int threads) {
        gemm(new Mat[] {a}, new Mat[] {b}, new Mat[] {c}, m, n, k, alpha, beta, threads);
    }

    /**
     * {@code c[q] = alpha a[q] b[q] + beta c[q]} for every q; with beta == 0 C's old contents are ignored
     * (even NaN). Up to {@code threads} threads share the work.
     */
    static void gemm(Mat[] a, Mat[] b, Mat[] c, int m, int n, int k, float alpha, float beta, int threads) {
        int batches = c.length;
        if (batches == 0 || m == 0 || n == 0) {
            return;
        }
        long work = (long) m * n * k;
        // Whole products per thread when they divide evenly (or are many); otherwise cut each product too,
        // so that e.g. 3 products on 2 threads do not leave one thread idle for a third of the time.
        int maxParts = batches % threads == 0 || batches >= 4 * threads ? 1 : threads;
        int parts = (int) Math.max(1, Math.min(maxParts, work / MIN_TASK_WORK));
        int[] grid = grid(m, n, parts);
        List<Task> tasks = new ArrayList<>(batches * grid[0] * grid[1]);
        for (int q = 0; q < batches; q++) {
            for (int r = 0; r < grid[0]; r++) {
                for (int s = 0; s < grid[1]; s++) {
                    int i0 = split(m, MR, grid[0], r);
                    int i1 = split(m, MR, grid[0], r + 1);
                    int j0 = split(n, NR, grid[1], s);
                    int j1 = split(n, NR, grid[1], s + 1);
                    if (i0 < i1 && j0 < j1) {
                        tasks.add(new Task(q, i0, i1, j0, j1));
                    }
                }
            }
        }
        long perWorkerMin = Math.max(1, work * batches / Math.max(1, MIN_TASK_WORK));
        int workers = (int) Math.min(Math.min(threads, tasks.size()), perWorkerMin);
        if (workers <= 1 || insidePool()) {
            new Worker(a, b, c, k, alpha, beta).run(tasks, 0, 1);
            return;
        }
        List<ForkJoinTask<?>> forks = new ArrayList<>(workers - 1);
        for (int w = 1; w < workers; w++) {
            int id = w;
            forks.add(Pool.POOL.submit(() -> new Worker(a, b, c, k, alpha, beta).run(tasks, id, workers)));
        }
        RuntimeException failure = null;
        try {
            new Worker(a, b, c, k, alpha, beta).run(tasks, 0, workers);
        } catch (RuntimeException e) {
            failure = e;
        }
        // join every fork, even after a failure: they write into c, which the caller may free on return
        for (ForkJoinTask<?> f : forks) {
            try {
                f.join();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** The kernels' own pool, created on first use and sized by {@link VectorBackend#threads()}. */
    private static final class Pool {
        static final ForkJoinPool POOL = new ForkJoinPool(VectorBackend.threads());
    }

    /** True on a worker of our pool: nested calls (a conv inside a parallel batch) run on their thread. */
    private static boolean insidePool() {
        return Thread.currentThread() instanceof ForkJoinWorkerThread w && w.getPool() == Pool.POOL;
    }

    /**
     * Rows x columns of the grid cutting an m x n product into {@code parts} rectangles (or fewer when it
     * is too small for that): the most nearly square pieces, which need the least packing per thread.
     */
    static int[] grid(int m, int n, int parts) {
        int rowTiles = (m + MR - 1) / MR;
        int colTiles = (n + NR - 1) / NR;
        for (int p = parts; p > 1; p--) {
            int bestTm = 0;
            double best = Double.MAX_VALUE;
            for (int tm = 1; tm <= p; tm++) {
                if (p % tm != 0 || tm > rowTiles || p / tm > colTiles) {
                    continue;
                }
                double cost = (double) m / tm + (double) n / (p / tm);
                if (cost < best) {
                    best = cost;
                    bestTm = tm;
                }
            }
            if (bestTm > 0) {
                return new int[] {bestTm, p / bestTm};
            }
        }
        return new int[] {1, 1};
    }

    /** Start of piece {@code r} of {@code pieces} when [0, size) is cut on multiples of {@code align}. */
    private static int split(int size, int align, int pieces, int r) {
        int units = (size + align - 1) / align;
        return (int) Math.min(size, (long) units * r / pieces * align);
    }

    /** One thread's share: its tasks, its packing buffers. */
    private static final class Worker {
        private final Mat[] a;
        private final Mat[] b;
        private final Mat[] c;
        private final int k;
        private final float alpha;
        private final float beta;
        private float[] packedA;
        private float[] packedB;
        private float[] rowBuf;
        private final float[] tile = new float[MR * NR];

        Worker(Mat[] a, Mat[] b, Mat[] c, int k, float alpha, float beta) {
            this.a = a;
            this.b = b;
            this.c = c;
            this.k = k;
            this.alpha = alpha;
            this.beta = beta;
        }

        void run(List<Task> tasks, int first, int stride) {
            for (int t = first; t < tasks.size(); t += stride) {
                Task task = tasks.get(t);
                rectangle(a[task.q], b[task.q], c[task.q], task.i0, task.i1, task.j0, task.j1);
            }
        }

        private void rectangle(Mat ma, Mat mb, Mat mc, int i0, int i1, int j0, int j1) {
            if (k == 0) {
                scale(mc, i0, i1, j0, j1, beta);
                return;
            }
            int kcMax = Math.min(KC, k);
            int ncMax = Math.min(NC, roundUp(j1 - j0, NR));
            int mcMax = Math.min(MC, roundUp(i1 - i0, MR));
            if (packedB == null || packedB.length < kcMax * ncMax) {
                packedB = new float[kcMax * ncMax];
            }
            if (packedA == null || packedA.length < kcMax * mcMax) {
                packedA = new float[kcMax * mcMax];
            }
            if (rowBuf == null || rowBuf.length < kcMax) {
                rowBuf = new float[kcMax];
            }
            for (int jc = j0; jc < j1; jc += NC) {
                int nc = Math.min(NC, j1 - jc);
                for (int pc = 0; pc < k; pc += KC) {
                    int kc = Math.min(KC, k - pc);
                    // the first slice of K applies beta to C; the later ones accumulate onto it
                    boolean firstSlice = pc == 0;
                    packB(mb, pc, kc, jc, nc);
                    for (int ic = i0; ic < i1; ic += MC) {
                        int mcRows = Math.min(MC, i1 - ic);
                        packA(ma, ic, mcRows, pc, kc);
                        for (int jr = 0; jr < nc; jr += NR) {
                            int nr = Math.min(NR, nc - jr);
                            int bBase = (jr / NR) * kc * NR;
                            for (int ir = 0; ir < mcRows; ir += MR) {
                                int mr = Math.min(MR, mcRows - ir);
                                kernel(kc, packedA, (ir / MR) * kc * MR, packedB, bBase, tile);
                                store(mc, ic + ir, jc + jr, mr, nr, firstSlice);
                            }
                        }
                    }
                }
            }
        }

        /** B[pc:pc+kc, jc:jc+nc] into NR-wide panels of kc rows each; the last panel is zero-padded. */
        private void packB(Mat mb, int pc, int kc, int jc, int nc) {
            float[] out = packedB;
            int fullPanels = nc / NR;
            int tail = nc - fullPanels * NR;
            MemorySegment seg = mb.seg;
            if (mb.cs == 1) {
                for (int p = 0; p < kc; p++) {
                    long row = mb.offset + (pc + p) * mb.rs + jc;
                    for (int pn = 0; pn < fullPanels; pn++) {
                        long byteOff = (row + (long) pn * NR) * 4;
                        int o = pn * kc * NR + p * NR;
                        FloatVector.fromMemorySegment(S, seg, byteOff, NATIVE).intoArray(out, o);
                        FloatVector.fromMemorySegment(S, seg, byteOff + 4L * L, NATIVE).intoArray(out, o + L);
                    }
                    if (tail > 0) {
                        int o = fullPanels * kc * NR + p * NR;
                        for (int j = 0; j < NR; j++) {
                            out[o + j] = j < tail ? seg.getAtIndex(F, row + (long) fullPanels * NR + j) : 0f;
                        }
                    }
                }
                return;
            }
            // columns of B contiguous (a transposed view) or arbitrary strides: one column at a time
            float[] col = rowBuf;
            int panels = fullPanels + (tail > 0 ? 1 : 0);
            for (int pn = 0; pn < panels; pn++) {
                int base = pn * kc * NR;
                for (int jj = 0; jj < NR; jj++) {
                    int j = pn * NR + jj;
                    if (j >= nc) {
                        for (int p = 0; p < kc; p++) {
                            out[base + p * NR + jj] = 0f;
                        }
                        continue;
                    }
                    long start = mb.offset + (long) pc * mb.rs + (jc + j) * mb.cs;
                    readRun(seg, start, mb.rs, col, kc);
                    for (int p = 0; p < kc; p++) {
                        out[base + p * NR + jj] = col[p];
                    }
                }
            }
        }

        /** alpha * A[ic:ic+mc, pc:pc+kc] into MR-tall panels of kc columns each; the last is zero-padded. */
        private void packA(Mat ma, int ic, int mcRows, int pc, int kc) {
            float[] out = packedA;
            int panels = (mcRows + MR - 1) / MR;
            MemorySegment seg = ma.seg;
            for (int pm = 0; pm < panels; pm++) {
                int i0 = ic + pm * MR;
                int h = Math.min(MR, ic + mcRows - i0);
                int base = pm * kc * MR;
                if (ma.rs == 1 && h == MR) {
                    // column-major A (a transposed view): the MR values of one k-step lie side by side
                    for (int p = 0; p < kc; p++) {
                        long byteOff = (ma.offset + i0 + (pc + p) * ma.cs) * 4;
                        FloatVector.fromMemorySegment(S4, seg, byteOff, NATIVE).mul(alpha).intoArray(out, base + p * MR);
                    }
                    continue;
                }
                float[] row = rowBuf;
                for (int i = 0; i < MR; i++) {
                    if (i >= h) {
                        for (int p = 0; p < kc; p++) {
                            out[base + p * MR + i] = 0f;
                        }
                        continue;
                    }
                    readRun(seg, ma.offset + (i0 + i) * ma.rs + pc * ma.cs, ma.cs, row, kc);
                    for (int p = 0; p < kc; p++) {
                        out[base + p * MR + i] = alpha * row[p];
                    }
                }
            }
        }

        /**
         * C[i0:i0+mr, j0:j0+nr] (=, or += after the first slice of K) the tile; on the first slice the
         * old C is scaled by beta, or ignored when beta is 0.
         */
        private void store(Mat mc, int i0, int j0, int mr, int nr, boolean firstSlice) {
            float[] t = tile;
            boolean overwrite = firstSlice && beta == 0f;
            float scale = firstSlice ? beta : 1f;
            MemorySegment seg = mc.seg;
            if (mr == MR && nr == NR && mc.cs == 1) {
                for (int i = 0; i < MR; i++) {
                    long byteOff = (mc.offset + (i0 + i) * mc.rs + j0) * 4;
                    for (int h = 0; h < 2; h++) {
                        long off = byteOff + 4L * L * h;
                        FloatVector v = FloatVector.fromArray(S, t, i * NR + h * L);
                        if (!overwrite) {
                            FloatVector old = FloatVector.fromMemorySegment(S, seg, off, NATIVE);
                            v = scale == 1f ? old.add(v) : old.fma(FloatVector.broadcast(S, scale), v);
                        }
                        v.intoMemorySegment(seg, off, NATIVE);
                    }
                }
                return;
            }
            for (int i = 0; i < mr; i++) {
                for (int j = 0; j < nr; j++) {
                    long o = mc.offset + (i0 + i) * mc.rs + (j0 + j) * mc.cs;
                    float v = t[i * NR + j];
                    if (!overwrite) {
                        float old = seg.getAtIndex(F, o);
                        v = scale == 1f ? old + v : Math.fma(old, scale, v);
                    }
                    seg.setAtIndex(F, o, v);
                }
            }
        }
    }

    /** C[i0:i1, j0:j1] *= beta; beta == 0 writes zeros whatever C held. */
    private static void scale(Mat mc, int i0, int i1, int j0, int j1, float beta) {
        for (int i = i0; i < i1; i++) {
            for (int j = j0; j < j1; j++) {
                long o = mc.offset + i * mc.rs + j * mc.cs;
                mc.seg.setAtIndex(F, o, beta == 0f ? 0f : beta * mc.seg.getAtIndex(F, o));
            }
        }
    }

    /** n floats starting at element {@code start}, {@code stride} apart, into {@code out}. */
    private static void readRun(MemorySegment seg, long start, long stride, float[] out, int n) {
        if (stride == 1) {
            MemorySegment.copy(seg, F, start * 4, out, 0, n);
        } else {
            for (int p = 0; p < n; p++) {
                out[p] = seg.getAtIndex(F, start + p * stride);
            }
        }
    }

    private static int roundUp(int x, int to) {
        return (x + to - 1) / to * to;
    }

    /**
     * The register loop alone: tile = packed A panel (MR x kc) times packed B panel (kc x NR). Nothing
     * else lives in this method, so the 8 accumulators, 2 B vectors and the broadcasts of A fit the 16
     * vector registers of AVX2 without spilling.
     */
    static void kernel(int kc, float[] pa, int ao, float[] pb, int bo, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int ai = ao + p * MR;
            int bi = bo + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, pb, bi);
            FloatVector b1 = FloatVector.fromArray(S, pb, bi + L);
            FloatVector x = FloatVector.broadcast(S, pa[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, pa[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, pa[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, pa[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
    }
}
