package io.panrec.backend.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import io.panrec.tensor.Scope;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Single-precision GEMM in the Goto/BLIS style. For each KC-deep slice of K, a KC x NC block of B is
 * packed into NR-wide column panels and each MC x KC block of A (times alpha) into MR-tall row panels;
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
 * <p>Threads, for one large product: the threads pack the B block together, then take MC-row blocks of
 * A (and, when A has few rows, column chunks of B) from a shared counter, so a thread that the OS
 * preempts holds back one block, not half of the product. The two phases of each slice are separate
 * fork/join rounds, never a barrier inside a task, so concurrent callers sharing the pool cannot
 * deadlock it. Many small products (attention heads) are instead handed out whole, one per thread.
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

    /** C = alpha A B + beta C for one product A [M, K], B [K, N], C [M, N]. */
    static void gemm(int m, int n, int k, float alpha, Mat a, Mat b, float beta, Mat c, int threads) {
        gemm(new Mat[] {a}, new Mat[] {b}, new Mat[] {c}, m, n, k, alpha, beta, threads);
    }

    /**
     * {@code c[q] = alpha a[q] b[q] + beta c[q]} for every q; with beta == 0 C's old contents are ignored
     * (even NaN). Up to {@code threads} threads share the work.
     */
    static void gemm(Mat[] as, Mat[] bs, Mat[] cs, int m, int n, int k, float alpha, float beta, int threads) {
        int batches = cs.length;
        if (batches == 0 || m == 0 || n == 0) {
            return;
        }
        long work = (long) m * n * Math.max(k, 1);
        int team = (int) Math.max(1, Math.min(threads, work * batches / MIN_TASK_WORK));
        if (team > 1 && insidePool()) {
            team = 1; // already on one of our workers (a product inside a parallel batch): stay there
        }
        Mat[] a = team > 1 ? forWorkers(as) : as;
        Mat[] b = team > 1 ? forWorkers(bs) : bs;
        Mat[] c = team > 1 ? forWorkers(cs) : cs;
        if (team > 1 && batches > 1 && (batches >= 2 * team || work < MIN_TASK_WORK * team)) {
            // many products, or products too small to split: whole products, handed out one at a time
            AtomicInteger next = new AtomicInteger();
            Buffers[] buffers = new Buffers[team];
            parallel(team, id -> {
                Buffers mine = buffers[id] = new Buffers();
                for (int q; (q = next.getAndIncrement()) < batches; ) {
                    product(a[q], b[q], c[q], m, n, k, alpha, beta, 1, new Buffers[] {mine});
                }
            });
            return;
        }
        Buffers[] buffers = new Buffers[team];
        for (int q = 0; q < batches; q++) {
            product(a[q], b[q], c[q], m, n, k, alpha, beta, team, buffers);
        }
    }

    /** The matrices with {@link Scope#forWorkers} views, which the pool's threads may use while the caller waits. */
    private static Mat[] forWorkers(Mat[] ms) {
        Mat[] out = new Mat[ms.length];
        for (int i = 0; i < ms.length; i++) {
            out[i] = new Mat(Scope.forWorkers(ms[i].seg()), ms[i].offset(), ms[i].rs(), ms[i].cs());
        }
        return out;
    }

    /** Per-thread packing space, reused across slices and products of one call. */
    private static final class Buffers {
        float[] a = new float[0];
        float[] run = new float[0];
        final float[] tile = new float[MR * NR];

        float[] a(int size) {
            if (a.length < size) {
                a = new float[size];
            }
            return a;
        }

        float[] run(int size) {
            if (run.length < size) {
                run = new float[size];
            }
            return run;
        }
    }

    /** One product on {@code team} threads ({@code buffers[id]} belongs to thread id). */
    private static void product(Mat ma, Mat mb, Mat mc, int m, int n, int k, float alpha, float beta, int team,
                                Buffers[] buffers) {
        if (k == 0) {
            scale(mc, 0, m, 0, n, beta);
            return;
        }
        int kcMax = Math.min(KC, k);
        float[] packedB = new float[kcMax * Math.min(NC, roundUp(n, NR))];
        int mBlocks = (m + MC - 1) / MC;
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            int panels = (nc + NR - 1) / NR;
            // few row blocks for the threads: cut the columns too, so that every thread has a few items
            int nChunks = Math.max(1, Math.min(panels, (2 * team + mBlocks - 1) / mBlocks));
            int items = mBlocks * nChunks;
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                boolean firstSlice = pc == 0; // the first slice applies beta; the later ones accumulate
                int jcF = jc;
                int pcF = pc;
                parallel(team, id -> {
                    Buffers buf = buffers(buffers, id);
                    packB(mb, pcF, kc, jcF, nc, panels * id / team, panels * (id + 1) / team, packedB, buf);
                });
                AtomicInteger next = new AtomicInteger();
                parallel(team, id -> {
                    Buffers buf = buffers(buffers, id);
                    for (int it; (it = next.getAndIncrement()) < items; ) {
                        int ic = (it / nChunks) * MC;
                        int chunk = it % nChunks;
                        int mcRows = Math.min(MC, m - ic);
                        float[] packedA = buf.a(roundUp(mcRows, MR) * kc);
                        packA(ma, alpha, ic, mcRows, pcF, kc, packedA, buf);
                        int p0 = panels * chunk / nChunks;
                        int p1 = panels * (chunk + 1) / nChunks;
                        for (int pn = p0; pn < p1; pn++) {
                            int jr = pn * NR;
                            int nr = Math.min(NR, nc - jr);
                            int bBase = pn * kc * NR;
                            for (int ir = 0; ir < mcRows; ir += MR) {
                                int mr = Math.min(MR, mcRows - ir);
                                kernel(kc, packedA, (ir / MR) * kc * MR, packedB, bBase, buf.tile);
                                store(mc, ic + ir, jcF + jr, mr, nr, buf.tile, beta, firstSlice);
                            }
                        }
                    }
                });
            }
        }
    }

    private static Buffers buffers(Buffers[] all, int id) {
        Buffers b = all[id];
        if (b == null) {
            b = all[id] = new Buffers();
        }
        return b;
    }

    /**
     * Runs body(0..team-1), body(0) on the calling thread and the others on the pool, and returns when
     * all are done (even after a failure: they write into memory the caller may free on return).
     */
    private static void parallel(int team, IntConsumer body) {
        if (team == 1) {
            body.accept(0);
            return;
        }
        List<ForkJoinTask<?>> forks = new ArrayList<>(team - 1);
        for (int id = 1; id < team; id++) {
            int me = id;
            forks.add(Pool.POOL.submit(() -> body.accept(me)));
        }
        RuntimeException failure = null;
        try {
            body.accept(0);
        } catch (RuntimeException e) {
            failure = e;
        }
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

    /**
     * body(i) for every i in [0, count), on up to {@code threads} threads (the caller's included) that
     * take items from a counter; on the caller alone when the whole is below one thread's worth of work.
     * Items must write disjoint memory.
     */
    static void forEach(int count, long workPerItem, int threads, IntConsumer body) {
        long total = (long) count * Math.max(1, workPerItem);
        int team = (int) Math.max(1, Math.min(Math.min(threads, count), total / MIN_TASK_WORK));
        if (team > 1 && insidePool()) {
            team = 1;
        }
        AtomicInteger next = new AtomicInteger();
        parallel(team, id -> {
            for (int i; (i = next.getAndIncrement()) < count; ) {
                body.accept(i);
            }
        });
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
     * Panels [p0, p1) of B[pc:pc+kc, jc:jc+nc] into NR-wide panels of kc rows each (panel p at
     * p * kc * NR); the last panel of the block is zero-padded.
     */
    private static void packB(Mat mb, int pc, int kc, int jc, int nc, int p0, int p1, float[] out, Buffers buf) {
        MemorySegment seg = mb.seg;
        int fullPanels = Math.min(p1, nc / NR);
        if (mb.cs == 1) {
            for (int p = 0; p < kc; p++) {
                long row = mb.offset + (pc + p) * mb.rs + jc;
                for (int pn = p0; pn < fullPanels; pn++) {
                    long byteOff = (row + (long) pn * NR) * 4;
                    int o = pn * kc * NR + p * NR;
                    FloatVector.fromMemorySegment(S, seg, byteOff, NATIVE).intoArray(out, o);
                    FloatVector.fromMemorySegment(S, seg, byteOff + 4L * L, NATIVE).intoArray(out, o + L);
                }
                for (int pn = Math.max(p0, fullPanels); pn < p1; pn++) { // the partial last panel
                    int o = pn * kc * NR + p * NR;
                    for (int j = 0; j < NR; j++) {
                        int col = pn * NR + j;
                        out[o + j] = col < nc ? seg.getAtIndex(F, row + col) : 0f;
                    }
                }
            }
            return;
        }
        // columns of B contiguous (a transposed view) or arbitrary strides: one column at a time
        float[] col = buf.run(kc);
        for (int pn = p0; pn < p1; pn++) {
            int base = pn * kc * NR;
            for (int jj = 0; jj < NR; jj++) {
                int j = pn * NR + jj;
                if (j >= nc) {
                    for (int p = 0; p < kc; p++) {
                        out[base + p * NR + jj] = 0f;
                    }
                    continue;
                }
                readRun(seg, mb.offset + (long) pc * mb.rs + (jc + j) * mb.cs, mb.rs, col, kc);
                for (int p = 0; p < kc; p++) {
                    out[base + p * NR + jj] = col[p];
                }
            }
        }
    }

    /** alpha * A[ic:ic+mc, pc:pc+kc] into MR-tall panels of kc columns each; the last is zero-padded. */
    private static void packA(Mat ma, float alpha, int ic, int mcRows, int pc, int kc, float[] out, Buffers buf) {
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
            if (ma.cs == 1 && h == MR) {
                // row-major A: walk the MR rows side by side, writing the panel in order
                long r0 = ma.offset + i0 * ma.rs + pc;
                long r1 = r0 + ma.rs;
                long r2 = r1 + ma.rs;
                long r3 = r2 + ma.rs;
                for (int p = 0, o = base; p < kc; p++, o += MR) {
                    out[o] = alpha * seg.getAtIndex(F, r0 + p);
                    out[o + 1] = alpha * seg.getAtIndex(F, r1 + p);
                    out[o + 2] = alpha * seg.getAtIndex(F, r2 + p);
                    out[o + 3] = alpha * seg.getAtIndex(F, r3 + p);
                }
                continue;
            }
            float[] row = buf.run(kc);
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
     * C[i0:i0+mr, j0:j0+nr] (=, or += after the first slice of K) the tile; on the first slice the old
     * C is scaled by beta, or ignored when beta is 0.
     */
    private static void store(Mat mc, int i0, int j0, int mr, int nr, float[] t, float beta, boolean firstSlice) {
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
