package io.panrec.bench;

import io.panrec.backend.Backend;
import io.panrec.backend.Backends;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * C = A B on n x n x n single-precision matrices through the Backend SPI: the vector backend beside
 * its reference twin, single-threaded and on all cores ({@code threads} caps the kernel's own pool via
 * {@code panrec.threads}, so each setting runs in its own fork). The reference backend is single-threaded
 * whatever {@code threads} says. GFLOP/s = 2 n^3 / time; see {@link SgemmReport} for the table with
 * ratios and the share of the machine's FMA peak.
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class SgemmBenchmark {
    @Param({"64", "256", "1024"})
    public int n;

    @Param({"vector", "reference"})
    public String backend;

    /** 1 or "all" (the machine's cores). */
    @Param({"1", "all"})
    public String threads;

    private Scope scope;
    private Backend kernels;
    private Tensor a;
    private Tensor b;
    private Tensor c;

    @Setup(Level.Trial)
    public void setUp() {
        System.setProperty("panrec.threads", threads.equals("all")
                ? Integer.toString(Runtime.getRuntime().availableProcessors()) : threads);
        kernels = Backends.named(backend);
        scope = Scope.open("sgemm bench");
        SplittableRandom r = new SplittableRandom(1);
        a = Tensor.uniform(r, -1, 1, 1, n, n);
        b = Tensor.uniform(r, -1, 1, 1, n, n);
        c = Tensor.zeros(1, n, n);
        // results are checked once (a corner, the middle, the far corner: edge tiles included), so a
        // broken kernel cannot post a fast time
        kernels.matmul(a, b, c, 1f, 0f);
        for (int[] ij : new int[][] {{0, 0}, {n / 2, n / 3}, {n - 1, n - 1}}) {
            double expect = 0;
            for (int k = 0; k < n; k++) {
                expect += a.get(0, ij[0], k) * b.get(0, k, ij[1]);
            }
            double got = c.get(0, ij[0], ij[1]);
            if (Math.abs(expect - got) > 1e-3 * Math.max(1, Math.abs(expect))) {
                throw new IllegalStateException(backend + " sgemm is wrong at " + java.util.Arrays.toString(ij) + ": "
                        + got + " vs " + expect);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        scope.close();
    }

    @Benchmark
    public Tensor sgemm() {
        kernels.matmul(a, b, c, 1f, 0f);
        return c;
    }
}
