package io.panrec.cli.bench;

import io.panrec.backend.CpuInfo;
import io.panrec.onednn.MatmulPaths;
import io.panrec.onednn.OneDnnLibrary;
import io.panrec.tensor.Scope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code panrec bench kernels}: the matmul comparison of the JMH benchmarks in seconds, without JMH:
 * for each shape and path, warm-up, then timed repetitions, median. Shapes are MxKxN.
 */
@Command(name = "kernels", mixinStandardHelpOptions = true,
        description = "Time C = A B on this machine: oneDNN backend, direct dnnl_sgemm, vector and reference backends.")
public final class BenchKernelsCommand implements Callable<Integer> {
    static final String[] SHAPES = {"1024x1024x1024", "256x256x256", "64x64x64", "1x64x64", "1000x128x64"};

    @Option(names = "--quick", description = "Fewer repetitions and no reference at 1024 cubed (seconds instead of a minute).")
    boolean quick;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the records as JSON to FILE.")
    Path json;

    @Option(names = "--shapes", split = ",", paramLabel = "MxKxN", description = "Shapes to time (default: all five).")
    List<String> shapes;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** One measurement, as written to JSON. */
    public record Record(String op, String shape, String path, int threads, double gflops, double microsPerCall) {
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        List<String> paths = new ArrayList<>(MatmulPaths.PATHS);
        if (!OneDnnLibrary.availability().available()) {
            out.println("oneDNN unavailable (" + OneDnnLibrary.availability() + "): timing the Java paths only");
            paths.removeAll(List.of("onednn", "direct"));
        }
        int threads = Runtime.getRuntime().availableProcessors();
        out.printf(Locale.ROOT, "matmul C = A B, F32 — %s, %d cores — JDK %s — oneDNN %s%n", CpuInfo.current().modelName(), threads,
                Runtime.version(), OneDnnLibrary.version());
        out.printf(Locale.ROOT, "%-16s %-10s %12s %14s %12s%n", "shape MxKxN", "path", "GFLOP/s", "us per call", "vs direct");
        List<Record> records = new ArrayList<>();
        for (String shape : shapes == null ? List.of(SHAPES) : shapes) {
            int[] d = parse(shape);
            double direct = Double.NaN;
            for (String path : paths) {
                if (quick && path.equals("reference") && (long) d[0] * d[1] * d[2] > 300L * 300 * 300) {
                    continue;
                }
                try (Scope scope = Scope.open("bench " + shape + " " + path)) {
                    MatmulPaths.Case c = MatmulPaths.prepare(path, d[0], d[1], d[2], scope);
                    c.check(path);
                    double micros = medianMicros(c, path.equals("reference"));
                    double gflops = c.flops() / (micros * 1e3);
                    if (path.equals("direct")) {
                        direct = micros;
                    }
                    records.add(new Record("matmul", shape, path, threads, gflops, micros));
                    out.printf(Locale.ROOT, "%-16s %-10s %12.2f %14.2f %12s%n", shape, path, gflops, micros,
                            Double.isNaN(direct) ? "" : String.format(Locale.ROOT, "%.2fx", direct / micros));
                }
            }
        }
        out.flush();
        if (json != null) {
            writeJson(json, records);
            out.println("wrote " + json);
        }
        return 0;
    }

    private double medianMicros(MatmulPaths.Case c, boolean slow) {
        // warm up for ~0.3 s (JIT, primitive creation, caches), then time ~0.5-1 s in repetitions
        long warmEnd = System.nanoTime() + (slow ? 0 : (quick ? 150_000_000L : 400_000_000L));
        c.run();
        while (System.nanoTime() < warmEnd) {
            c.run();
        }
        long t0 = System.nanoTime();
        c.run();
        long one = Math.max(1, System.nanoTime() - t0);
        long budget = quick ? 200_000_000L : 800_000_000L;
        int reps = (int) Math.max(1, Math.min(slow ? 3 : 2000, budget / one));
        int calls = (int) Math.max(1, Math.min(1000, 200_000L / Math.max(1, one / 10)));  // batch tiny calls for timer resolution
        double[] samples = new double[reps];
        for (int r = 0; r < reps; r++) {
            long t = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                c.run();
            }
            samples[r] = (System.nanoTime() - t) / 1e3 / calls;
        }
        Arrays.sort(samples);
        return samples[reps / 2];
    }

    private static int[] parse(String shape) {
        String[] p = shape.toLowerCase(Locale.ROOT).split("x");
        if (p.length != 3) {
            throw new IllegalArgumentException("shape '" + shape + "' is not MxKxN, e.g. 256x256x256");
        }
        int[] d = new int[3];
        for (int i = 0; i < 3; i++) {
            try {
                d[i] = Integer.parseInt(p[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("shape '" + shape + "': '" + p[i] + "' is not a number");
            }
            if (d[i] < 1 || d[i] > 8192) {
                throw new IllegalArgumentException("shape '" + shape + "': dimensions must be between 1 and 8192");
            }
        }
        return d;
    }

    static void writeJson(Path file, List<Record> records) throws IOException {
        StringBuilder sb = new StringBuilder("[\n");
        for (int i = 0; i < records.size(); i++) {
            Record r = records.get(i);
            sb.append(String.format(Locale.ROOT,
                    "  {\"op\": \"%s\", \"shape\": \"%s\", \"path\": \"%s\", \"threads\": %d, \"gflops\": %.4f, \"micros_per_call\": %.4f}%s%n",
                    r.op(), r.shape(), r.path(), r.threads(), r.gflops(), r.microsPerCall(), i + 1 < records.size() ? "," : ""));
        }
        sb.append("]\n");
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Path tmp = Files.createTempFile(dir, abs.getFileName().toString(), ".tmp");
        try {
            Files.writeString(tmp, sb, StandardCharsets.UTF_8);
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
