package io.panrec.cli.models;

import io.panrec.models.bundle.JsonWriter;
import io.panrec.models.data.DelimitedFormat;
import io.panrec.models.data.ReadOptions;
import io.panrec.models.spi.ModelProvider;
import io.panrec.models.spi.ModelRegistry;
import io.panrec.models.spi.Settings;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What the model commands share: option groups, the registry, JSON output, the progress stream. */
final class Cli {
    /** The seed of splits and sampled negatives when none is given. */
    static final long DEFAULT_SEED = 1;

    private Cli() {
    }

    /** How to read data files beyond their {@code KIND:PATH}. */
    static final class ReadArgs {
        @Option(names = "--columns", paramLabel = "user=COL,item=COL[,rating=COL][,timestamp=COL]",
                description = "For csv: and tsv: data: the columns holding user, item, rating and timestamp.")
        String columns;

        @Option(names = "--lenient", description = "Skip malformed lines and count them, instead of stopping at the first one.")
        boolean lenient;

        DelimitedFormat.Columns columns() {
            return columns == null ? null : DelimitedFormat.Columns.parse(columns);
        }

        ReadOptions options() {
            return lenient ? ReadOptions.LENIENT : ReadOptions.STRICT;
        }
    }

    /** How to split data, for the commands that train. */
    static final class SplitArgs {
        @Option(names = "--split", paramLabel = "loo|ratio|temporal|fold|sessions",
                description = {"How to cut the data. Default: rating models (BiasedMF, IAutoRec, UAutoRec) on ml-100k the official "
                        + "fold (--fold, 1 if not given), on other data ratio; ranking models loo (leave-one-out by time: "
                        + "each user's latest interaction is the test item, the one before the validation item), or ratio when "
                        + "the data has no timestamps.",
                        "Session data (sessions:FILE, diginetica:FILE): sessions (GRU4Rec/NARM's filters, the sessions of the "
                                + "last 7 days as test) for every model."})
        String split;

        @Option(names = "--fractions", paramLabel = "VALIDATION,TEST", split = ",", defaultValue = "0.1,0.1",
                description = "Validation and test shares of the rows for the ratio and temporal splits (default ${DEFAULT-VALUE}).")
        List<Double> fractions;

        @Option(names = "--threshold", paramLabel = "RATING",
                description = "Ranking models: ratings below this are dropped and the rest become implicit positives "
                        + "(default: every interaction is a positive, as in the NCF paper).")
        Float threshold;

        @Option(names = "--seed", paramLabel = "N", description = "Seed of the ratio split and of sampled negatives (default 1).")
        Long seed;

        PreparedData.Request request(Integer fold) {
            if (fractions.size() != 2) {
                throw new IllegalArgumentException("--fractions takes two numbers, VALIDATION,TEST (e.g. 0.1,0.1), got " + fractions);
            }
            if (threshold != null && !Float.isFinite(threshold)) {
                throw new IllegalArgumentException("--threshold must be a finite rating, got " + threshold);
            }
            SplitSpec.Kind kind = split == null ? null : SplitSpec.Kind.parse(split);
            return new PreparedData.Request(kind, fold, fractions.get(0), fractions.get(1), seed == null ? DEFAULT_SEED : seed, threshold);
        }
    }

    /** The registry's provider of {@code name}; an unknown name lists the known ones. */
    static ModelProvider provider(ModelRegistry registry, String name) {
        return registry.get(name);
    }

    /** The defaults of {@code provider} with {@code --set key=value} assignments applied, in order. */
    static Settings settings(ModelProvider provider, List<String> sets) {
        return provider.defaultSettings().withAssignments(sets == null ? List.of() : sets);
    }

    /**
     * Parses {@code --fold}: a number 1..5, or "all" when {@code allowAll}; null stays null.
     */
    static Integer fold(String text, boolean allowAll) {
        if (text == null || allowAll && text.equalsIgnoreCase("all")) {
            return null;
        }
        try {
            int f = Integer.parseInt(text.strip());
            if (f >= 1 && f <= 5) {
                return f;
            }
        } catch (NumberFormatException e) {
            // the message below says what is accepted
        }
        throw new IllegalArgumentException("--fold takes 1 to 5" + (allowAll ? " or all" : "") + ", not '" + text + "'");
    }

    /** Writes {@code value} as JSON to {@code target}: a file (atomically replaced), or standard output for "-". */
    static void writeJson(String target, Object value, PrintWriter out) throws IOException {
        String text = JsonWriter.pretty(value);
        if (target.equals("-")) {
            out.print(text);
            out.flush();
            return;
        }
        Path file = Path.of(target).toAbsolutePath();
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName() + ".", ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * A PrintStream writing into {@code writer} (the command's error stream, which tests capture): the
     * trainer reports progress on a PrintStream. Bytes are decoded as UTF-8 at each flush.
     */
    static PrintStream stream(PrintWriter writer) {
        OutputStream bytes = new OutputStream() {
            private final java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();

            @Override
            public void write(int b) {
                buffer.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                buffer.write(b, off, len);
            }

            @Override
            public void flush() {
                writer.write(buffer.toString(StandardCharsets.UTF_8));
                buffer.reset();
                writer.flush();
            }
        };
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }

    /** Metric values as a JSON object (NaN as null). */
    static java.util.Map<String, Object> metrics(java.util.Map<String, Double> metrics) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        metrics.forEach((k, v) -> m.put(k, v == null || !Double.isFinite(v) ? null : v));
        return m;
    }

    /** {@code --set} values as JSON-ready plain values. */
    static java.util.Map<String, Object> values(Settings s) {
        return new java.util.LinkedHashMap<>(s.values());
    }

    static List<String> orEmpty(List<String> list) {
        return list == null ? new ArrayList<>() : list;
    }
}
