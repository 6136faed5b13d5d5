package io.panrec.bench.peers;

import io.panrec.backend.CpuInfo;
import io.panrec.io.Json;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns the JMH JSON of the peer benchmarks into {@code peers.md} (one table per benchmark: each path's
 * time with its error, and its speed relative to panrec's baseline path measured in the same run) and one
 * PNG bar chart per table (XChart), with the JDK, CPU, thread counts and the load given on the command
 * line. The goals of issue 8 are checked at the end, met or not.
 *
 * <pre>java -cp ... io.panrec.bench.peers.PeerReport --out bench/results/DATE [--load TEXT] [--peers TEXT] [--paired FILE.md]... FILE.json...</pre>
 *
 * <p>{@code --paired} (repeatable) takes {@link Paired}'s output (a table and its own goal lines), placed after JMH's tables.
 */
public final class PeerReport {
    /** A benchmark class: its title, the baseline path, the metric's meaning. */
    record Table(String key, String title, String baseline, String note) {
    }

    static final List<Table> TABLES = List.of(
            new Table("PeerSgemmBenchmark", "sgemm C = A B, 1024 x 1024 x 1024, F32", "onednn",
                    "panrec onednn is the baseline; `direct` is one dnnl_sgemm call on the same buffers (the native floor)"),
            new Table("ScoringBenchmark", "NeuMF scores of one user's candidates (same weights on every path)", "panrec-onednn",
                    "Java long[] ids in, float[] scores out, per call; `ort` runs the file `panrec export` writes"),
            new Table("TrainingBenchmark", "NeuMF, one epoch of MovieLens 100K (500,000 samples: 4 negatives, batch 256, Adam)",
                    "panrec-onednn", "single shot per epoch (steps=all: 1954 batches, 500,000 samples) or its first `steps` batches of 256; samples/s = samples / time"),
            new Table("DotBenchmark", "dot product of two float vectors", "panrec",
                    "`panrec` is VectorDot; `panrec-tensor` is Linalg.rowDot on [1, d] tensors"));

    /**
     * One measured point: {@code score} is the median of every measured iteration of every fork, which a
     * burst of load from outside (this machine is shared) moves far less than the mean; {@code low} and
     * {@code high} are the smallest and largest iteration, {@code mean} and {@code error} JMH's own score.
     */
    record Point(String table, String group, String path, double score, double low, double high, double mean, double error,
                 int iterations, String unit, Map<String, String> params) {
    }

    /** The median, smallest and largest of the iteration scores in JMH's rawData (forks of iterations). */
    static double[] iterationStats(Object rawData, double fallback) {
        List<Double> all = new ArrayList<>();
        if (rawData instanceof List<?> forks) {
            for (Object f : forks) {
                if (f instanceof List<?> its) {
                    for (Object v : its) {
                        if (v instanceof Number n) {
                            all.add(n.doubleValue());
                        }
                    }
                }
            }
        }
        if (all.isEmpty()) {
            return new double[] {fallback, fallback, fallback, 1};
        }
        all.sort(null);
        int n = all.size();
        double median = n % 2 == 1 ? all.get(n / 2) : (all.get(n / 2 - 1) + all.get(n / 2)) / 2;
        return new double[] {median, all.get(0), all.get(n - 1), n};
    }

    private PeerReport() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        Path out = null;
        String load = "not recorded";
        String peers = null;
        StringBuilder paired = new StringBuilder(); // Paired's markdown, appended after the JMH tables
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[++i]);
                case "--load" -> load = args[++i];
                case "--peers" -> peers = args[++i];
                case "--paired" -> paired.append(Files.readString(Path.of(args[++i]))).append('\n');
                default -> files.add(Path.of(args[i]));
            }
        }
        if (out == null || files.isEmpty()) {
            throw new IllegalArgumentException("usage: PeerReport --out DIR [--load TEXT] [--peers TEXT] FILE.json...");
        }
        Files.createDirectories(out);
        List<Point> points = new ArrayList<>();
        String jdk = "?";
        for (Path f : files) {
            for (Object o : (List<?>) Json.parse(Files.readString(f))) {
                Map<?, ?> r = (Map<?, ?>) o;
                jdk = r.get("jdkVersion") + " (" + r.get("vmName") + " " + r.get("vmVersion") + ")";
                String bench = (String) r.get("benchmark");
                String cls = bench.substring(0, bench.lastIndexOf('.'));
                cls = cls.substring(cls.lastIndexOf('.') + 1);
                Map<String, String> params = new TreeMap<>();
                ((Map<?, ?>) r.get("params")).forEach((k, v) -> params.put((String) k, (String) v));
                String path = params.remove("path");
                StringBuilder group = new StringBuilder();
                params.forEach((k, v) -> group.append(group.isEmpty() ? "" : ", ").append(k).append('=').append(v));
                Map<?, ?> pm = (Map<?, ?>) r.get("primaryMetric");
                double err = pm.get("scoreError") instanceof Number n ? n.doubleValue() : Double.NaN;
                double mean = ((Number) pm.get("score")).doubleValue();
                double[] st = iterationStats(pm.get("rawData"), mean);
                points.add(new Point(cls, group.toString(), path, st[0], st[1], st[2], mean, err, (int) st[3],
                        (String) pm.get("scoreUnit"), params));
            }
        }
        CpuInfo cpu = CpuInfo.current();
        StringBuilder md = new StringBuilder();
        md.append("# panrec against the libraries users would pick instead\n\n");
        md.append("- JDK: ").append(jdk).append('\n');
        md.append("- CPU: ").append(cpu.modelName()).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" logical cores, ").append(String.join(" ", cpu.simdFlags())).append('\n');
        md.append("- load (`uptime`) during the run: ").append(load).append('\n');
        if (peers != null) {
            md.append("- peers: ").append(peers).append('\n');
        }
        md.append("- threads: the `threads` column of each table, given to every library alike (OpenMP, ORT intra-op, "
                + "PyTorch intra-op, panrec.threads)\n\n");
        md.append("`time` is the median of every measured iteration of every fork (n of them), with the fastest and "
                + "slowest iteration beside it; the median is what the ratios and the goals use, because bursts of load "
                + "from outside this shared machine move a mean far more. `JMH mean` is JMH's own score with its 99.9% "
                + "interval. Speed relative to the baseline = baseline time / path time, both from the same JMH run "
                + "(above 1: faster than the baseline).\n\n");
        Map<String, Double> goals = new LinkedHashMap<>();
        for (Table t : TABLES) {
            List<Point> tp = points.stream().filter(p -> p.table.equals(t.key)).toList();
            if (tp.isEmpty()) {
                continue;
            }
            md.append("## ").append(t.title).append("\n\n").append(t.note).append(".\n\n");
            md.append("| ").append("parameters").append(" | path | time (median) | fastest - slowest | n | JMH mean | relative to ")
                    .append(t.baseline).append(" |").append(t.key.equals("TrainingBenchmark") ? " samples/s |" : "").append('\n');
            md.append("|---|---|---:|---:|---:|---:|---:|").append(t.key.equals("TrainingBenchmark") ? "---:|" : "").append('\n');
            Map<String, Map<String, Double>> chart = new LinkedHashMap<>();
            for (String group : tp.stream().map(Point::group).distinct().toList()) {
                Point base = tp.stream().filter(p -> p.group.equals(group) && p.path.equals(t.baseline)).findFirst().orElse(null);
                for (Point p : tp.stream().filter(p -> p.group.equals(group)).toList()) {
                    double rel = base == null ? Double.NaN : base.score / p.score;
                    md.append(String.format(Locale.ROOT, "| %s | %s | %s %s | %s - %s | %d | %s ± %s | %s |", group, p.path, num(p.score),
                            p.unit, num(p.low), num(p.high), p.iterations, num(p.mean), num(p.error),
                            Double.isNaN(rel) ? "n/a" : String.format(Locale.ROOT, "%.2fx", rel)));
                    if (t.key.equals("TrainingBenchmark")) {
                        md.append(String.format(Locale.ROOT, " %,.0f |", TrainingBenchmark.samples(p.params.getOrDefault("steps", "all")) / (p.score / 1e3)));
                    }
                    md.append('\n');
                    chart.computeIfAbsent(p.path, k -> new LinkedHashMap<>()).put(group, rel);
                }
            }
            md.append('\n');
            goals(t, tp, goals);
            String png = t.key.replace("Benchmark", "").toLowerCase(Locale.ROOT) + ".png";
            chart(t, chart, out.resolve(png));
            md.append("![").append(t.title).append("](").append(png).append(")\n\n");
        }
        md.append(paired);
        md.append("## Goals of issue 8\n\n");
        if (goals.isEmpty()) {
            md.append("(no goal could be evaluated from these files)\n");
        }
        goals.forEach((k, v) -> md.append("- ").append(k).append(String.format(Locale.ROOT, ": %.2f", v)).append('\n'));
        Files.writeString(out.resolve("peers.md"), md.toString());
        System.out.print(md);
    }

    /** The goals that the points of {@code t} decide: ratio values, with "met"/"missed" in the key. */
    private static void goals(Table t, List<Point> tp, Map<String, Double> goals) {
        switch (t.key) {
            case "PeerSgemmBenchmark" -> {
                for (String g : tp.stream().map(Point::group).distinct().toList()) {
                    double d = score(tp, g, "direct");
                    double o = score(tp, g, "onednn");
                    if (!Double.isNaN(d) && !Double.isNaN(o)) {
                        double r = o / d;
                        goals.put("sgemm " + g + ": panrec onednn time / direct dnnl_sgemm time (goal <= 1.05) "
                                + (r <= 1.05 ? "met" : "missed"), r);
                    }
                    bestPeer(tp, g, List.of("onednn", "vector"), List.of("ort", "djl", "nd4j"), "sgemm " + g, goals);
                }
            }
            case "ScoringBenchmark" -> {
                for (String g : tp.stream().map(Point::group).distinct().toList()) {
                    double panrec = Math.min(score(tp, g, "panrec-onednn"), score(tp, g, "panrec-vector"));
                    double ort = score(tp, g, "ort");
                    if (g.contains("candidates=1000") && !Double.isNaN(ort)) {
                        double r = ort / panrec;
                        goals.put("scoring " + g + ": ORT time / panrec's best time (goal >= 2) " + (r >= 2 ? "met" : "missed"), r);
                    }
                    bestPeer(tp, g, List.of("panrec-onednn", "panrec-vector"), List.of("ort", "djl"), "scoring " + g, goals);
                }
            }
            case "TrainingBenchmark" -> {
                for (String g : tp.stream().map(Point::group).distinct().toList()) {
                    double panrec = Math.min(score(tp, g, "panrec-onednn"), score(tp, g, "panrec-vector"));
                    double djl = score(tp, g, "djl");
                    if (!Double.isNaN(djl)) {
                        double r = djl / panrec;
                        goals.put("training " + g + ": panrec's samples/s / DJL-PyTorch's (goal >= 1.5) " + (r >= 1.5 ? "met" : "missed"), r);
                    }
                }
            }
            case "DotBenchmark" -> {
                for (String g : tp.stream().map(Point::group).distinct().toList()) {
                    bestPeer(tp, g, List.of("panrec"), List.of("lucene"), "dot " + g, goals);
                }
            }
            default -> { }
        }
    }

    private static void bestPeer(List<Point> tp, String g, List<String> ours, List<String> theirs, String label, Map<String, Double> goals) {
        double panrec = ours.stream().mapToDouble(p -> score(tp, g, p)).filter(d -> !Double.isNaN(d)).min().orElse(Double.NaN);
        double peer = theirs.stream().mapToDouble(p -> score(tp, g, p)).filter(d -> !Double.isNaN(d)).min().orElse(Double.NaN);
        if (!Double.isNaN(panrec) && !Double.isNaN(peer)) {
            double r = peer / panrec;
            goals.put(label + ": fastest peer's time / panrec's best time (goal > 1, panrec ahead) " + (r > 1 ? "met" : "missed"), r);
        }
    }

    private static double score(List<Point> tp, String group, String path) {
        return tp.stream().filter(p -> p.group.equals(group) && p.path.equals(path)).mapToDouble(Point::score).findFirst()
                .orElse(Double.NaN);
    }

    private static void chart(Table t, Map<String, Map<String, Double>> series, Path file) throws IOException {
        CategoryChart c = new CategoryChartBuilder().width(900).height(420).title(t.title)
                .xAxisTitle("parameters").yAxisTitle("speed relative to " + t.baseline + " (higher is faster)").build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        c.getStyler().setChartTitleFont(c.getStyler().getChartTitleFont().deriveFont(13f));
        List<String> groups = series.values().stream().flatMap(m -> m.keySet().stream()).distinct().toList();
        for (var e : series.entrySet()) {
            List<Double> ys = new ArrayList<>();
            for (String g : groups) {
                Double v = e.getValue().get(g);
                ys.add(v == null || v.isNaN() ? 0.0 : v);
            }
            c.addSeries(e.getKey(), groups, ys);
        }
        BitmapEncoder.saveBitmap(c, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static String num(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.3g", v);
    }
}
