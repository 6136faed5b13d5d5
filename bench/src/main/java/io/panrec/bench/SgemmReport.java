package io.panrec.bench;

import io.panrec.backend.CpuInfo;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link SgemmBenchmark} and prints GFLOP/s per size and thread count for the vector backend, the
 * reference backend beside it and their ratio, with the CPU, its vector width, the JDK, and the measured
 * FMA peak of this machine ({@link FmaPeak}) so that each vector result also reads as a share of peak.
 *
 * <p>The reference backend is single-threaded by design (it is the plain definition of each kernel), so
 * it is timed once per size on one thread and both vector rows are compared with that. At 1024 cubed
 * it takes seconds per call, so it is timed as a single shot. {@code --quick} shortens the vector
 * measurements.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar io.panrec.bench.SgemmReport [--quick]</pre>
 */
public final class SgemmReport {
    private static final int[] SIZES = {64, 256, 1024};

    private SgemmReport() {
    }

    public static void main(String[] args) throws RunnerException, InterruptedException {
        boolean quick = List.of(args).contains("--quick");
        int cores = Runtime.getRuntime().availableProcessors();
        // the peak first, while nothing else of ours runs
        double peak1 = FmaPeak.measure(1);
        double peakAll = FmaPeak.measure(cores);
        Map<String, Double> micros = new LinkedHashMap<>();
        for (String threads : new String[] {"1", "all"}) {
            run(micros, threads, "vector", new String[] {"64", "256", "1024"}, Mode.AverageTime, quick);
        }
        run(micros, "1", "reference", new String[] {"64", "256"}, Mode.AverageTime, quick);
        run(micros, "1", "reference", new String[] {"1024"}, Mode.SingleShotTime, quick);

        CpuInfo cpu = CpuInfo.current();
        System.out.println();
        System.out.println("sgemm C = A B, n x n x n, F32, through the Backend SPI");
        System.out.println("CPU: " + cpu.modelName() + ", " + cores + " logical cores, " + String.join(" ", cpu.simdFlags())
                + "; Vector API: " + cpu.vectorNote());
        System.out.println("JDK: " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")");
        System.out.printf(Locale.ROOT, "measured FMA peak (FmaPeak): %.1f GFLOP/s on 1 thread, %.1f GFLOP/s on %d%n",
                peak1, peakAll, cores);
        System.out.printf(Locale.ROOT, "%6s %8s %15s %9s %18s %11s%n", "n", "threads", "vector GFLOP/s", "of peak",
                "reference GFLOP/s", "vector/ref");
        for (String threads : new String[] {"1", "all"}) {
            for (int n : SIZES) {
                double flops = 2.0 * n * n * n;
                double vg = gflops(micros.get(key("vector", n, threads)), flops);
                double rg = gflops(micros.get(key("reference", n, "1")), flops);
                double peak = threads.equals("all") ? peakAll : peak1;
                System.out.printf(Locale.ROOT, "%6d %8s %15.1f %8.0f%% %18.3f %10.0fx%n", n,
                        threads.equals("all") ? Integer.toString(cores) : threads, vg, 100 * vg / peak, rg, vg / rg);
            }
        }
        System.out.println("(reference: one thread in every row; ratio = vector / reference)");
    }

    private static double gflops(Double micros, double flops) {
        return micros == null ? Double.NaN : flops / (micros * 1e3);
    }

    private static String key(String backend, int n, String threads) {
        return backend + "/" + n + "/" + threads;
    }

    private static void run(Map<String, Double> micros, String threads, String backend, String[] sizes, Mode mode,
                            boolean quick) throws RunnerException {
        ChainedOptionsBuilder b = new OptionsBuilder()
                .include(SgemmBenchmark.class.getName() + ".sgemm")
                .param("backend", backend)
                .param("threads", threads)
                .param("n", sizes)
                .mode(mode)
                .timeUnit(TimeUnit.MICROSECONDS)
                .forks(1);
        if (mode == Mode.SingleShotTime) {
            b.warmupIterations(0).measurementIterations(1);
        } else if (quick) {
            b.warmupIterations(2).warmupTime(TimeValue.milliseconds(500)).measurementIterations(3)
                    .measurementTime(TimeValue.milliseconds(500));
        }
        for (RunResult r : new Runner(b.build()).run()) {
            int n = Integer.parseInt(r.getParams().getParam("n"));
            micros.put(key(backend, n, threads), r.getPrimaryResult().getScore());
        }
    }
}
