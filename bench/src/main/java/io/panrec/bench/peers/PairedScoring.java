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
 * {@link ScoringBenchmark}'s paths measured in one JVM, interleaved: round after round, each path scores for a
 * slice of time in a rotating order, and each round gives every path's median call time. The ratio of two
 * paths is then taken within each round and its median reported, so that a slow phase of this shared machine
 * (it comes and goes over seconds to minutes, and moves separate JMH forks by up to 2x) slows both sides of a
 * ratio alike. A check beside JMH's table, not a replacement: same setup, same score checks, same threads.
 *
 * <pre>java -cp ... io.panrec.bench.peers.PairedScoring [--rounds N] [--slice-ms MS] [--out FILE.md]</pre>
 */
public final class PairedScoring {
    private static final List<String> PATHS = List.of("panrec-onednn", "panrec-vector", "ort", "djl");

    /** Where each slice's scores go, so that the JIT cannot drop the calls. */
    static volatile float SINK;

    private PairedScoring() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = 30;
        long sliceMs = 100;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--slice-ms" -> sliceMs = Long.parseLong(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("usage: PairedScoring [--rounds N] [--slice-ms MS] [--out FILE.md]");
            }
        }
        StringBuilder md = new StringBuilder();
        StringBuilder goals = new StringBuilder();
        md.append("## NeuMF scoring, all paths in one JVM, interleaved\n\n")
                .append(String.format(Locale.ROOT, "%d rounds; in each, every path scores for %d ms in a rotating order and "
                        + "gives its median call time. `median` is the median over rounds; `ratio` is panrec-onednn's speed "
                        + "relative to the path, the median of the per-round ratios (both sides of each ratio measured "
                        + "within the same second). One thread per path.%n%n", rounds, sliceMs))
                .append("| candidates | path | median per call | ratio: path time / panrec-onednn time |\n|---|---|---:|---:|\n");
        for (int candidates : new int[] {100, 1000}) {
            Map<String, ScoringBenchmark> benches = new LinkedHashMap<>();
            for (String p : PATHS) {
                ScoringBenchmark b = new ScoringBenchmark();
                b.candidates = candidates;
                b.path = p;
                b.threads = 1;
                try {
                    b.setUp(); // checks the path's scores against panrec's reference backend
                    benches.put(p, b);
                } catch (Exception | LinkageError e) {
                    System.err.println("paired: " + p + " unavailable: " + e);
                }
            }
            for (ScoringBenchmark b : benches.values()) { // warm-up: every path compiled before any round counts
                long end = System.nanoTime() + 2_000_000_000L;
                while (System.nanoTime() < end) {
                    b.score();
                }
            }
            Map<String, double[]> perRound = new LinkedHashMap<>();
            benches.keySet().forEach(p -> perRound.put(p, new double[0]));
            List<String> order = new ArrayList<>(benches.keySet());
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < order.size(); k++) {
                    String p = order.get((r + k) % order.size());
                    double m = sliceMedian(benches.get(p), sliceMs);
                    double[] prev = perRound.get(p);
                    double[] next = Arrays.copyOf(prev, prev.length + 1);
                    next[prev.length] = m;
                    perRound.put(p, next);
                }
            }
            double[] base = perRound.get("panrec-onednn");
            for (var e : perRound.entrySet()) {
                double[] ratios = base == null ? new double[] {Double.NaN} : ratio(e.getValue(), base);
                md.append(String.format(Locale.ROOT, "| %d | %s | %.1f us | %.2f |%n", candidates, e.getKey(), median(e.getValue()) / 1e3,
                        median(ratios)));
            }
            if (base != null) {
                double ort = perRound.containsKey("ort") ? median(ratio(perRound.get("ort"), base)) : Double.NaN;
                double fastestPeer = Double.POSITIVE_INFINITY;
                for (String peer : List.of("ort", "djl")) {
                    if (perRound.containsKey(peer)) {
                        fastestPeer = Math.min(fastestPeer, median(ratio(perRound.get(peer), base)));
                    }
                }
                if (candidates == 1000 && !Double.isNaN(ort)) {
                    goals.append(String.format(Locale.ROOT, "- paired, %d candidates: ORT time / panrec time (goal >= 2) %s: %.2f%n",
                            candidates, ort >= 2 ? "met" : "missed", ort));
                }
                if (fastestPeer != Double.POSITIVE_INFINITY) {
                    goals.append(String.format(Locale.ROOT, "- paired, %d candidates: fastest peer's time / panrec time (goal > 1) %s: %.2f%n",
                            candidates, fastestPeer > 1 ? "met" : "missed", fastestPeer));
                }
            }
            for (ScoringBenchmark b : benches.values()) {
                b.tearDown();
            }
        }
        md.append('\n').append(goals).append('\n');
        System.out.print(md);
        if (out != null) {
            Files.writeString(out, md.toString());
        }
    }

    /** The median time of the calls {@code b} makes in {@code ms} milliseconds, in nanoseconds. */
    private static double sliceMedian(ScoringBenchmark b, long ms) throws Exception {
        long[] t = new long[1 << 16];
        int n = 0;
        long end = System.nanoTime() + ms * 1_000_000L;
        float sink = 0;
        while (n < t.length) {
            long t0 = System.nanoTime();
            sink += b.score()[0];
            long t1 = System.nanoTime();
            t[n++] = t1 - t0;
            if (t1 >= end) {
                break;
            }
        }
        SINK = sink; // keeps the scores alive for the JIT
        long[] s = Arrays.copyOf(t, n);
        Arrays.sort(s);
        return s[n / 2];
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
