package io.panrec.bench;

import io.panrec.backend.CpuInfo;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.annotations.Mode;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link SgemmBenchmark} and prints GFLOP/s per size, backend and thread count, with the ratio
 * vector/reference measured in the same run, the CPU and the JDK. The reference backend at 1024^3 takes
 * seconds per call, so it is timed as single shots. {@code --quick} shortens every measurement.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.panrec.bench.SgemmReport [--quick]</pre>
 */
public final class SgemmReport {
    private SgemmReport() {
    }

    public static void main(String[] args) throws RunnerException {
        boolean quick = List.of(args).contains("--quick");
        Map<String, Double> micros = new LinkedHashMap<>();
        for (String threads : new String[] {"1", "all"}) {
            run(micros, threads, "vector", new String[] {"64", "256", "1024"}, Mode.AverageTime, quick);
            run(micros, threads, "reference", new String[] {"64", "256"}, Mode.AverageTime, quick);
            run(micros, threads, "reference", new String[] {"1024"}, Mode.SingleShotTime, quick);
        }
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.println();
        System.out.println("sgemm C = A B, n x n x n, F32 — CPU: " + CpuInfo.current().modelName() + ", " + cores
                + " logical cores — JDK " + Runtime.version());
        System.out.printf(Locale.ROOT, "%6s %8s %18s %18s %10s%n", "n", "threads", "vector GFLOP/s", "reference GFLOP/s",
                "ratio");
        for (String threads : new String[] {"1", "all"}) {
            for (int n : new int[] {64, 256, 1024}) {
                double flops = 2.0 * n * n * n;
                Double v = micros.get(key("vector", n, threads));
                Double r = micros.get(key("reference", n, threads));
                double vg = v == null ? Double.NaN : flops / (v * 1e3);
                double rg = r == null ? Double.NaN : flops / (r * 1e3);
                System.out.printf(Locale.ROOT, "%6d %8s %18.2f %18.3f %9.0fx%n", n, threads.equals("all") ? cores : threads,
                        vg, rg, vg / rg);
            }
        }
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
            b.warmupIterations(2).warmupTime(TimeValue.milliseconds(300)).measurementIterations(3)
                    .measurementTime(TimeValue.milliseconds(500));
        }
        Collection<RunResult> results = new Runner(b.build()).run();
        List<RunResult> list = new ArrayList<>(results);
        for (RunResult r : list) {
            int n = Integer.parseInt(r.getParams().getParam("n"));
            micros.put(key(backend, n, threads), r.getPrimaryResult().getScore());
        }
    }
}
