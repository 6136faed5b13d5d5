package io.panrec.bench.peers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The paths of one peer benchmark measured in one JVM, interleaved: round after round, each path runs for a
 * slice of time in a rotating order, and each round gives every path's median call time. The ratio of two
 * paths is then taken within each round and its median reported, so that a slow phase of this shared machine
 * (it comes and goes over seconds to minutes, and moved separate JMH forks by up to 2x) slows both sides of a
 * ratio alike. A check beside JMH's tables, not a replacement: the benchmarks' own setup (with its result
 * checks) and calls, the same thread counts.
 *
 * <ul>
 *   <li>{@code --suite scoring}: {@link ScoringBenchmark}'s paths at 100 and 1000 candidates, one thread.</li>
 *   <li>{@code --suite sgemm --threads N}: {@link PeerSgemmBenchmark}'s native paths (panrec onednn, the direct
 *       dnnl_sgemm call, ORT, DJL) on N threads; OpenMP reads its thread count once per process, hence one
 *       JVM per N.</li>
 * </ul>
 *
 * <pre>java -cp ... io.panrec.bench.peers.Paired --suite scoring|sgemm [--threads N] [--rounds N] [--slice-ms MS] [--out FILE.md]</pre>
 */
public final class Paired {
    /** Where each slice's results go, so that the JIT cannot drop the calls. */
    static volatile Object sink;

    /** One prepared path: {@link #call} runs it once, {@link #close} releases it. */
    interface Path0 extends AutoCloseable {
        Object call() throws Exception;
    }

    private Paired() {
    }

    public static void main(String[] args) throws Exception {
        String suite = null;
        int threads = 1;
        int rounds = 30;
        long sliceMs = 100;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--suite" -> suite = args[++i];
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--slice-ms" -> sliceMs = Long.parseLong(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException(
                        "usage: Paired --suite scoring|sgemm [--threads N] [--rounds N] [--slice-ms MS] [--out FILE.md]");
            }
        }
        if (suite == null || !(suite.equals("scoring") || suite.equals("sgemm"))) {
            throw new IllegalArgumentException("Paired: --suite scoring or --suite sgemm, got " + suite);
        }
        boolean scoring = suite.equals("scoring");
        if (scoring && threads != 1) {
            throw new IllegalArgumentException("Paired: the scoring suite runs one thread per path (a search thread per query)");
        }
        Peers.threads(threads); // before any native library loads
        String baseline = scoring ? "panrec-onednn" : "onednn";
        StringBuilder md = new StringBuilder();
        StringBuilder goals = new StringBuilder();
        md.append(scoring ? "## NeuMF scoring, all paths in one JVM, interleaved\n\n"
                        : String.format(Locale.ROOT, "## sgemm 1024 cubed on %d thread%s, native paths in one JVM, interleaved%n%n",
                        threads, threads == 1 ? "" : "s"))
                .append(String.format(Locale.ROOT, "%d rounds; in each, every path runs for %d ms in a rotating order and "
                        + "gives its median call time. `median` is the median over rounds; `ratio` is the path's time relative "
                        + "to %s's, the median of the per-round ratios (both sides of each ratio measured within the same "
                        + "second; above 1: slower than %s).%n%n", rounds, sliceMs, baseline, baseline))
                .append("| ").append(scoring ? "candidates" : "threads").append(" | path | median per call | ratio: path time / ")
                .append(baseline).append(" time |\n|---|---|---:|---:|\n");
        int[] groups = scoring ? new int[] {100, 1000} : new int[] {threads};
        List<String> paths = scoring ? List.of("panrec-onednn", "panrec-vector", "ort", "djl") : List.of("onednn", "direct", "ort", "djl");
        for (int group : groups) {
            Map<String, Path0> prepared = new LinkedHashMap<>();
            for (String p : paths) {
                try {
                    prepared.put(p, scoring ? scoring(group, p) : sgemm(threads, p)); // setup checks the path's results
                } catch (Exception | LinkageError e) {
                    System.err.println("paired: " + p + " unavailable: " + e);
                }
            }
            for (Path0 b : prepared.values()) { // warm-up: every path compiled before any round counts
                long end = System.nanoTime() + 2_000_000_000L;
                while (System.nanoTime() < end) {
                    sink = b.call();
                }
            }
            Map<String, double[]> perRound = new LinkedHashMap<>();
            for (String p : prepared.keySet()) {
                perRound.put(p, new double[rounds]);
            }
            List<String> order = new ArrayList<>(prepared.keySet());
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < order.size(); k++) {
                    String p = order.get((r + k) % order.size());
                    perRound.get(p)[r] = sliceMedian(prepared.get(p), sliceMs);
                }
            }
            double[] base = perRound.get(baseline);
            Map<String, Double> ratios = new LinkedHashMap<>();
            for (var e : perRound.entrySet()) {
                double ratio = base == null ? Double.NaN : median(ratio(e.getValue(), base));
                ratios.put(e.getKey(), ratio);
                md.append(String.format(Locale.ROOT, "| %d | %s | %s | %.2f |%n", group, e.getKey(), time(median(e.getValue())), ratio));
            }
            goals(scoring, group, ratios, goals);
            for (Path0 b : prepared.values()) {
                b.close();
            }
        }
        md.append('\n').append(goals).append('\n');
        System.out.print(md);
        if (out != null) {
            Files.writeString(out, md.toString());
        }
    }

    /** The goal lines of issue 8 that the ratios (path time / baseline time) of one group decide. */
    private static void goals(boolean scoring, int group, Map<String, Double> ratios, StringBuilder goals) {
        String label = scoring ? "paired scoring, " + group + " candidates" : "paired sgemm, " + group + " threads";
        if (scoring && group == 1000 && ratios.containsKey("ort")) {
            double r = ratios.get("ort");
            goals.append(String.format(Locale.ROOT, "- %s: ORT time / panrec time (goal >= 2) %s: %.2f%n", label, r >= 2 ? "met" : "missed", r));
        }
        if (!scoring && ratios.containsKey("direct")) {
            double r = 1 / ratios.get("direct");
            goals.append(String.format(Locale.ROOT, "- %s: panrec onednn time / direct dnnl_sgemm time (goal <= 1.05) %s: %.2f%n", label,
                    r <= 1.05 ? "met" : "missed", r));
        }
        double fastestPeer = ratios.entrySet().stream().filter(e -> e.getKey().equals("ort") || e.getKey().equals("djl"))
                .mapToDouble(Map.Entry::getValue).min().orElse(Double.NaN);
        if (!Double.isNaN(fastestPeer)) {
            goals.append(String.format(Locale.ROOT, "- %s: fastest peer's time / panrec time (goal > 1) %s: %.2f%n", label,
                    fastestPeer > 1 ? "met" : "missed", fastestPeer));
        }
    }

    private static Path0 scoring(int candidates, String path) throws Exception {
        ScoringBenchmark b = new ScoringBenchmark();
        b.candidates = candidates;
        b.path = path;
        b.threads = 1;
        b.setUp();
        return path0(b::score, b::tearDown);
    }

    private static Path0 sgemm(int threads, String path) throws Exception {
        PeerSgemmBenchmark b = new PeerSgemmBenchmark();
        b.n = 1024;
        b.threads = threads;
        b.path = path;
        b.setUp();
        return path0(b::sgemm, b::tearDown);
    }

    /** A prepared benchmark's call and its tear-down as a {@link Path0}. */
    private static Path0 path0(java.util.concurrent.Callable<?> call, AutoCloseable tearDown) {
        return new Path0() {
            public Object call() throws Exception {
                return call.call();
            }

            public void close() throws Exception {
                tearDown.close();
            }
        };
    }

    /** The median time of the calls {@code p} makes in about {@code ms} milliseconds (at least three), in nanoseconds. */
    private static double sliceMedian(Path0 p, long ms) throws Exception {
        long[] t = new long[1 << 16];
        int n = 0;
        long end = System.nanoTime() + ms * 1_000_000L;
        while (n < t.length) {
            long t0 = System.nanoTime();
            sink = p.call();
            long t1 = System.nanoTime();
            t[n++] = t1 - t0;
            if (t1 >= end && n >= 3) {
                break;
            }
        }
        long[] s = Arrays.copyOf(t, n);
        Arrays.sort(s);
        return s[n / 2];
    }

    private static String time(double nanos) {
        return nanos >= 1e6 ? String.format(Locale.ROOT, "%,.0f us", nanos / 1e3) : String.format(Locale.ROOT, "%.1f us", nanos / 1e3);
    }

    /** Per round, {@code a[r] / b[r]}. */
    private static double[] ratio(double[] a, double[] b) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i] / b[i];
        }
        return r;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
