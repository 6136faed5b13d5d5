package io.panrec.backend.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;

/**
 * Single-precision GEMM in the Goto/BLIS style: B is packed into KC x NR panels shared by all threads,
 * each thread packs MC x KC blocks of A into MR x KC panels, and a register-blocked micro-kernel keeps
 * an MR x NR tile of C in vector registers (6 x 2 vectors = 12 accumulators: with the 2 B vectors and
 * the broadcast A value that is 15 of AVX2's 16 ymm registers). Operands are read through arbitrary
 * element strides while packing, so transposed views cost nothing extra.
 */
final class Sgemm {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final int MR = 6;
    static final int NR = 2 * L;
    static final int KC = 256;
    static final int MC = 72;       // multiple of MR; A block of 72 x 256 floats = 72 KiB, fits L2
    static final int NC = 3072;     // multiple of NR
    /** Below this many multiply-adds one thread is faster than forking. */
    static final long PARALLEL_THRESHOLD = 1L << 18;

    private Sgemm() {
    }

    /** A strided float matrix in a segment: element (i, j) at offset + i * rs + j * cs. */
    record Mat(MemorySegment seg, long offset, long rs, long cs) {
        float get(int i, int j) {
            return seg.getAtIndex(ValueLayout.JAVA_FLOAT, offset + i * rs + j * cs);
        }
    }

    /**
     * C = alpha A B + beta C for A [M, K], B [K, N], C [M, N]; with beta == 0 C's old contents are
     * ignored. {@code threads} > 1 splits the M blocks over a pool.
     */
    static void gemm(int m, int n, int k, float alpha, Mat a, Mat b, float beta, Mat c, int threads) {
        // beta first, so the kernel only ever accumulates
        for (int i = 0; i < m; i++) {
            if (beta == 0 && c.cs == 1) {
                c.seg.asSlice((c.offset + i * c.rs) * 4, n * 4L).fill((byte) 0);
                continue;
            }
            for (int j = 0; j < n; j++) {
                long o = c.offset + i * c.rs + j * c.cs;
                float v = beta == 0 ? 0f : beta * c.seg.getAtIndex(ValueLayout.JAVA_FLOAT, o);
                c.seg.setAtIndex(ValueLayout.JAVA_FLOAT, o, v);
            }
        }
        if (k == 0 || m == 0 || n == 0 || alpha == 0) {
            return;
        }
        boolean parallel = threads > 1 && (long) m * n * k >= PARALLEL_THRESHOLD && m > MR;
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                float[] packedB = packB(b, pc, kc, jc, nc);
                int blocks = (m + MC - 1) / MC;
                if (!parallel || blocks == 1) {
                    float[] packedA = new float[MC * kc];
                    for (int ic = 0; ic < m; ic += MC) {
                        block(a, c, alpha, ic, Math.min(MC, m - ic), pc, kc, jc, nc, packedB, packedA);
                    }
                } else {
                    int pcFinal = pc;
                    int jcFinal = jc;
                    int workers = Math.min(threads, blocks);
                    List<Future<?>> futures = new ArrayList<>(workers);
                    for (int w = 0; w < workers; w++) {
                        int worker = w;
                        futures.add(POOL.submit(() -> {
                            float[] packedA = new float[MC * kc];
                            for (int blk = worker; blk < blocks; blk += workers) {
                                int ic = blk * MC;
                                block(a, c, alpha, ic, Math.min(MC, m - ic), pcFinal, kc, jcFinal, nc, packedB, packedA);
                            }
                        }));
                    }
                    for (Future<?> f : futures) {
                        try {
                            f.get();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IllegalStateException("sgemm interrupted", e);
                        } catch (java.util.concurrent.ExecutionException e) {
                            throw new IllegalStateException("sgemm worker failed", e.getCause());
                        }
                    }
                }
            }
        }
    }

    /** The kernels' own pool, sized to the cores (or -Dpanrec.threads), so they never starve the common pool. */
    static final ForkJoinPool POOL = new ForkJoinPool(VectorBackend.threads());

    /** B[pc:pc+kc, jc:jc+nc] into NR-wide column panels, each kc rows of NR floats, zero-padded. */
    private static float[] packB(Mat b, int pc, int kc, int jc, int nc) {
        int panels = (nc + NR - 1) / NR;
        float[] out = new float[panels * kc * NR];
        float[] row = new float[nc];
        for (int p = 0; p < kc; p++) {
            long start = b.offset + (pc + p) * b.rs + jc * b.cs;
            if (b.cs == 1) {
                // one bulk copy per row of B, then scatter into the panels from the heap
                MemorySegment.copy(b.seg, ValueLayout.JAVA_FLOAT, start * 4, row, 0, nc);
            } else {
                for (int j = 0; j < nc; j++) {
                    row[j] = b.seg.getAtIndex(ValueLayout.JAVA_FLOAT, start + j * b.cs);
                }
            }
            for (int pn = 0; pn < panels; pn++) {
                int j0 = pn * NR;
                int w = Math.min(NR, nc - j0);
                System.arraycopy(row, j0, out, pn * kc * NR + p * NR, w);
            }
        }
        return out;
    }

    /** A[ic:ic+mc, pc:pc+kc] * alpha into MR-tall row panels, each kc columns of MR floats, zero-padded. */
    private static void packA(Mat a, float alpha, int ic, int mc, int pc, int kc, float[] out) {
        int panels = (mc + MR - 1) / MR;
        float[] row = new float[kc];
        for (int pm = 0; pm < panels; pm++) {
            int i0 = ic + pm * MR;
            int h = Math.min(MR, ic + mc - i0);
            int base = pm * kc * MR;
            for (int i = 0; i < MR; i++) {
                if (i >= h) {
                    for (int p = 0; p < kc; p++) {
                        out[base + p * MR + i] = 0f;
                    }
                    continue;
                }
                long start = a.offset + (i0 + i) * a.rs + pc * a.cs;
                if (a.cs == 1) {
                    MemorySegment.copy(a.seg, ValueLayout.JAVA_FLOAT, start * 4, row, 0, kc);
                } else {
                    for (int p = 0; p < kc; p++) {
                        row[p] = a.seg.getAtIndex(ValueLayout.JAVA_FLOAT, start + p * a.cs);
                    }
                }
                for (int p = 0; p < kc; p++) {
                    out[base + p * MR + i] = alpha * row[p];
                }
            }
        }
    }

    private static void block(Mat a, Mat c, float alpha, int ic, int mc, int pc, int kc, int jc, int nc,
                              float[] packedB, float[] packedA) {
        packA(a, alpha, ic, mc, pc, kc, packedA);
        float[] tile = new float[MR * NR];
        for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            int bBase = (jr / NR) * kc * NR;
            for (int ir = 0; ir < mc; ir += MR) {
                int mr = Math.min(MR, mc - ir);
                int aBase = (ir / MR) * kc * MR;
                micro(kc, packedA, aBase, packedB, bBase, c, ic + ir, jc + jr, mr, nr, tile);
            }
        }
    }

    /** The 6 x 2L register tile: C[i0:i0+mr, j0:j0+nr] += packedA panel * packedB panel. */
    private static void micro(int kc, float[] pa, int ao, float[] pb, int bo, Mat c, int i0, int j0, int mr, int nr,
                              float[] tile) {
        kernel(kc, pa, ao, pb, bo, tile);
        if (mr == MR && nr == NR && c.cs == 1) {
            // full tile, contiguous rows of C: accumulate straight into memory
            for (int i = 0; i < MR; i++) {
                addRow(c, i0 + i, j0, FloatVector.fromArray(S, tile, i * NR), FloatVector.fromArray(S, tile, i * NR + L));
            }
            return;
        }
        for (int i = 0; i < mr; i++) {
            for (int j = 0; j < nr; j++) {
                long o = c.offset + (i0 + i) * c.rs + (j0 + j) * c.cs;
                c.seg.setAtIndex(ValueLayout.JAVA_FLOAT, o, c.seg.getAtIndex(ValueLayout.JAVA_FLOAT, o) + tile[i * NR + j]);
            }
        }
    }

    /**
     * The register-blocked loop alone, writing its 12 accumulators to {@code tile}: kept apart from the
     * store logic so that nothing else competes with the accumulators for the 16 vector registers.
     */
    private static void kernel(int kc, float[] pa, int ao, float[] pb, int bo, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int a = ao + p * MR;
            int b = bo + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, pb, b);
            FloatVector b1 = FloatVector.fromArray(S, pb, b + L);
            FloatVector x;
            x = FloatVector.broadcast(S, pa[a]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, pa[a + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, pa[a + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, pa[a + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, pa[a + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, pa[a + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + L);
    }

    private static void addRow(Mat c, int i, int j0, FloatVector v0, FloatVector v1) {
        long byteOff = (c.offset + i * c.rs + j0) * 4L;
        FloatVector.fromMemorySegment(S, c.seg, byteOff, java.nio.ByteOrder.nativeOrder()).add(v0)
                .intoMemorySegment(c.seg, byteOff, java.nio.ByteOrder.nativeOrder());
        long byteOff1 = byteOff + 4L * L;
        FloatVector.fromMemorySegment(S, c.seg, byteOff1, java.nio.ByteOrder.nativeOrder()).add(v1)
                .intoMemorySegment(c.seg, byteOff1, java.nio.ByteOrder.nativeOrder());
    }
}
