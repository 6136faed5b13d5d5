package io.panrec.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.concurrent.CountDownLatch;

/**
 * The measured single-precision FMA peak of this machine from Java: every thread runs ten independent
 * chains of vector FMAs on registers only (no memory traffic, enough chains to hide the FMA latency on
 * two pipes), so the rate is the most any Java kernel can reach here. SGEMM results are reported as a
 * share of it, which is honest on a virtual machine where the clock cannot be read.
 */
public final class FmaPeak {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int CHAINS = 10;
    private static volatile float sink;

    private FmaPeak() {
    }

    /** One block of FMAs; each chain accumulates into its own register. */
    static float chains(int iterations, float seed) {
        FloatVector m = FloatVector.broadcast(S, 0.999999f);
        FloatVector c = FloatVector.broadcast(S, 1e-7f);
        FloatVector a0 = FloatVector.broadcast(S, seed), a1 = a0.add(1), a2 = a0.add(2), a3 = a0.add(3), a4 = a0.add(4);
        FloatVector a5 = a0.add(5), a6 = a0.add(6), a7 = a0.add(7), a8 = a0.add(8), a9 = a0.add(9);
        for (int i = 0; i < iterations; i++) {
            a0 = m.fma(c, a0);
            a1 = m.fma(c, a1);
            a2 = m.fma(c, a2);
            a3 = m.fma(c, a3);
            a4 = m.fma(c, a4);
            a5 = m.fma(c, a5);
            a6 = m.fma(c, a6);
            a7 = m.fma(c, a7);
            a8 = m.fma(c, a8);
            a9 = m.fma(c, a9);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9)
                .reduceLanes(VectorOperators.ADD);
    }

    /** GFLOP/s of {@code threads} threads running FMA chains at once; the best of a few rounds. */
    public static double measure(int threads) throws InterruptedException {
        int iterations = 20_000;
        int calls = 4_000;
        double flopsPerThread = 2.0 * CHAINS * S.length() * iterations * (double) calls;
        double best = 0;
        for (int round = 0; round < 6; round++) { // the first rounds warm the JIT up
            CountDownLatch start = new CountDownLatch(1);
            Thread[] ts = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                float seed = t;
                ts[t] = new Thread(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    float s = 0;
                    for (int k = 0; k < calls; k++) {
                        s += chains(iterations, seed);
                    }
                    sink = s;
                });
                ts[t].start();
            }
            long t0 = System.nanoTime();
            start.countDown();
            for (Thread t : ts) {
                t.join();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            best = Math.max(best, flopsPerThread * threads / seconds / 1e9);
        }
        return best;
    }

    public static void main(String[] args) throws InterruptedException {
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf(java.util.Locale.ROOT, "FMA peak, %d-bit vectors: 1 thread %.1f GFLOP/s, %d threads %.1f GFLOP/s%n",
                S.vectorBitSize(), measure(1), cores, measure(cores));
        if (sink == 42) {
            System.out.println();
        }
    }
}
