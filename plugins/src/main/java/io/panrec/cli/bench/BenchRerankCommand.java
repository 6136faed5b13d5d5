package io.panrec.cli.bench;

import io.panrec.backend.BackendProvider;
import io.panrec.backend.Backends;
import io.panrec.backend.CpuInfo;
import io.panrec.models.spi.ModelProvider;
import io.panrec.models.spi.ModelRegistry;
import org.apache.lucene.search.TopDocs;
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
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code panrec bench rerank}: the reranking rows of the JMH benchmark ({@code RerankBenchmark}) in
 * seconds, without JMH. Per model, CPU backend and first-pass depth: one thread reranks first passes
 * of random documents for random users (doc-values reads, one batched model call, the combination),
 * after a warm-up; each call is timed, and the median and 99th percentile are reported.
 *
 * <p>Models are looked up by name in the {@link ModelRegistry}: one that is not registered is reported
 * as skipped, not an error, so that the same command line works before and after a model lands.
 */
@Command(name = "rerank", mixinStandardHelpOptions = true,
        description = {"Time reranking of 100 and 1000 first-pass Lucene hits per query, on one thread, for each model and CPU backend.",
                "Records: {model, backend, hits, p50_micros, p99_micros}."})
public final class BenchRerankCommand implements Callable<Integer> {
    static final List<String> CPU_BACKENDS = List.of("onednn", "vector", "reference");

    @Option(names = "--models", split = ",", paramLabel = "NAME", defaultValue = "NeuMF,DeepFM",
            description = "Models to time, by registry name (default ${DEFAULT-VALUE}).")
    List<String> models;

    @Option(names = "--backends", split = ",", paramLabel = "NAME", description = "CPU backends to time (default: every available one of "
            + "onednn, vector, reference).")
    List<String> backends;

    @Option(names = "--hits", split = ",", paramLabel = "N", defaultValue = "100,1000",
            description = "First-pass depths (default ${DEFAULT-VALUE}).")
    List<Integer> hits;

    @Option(names = "--users", defaultValue = "943", description = "Users of the model (default ${DEFAULT-VALUE}, as MovieLens 100K).")
    int users;

    @Option(names = "--items", defaultValue = "5000", description = "Items in the index and the model (default ${DEFAULT-VALUE}).")
    int items;

    @Option(names = "--millis", defaultValue = "1500", description = "Time measured per row after warm-up (default ${DEFAULT-VALUE} ms).")
    int millis;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a setting of the models timed (repeatable; "
            + "e.g. --set embeddingSize=8 --set layers=64,32,16,8 for NeuMF as the NCF paper sizes it).")
    List<String> sets;

    @Option(names = "--threads", defaultValue = "1", description = "Threads of each model call, in the kernels of every backend "
            + "(default ${DEFAULT-VALUE}: the issue's per-query, one-thread measure; a search server's parallelism is its queries).")
    int threads;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the records as JSON to FILE.")
    Path json;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** One row: per-query latency of reranking {@code hits} first-pass hits. */
    public record Record(String model, String backend, int hits, double p50Micros, double p99Micros) {
    }

    @Override
    public Integer call() throws IOException {
        if (users < 1 || items < 1 || millis < 1) {
            throw new IllegalArgumentException("--users, --items and --millis must be at least 1");
        }
        io.panrec.backend.CpuThreads.limit(threads); // before a native backend loads: OpenMP reads it then
        for (int h : hits) {
            if (h < 1 || h > items) {
                throw new IllegalArgumentException("--hits " + h + " must be between 1 and --items (" + items + ")");
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        ModelRegistry registry = ModelRegistry.discover();
        List<String> chosen = chooseBackends(out);
        out.printf(Locale.ROOT, "reranking per query, %d thread%s — %s, %d cores — JDK %s — %d users, %d items — oneDNN inference math %s%n",
                threads, threads == 1 ? "" : "s", CpuInfo.current().modelName(), Runtime.getRuntime().availableProcessors(), Runtime.version(),
                users, items, System.getProperty("panrec.onednn.inferenceMath", "strict"));
        out.printf(Locale.ROOT, "%-10s %-10s %6s %12s %12s%n", "model", "backend", "hits", "p50 us", "p99 us");
        List<Record> records = new ArrayList<>();
        for (String name : models) {
            Optional<ModelProvider> provider = registry.find(name);
            if (provider.isEmpty()) {
                out.println("skipped: " + name + " not registered (known models: " + String.join(", ", registry.names()) + ")");
                continue;
            }
            io.panrec.models.spi.Settings settings = provider.get().defaultSettings().withAssignments(sets == null ? List.of() : sets);
            if (sets != null && !sets.isEmpty()) {
                out.println(name + " with " + String.join(", ", sets));
            }
            try (RerankFixture f = RerankFixture.create(provider.get(), settings, users, items, 7)) {
                for (String backend : chosen) {
                    try (var _ = Backends.use(backend)) {
                        for (int h : hits) {
                            double[] q = measure(f, h);
                            Record r = new Record(provider.get().name(), backend, h, q[0], q[1]);
                            records.add(r);
                            out.printf(Locale.ROOT, "%-10s %-10s %6d %12.1f %12.1f%n", r.model(), r.backend(), r.hits(), r.p50Micros(), r.p99Micros());
                            out.flush();
                        }
                    }
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

    private List<String> chooseBackends(PrintWriter out) {
        if (backends != null) {
            for (String b : backends) {
                Backends.named(b); // a clear error for an unknown or unavailable name
            }
            return backends;
        }
        List<String> chosen = new ArrayList<>();
        for (String name : CPU_BACKENDS) {
            for (BackendProvider p : Backends.providers()) {
                if (p.name().equals(name)) {
                    try {
                        Backends.named(name);
                        chosen.add(name);
                    } catch (RuntimeException | LinkageError e) {
                        out.println("skipped backend " + name + ": " + e.getMessage());
                    }
                }
            }
        }
        return chosen;
    }

    /** p50 and p99 in microseconds of single reranks of {@code hits} hits, after a warm-up. */
    private double[] measure(RerankFixture f, int hits) throws IOException {
        TopDocs[] passes = new TopDocs[16];
        for (int i = 0; i < passes.length; i++) {
            passes[i] = f.firstPass(hits);
        }
        // warm up for half the measured time and at least 500 calls (the JIT compiles by call counts, and on a
        // busy machine its threads get little time), but never more than 10 times the measured time
        long start = System.nanoTime();
        long warmEnd = start + millis * 1_000_000L / 2;
        long warmCap = start + millis * 10_000_000L;
        int i = 0;
        while ((System.nanoTime() < warmEnd || i < 500) && System.nanoTime() < warmCap) {
            f.rerank(f.randomUser(), passes[i++ & 15], 10);
        }
        double[] samples = new double[1 << 16];
        int n = 0;
        long end = System.nanoTime() + millis * 1_000_000L;
        while (n < samples.length && (System.nanoTime() < end || n < 20)) {
            var user = f.randomUser();
            TopDocs fp = passes[i++ & 15];
            long t = System.nanoTime();
            f.rerank(user, fp, 10);
            samples[n++] = (System.nanoTime() - t) / 1e3;
        }
        double[] s = Arrays.copyOf(samples, n);
        Arrays.sort(s);
        return new double[] {percentile(s, 0.50), percentile(s, 0.99)};
    }

    static double percentile(double[] sorted, double p) {
        int k = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, k))];
    }

    static void writeJson(Path file, List<Record> records) throws IOException {
        StringBuilder sb = new StringBuilder("[\n");
        for (int i = 0; i < records.size(); i++) {
            Record r = records.get(i);
            sb.append(String.format(Locale.ROOT, "  {\"model\": \"%s\", \"backend\": \"%s\", \"hits\": %d, \"p50_micros\": %.2f, \"p99_micros\": %.2f}%s%n",
                    r.model(), r.backend(), r.hits(), r.p50Micros(), r.p99Micros(), i + 1 < records.size() ? "," : ""));
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
