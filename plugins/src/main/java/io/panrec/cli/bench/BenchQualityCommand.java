package io.panrec.cli.bench;

import io.panrec.backend.CpuInfo;
import io.panrec.cli.models.EvaluateCommand;
import io.panrec.io.Json;
import io.panrec.models.bundle.JsonWriter;
import io.panrec.models.spi.ModelProvider;
import io.panrec.models.spi.ModelRegistry;
import io.panrec.models.spi.Settings;
import io.panrec.models.train.TrainingSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code panrec bench quality}: the model-quality benchmark of the bench module's README, reproducible
 * from one command. Each {@link Entry} of {@link #ENTRIES} is trained and measured through
 * {@code panrec evaluate --model NAME} (the same code path a user runs): rating models on the five
 * official MovieLens-100K folds (RMSE, MAE, mean over the folds), ranking models by leave-one-out by
 * time against 99 sampled negatives as the NCF paper (HR@10, NDCG@10, with early stopping on the
 * validation item). It writes a markdown report (tables, the settings of every model, the machine,
 * JDK, backend and load) and optionally the raw results as JSON.
 */
@Command(name = "quality", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train and measure every model of the quality table on MovieLens-100K: rating models on the official "
                + "5 folds (RMSE, MAE), ranking models by leave-one-out with 99 sampled negatives (HR@10, NDCG@10); "
                + "training samples/s and the backend. Writes a markdown report.",
                "",
                "Example: panrec bench quality --data ml-100k:../shared/data/ml-100k --markdown quality.md --json quality.json"})
public final class BenchQualityCommand implements Callable<Integer> {

    /** How an entry is measured. */
    public enum Protocol {
        /** The five official folds u1..u5, RMSE and MAE of the clipped predictions, mean over the folds. */
        RATING_FOLDS,
        /** Leave-one-out by time (last item test, second-last validation), test item against 99 sampled negatives. */
        LOO_SAMPLED
    }

    /**
     * One row of the quality table: a registered model, how it is measured, the settings changed from its
     * defaults ({@code key=value}, as {@code --set}), and a note for the table (e.g. a bounded budget).
     */
    public record Entry(String model, Protocol protocol, List<String> sets, String note) {
        public Entry {
            sets = List.copyOf(sets);
            note = note == null ? "" : note;
        }

        static Entry rating(String model) {
            return new Entry(model, Protocol.RATING_FOLDS, List.of(), "");
        }

        static Entry ranking(String model) {
            return new Entry(model, Protocol.LOO_SAMPLED, List.of(), "");
        }

        Entry with(String note, String... sets) {
            return new Entry(model, protocol, List.of(sets), note);
        }
    }

    /** The table, in order. A new model is measured by adding a line here. */
    public static final List<Entry> ENTRIES = List.of(
            Entry.rating("BiasedMF"),
            Entry.rating("IAutoRec"),
            Entry.ranking("Pop"),
            Entry.ranking("ItemKNN"),
            Entry.ranking("BPRMF"),
            Entry.ranking("iALS"),
            Entry.ranking("GMF"),
            Entry.ranking("MLP"),
            Entry.ranking("NeuMF"),
            // ConvNCF trains at several hundred triples per second on two CPU cores (six convolutions over a
            // 64x64 map per pair, 2.5-5 minutes an epoch): the benchmark bounds it to 8 epochs of the 20. It
            // starts from 25 epochs of BPRMF as the paper does (its default now, set here as it was measured;
            // from random embeddings it stayed below Pop on validation for its first 3 epochs)
            Entry.ranking("ConvNCF").with("pretrained from BPRMF (25 epochs) as the paper; bounded budget: at most 8 epochs "
                    + "instead of the default 20 (CPU time)", "pretrainEpochs=25", "epochs=8"));

    /** Negatives per test item of the sampled protocol, as the NCF paper. */
    static final int NEGATIVES = 99;
    /** Epochs of every model with an {@code epochs} setting in a {@code --quick} run. */
    static final int QUICK_EPOCHS = 2;

    @Option(names = "--data", defaultValue = "ml-100k:../shared/data/ml-100k", paramLabel = "ml-100k:DIR",
            description = "MovieLens 100K (u.data, u.item and the folds u1..u5) (default ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--markdown", paramLabel = "FILE", description = "Write the report to FILE (default: standard output only).")
    Path markdown;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write every evaluate result (metrics, settings, epochs, timings) as JSON.")
    Path json;

    @Option(names = "--quick", description = "A smoke run: fold u1 only for rating models and at most " + QUICK_EPOCHS
            + " epochs for every model (the numbers are not the benchmark's).")
    boolean quick;

    @Option(names = "--models", split = ",", paramLabel = "NAME[,NAME...]", description = "Only these entries of the table (default: all).")
    List<String> models;

    @Spec
    CommandLine.Model.CommandSpec spec;

    /** What one entry measured (or why it failed). */
    record Outcome(Entry entry, List<String> sets, Map<String, Object> result, String error, double seconds) {
        double metric(String key) {
            Object m = result == null ? null : result.get("metrics");
            if (m instanceof Map<?, ?> map && map.get(key) instanceof Number n) {
                return n.doubleValue();
            }
            return Double.NaN;
        }

        double number(String key) {
            return result != null && result.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
        }
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ModelRegistry registry = ModelRegistry.discover();
        List<Entry> chosen = choose(registry);
        String started = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        String loadBefore = loadAverage();
        List<Outcome> outcomes = new ArrayList<>();
        String report = "";
        for (Entry e : chosen) {
            List<String> sets = effectiveSets(e, registry.get(e.model()));
            List<String> args = evaluateArgs(e, sets);
            err.println("== " + e.model() + ": panrec evaluate " + String.join(" ", args));
            err.flush();
            outcomes.add(run(e, sets, args, err));
            Outcome o = outcomes.getLast();
            err.println("== " + e.model() + (o.error() != null ? " FAILED: " + o.error() : " done") + String.format(Locale.ROOT, " in %.0f s", o.seconds()));
            // the files are rewritten after every entry: a long run stopped part-way keeps what it measured
            boolean last = outcomes.size() == chosen.size();
            report = report(outcomes, started, loadBefore, loadAverage(),
                    last ? "" : " (partial: " + outcomes.size() + " of " + chosen.size() + " entries so far)");
            writeFiles(outcomes, started, report, last, err);
            err.flush();
        }
        out.print(report);
        out.flush();
        err.flush();
        return outcomes.stream().anyMatch(o -> o.error() != null) ? 1 : 0;
    }

    private void writeFiles(List<Outcome> outcomes, String started, String report, boolean complete, PrintWriter err) throws IOException {
        boolean say = complete;
        if (markdown != null) {
            write(markdown, report);
            if (say) {
                err.println("wrote " + markdown);
            }
        }
        if (json != null) {
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("command", commandLine());
            root.put("started", started);
            root.put("complete", complete);
            root.put("jdk", Runtime.version().toString());
            root.put("cpu", CpuInfo.current().modelName());
            root.put("cores", Runtime.getRuntime().availableProcessors());
            List<Object> rows = new ArrayList<>();
            for (Outcome o : outcomes) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("model", o.entry().model());
                r.put("protocol", o.entry().protocol().name());
                r.put("sets", o.sets());
                r.put("note", o.entry().note());
                r.put("seconds", Math.round(o.seconds() * 10) / 10.0);
                r.put("error", o.error());
                r.put("result", o.result());
                rows.add(r);
            }
            root.put("entries", rows);
            write(json, JsonWriter.pretty(root));
            if (say) {
                err.println("wrote " + json);
            }
        }
    }

    private List<Entry> choose(ModelRegistry registry) {
        if (!data.startsWith("ml-100k:")) {
            throw new IllegalArgumentException("bench quality runs on MovieLens 100K (the official folds): --data ml-100k:DIR, not " + data);
        }
        List<Entry> chosen = new ArrayList<>();
        if (models == null || models.isEmpty()) {
            chosen.addAll(ENTRIES);
        } else {
            for (String m : models) {
                Entry e = ENTRIES.stream().filter(x -> x.model().equalsIgnoreCase(m.strip())).findFirst().orElseThrow(
                        () -> new IllegalArgumentException("--models: '" + m + "' is not in the quality table; its models: "
                                + String.join(", ", ENTRIES.stream().map(Entry::model).toList())));
                chosen.add(e);
            }
        }
        for (Entry e : chosen) {
            registry.get(e.model());   // an entry whose model is not registered fails here, naming the known ones
        }
        return chosen;
    }

    /** The entry's settings, and in a quick run at most {@link #QUICK_EPOCHS} epochs (for models that have epochs). */
    private List<String> effectiveSets(Entry e, ModelProvider provider) {
        List<String> sets = new ArrayList<>(e.sets());
        Settings defaults = provider.defaultSettings();
        if (quick && defaults.has(TrainingSettings.EPOCHS)) {
            int epochs = defaults.withAssignments(e.sets()).getInt(TrainingSettings.EPOCHS);
            if (epochs > QUICK_EPOCHS) {
                sets.removeIf(s -> s.startsWith(TrainingSettings.EPOCHS + "="));
                sets.add(TrainingSettings.EPOCHS + "=" + QUICK_EPOCHS);
            }
        }
        return sets;
    }

    private List<String> evaluateArgs(Entry e, List<String> sets) {
        List<String> args = new ArrayList<>(List.of("--model", e.model(), "--data", data));
        switch (e.protocol()) {
            case RATING_FOLDS -> args.addAll(List.of("--fold", quick ? "1" : "all", "--protocol", "rating"));
            case LOO_SAMPLED -> args.addAll(List.of("--split", "loo", "--protocol", "sampled", "--negatives", String.valueOf(NEGATIVES),
                    "-k", "10"));
        }
        for (String s : sets) {
            args.add("--set");
            args.add(s);
        }
        return args;
    }

    /** Runs {@code panrec evaluate} in this JVM and reads back its JSON. */
    private Outcome run(Entry e, List<String> sets, List<String> args, PrintWriter err) throws IOException {
        Path file = Files.createTempFile("panrec-quality-", ".json");
        long t0 = System.nanoTime();
        try {
            List<String> full = new ArrayList<>(args);
            full.add("--json");
            full.add(file.toString());
            StringWriter table = new StringWriter();
            EvaluateCommand command = new EvaluateCommand();
            CommandLine cl = new CommandLine(command);
            cl.setOut(new PrintWriter(table, true));
            cl.setErr(err);
            String error = null;
            Map<String, Object> result = null;
            // called directly rather than through picocli's execute, so that a failure is recorded here and the
            // other models still run
            try {
                cl.parseArgs(full.toArray(String[]::new));
                command.call();
                result = parse(Files.readString(file));
            } catch (RuntimeException | IOException ex) {
                error = ex.getClass().getSimpleName() + ": " + ex.getMessage();
            }
            err.print(table);
            return new Outcome(e, sets, result, error, (System.nanoTime() - t0) / 1e9);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parse(String text) {
        try {
            return (Map<String, Object>) Json.parse(text);
        } catch (Json.ParseException ex) {
            throw new IllegalStateException("panrec evaluate wrote JSON that does not parse: " + ex.getMessage(), ex);
        }
    }

    // ------------------------------------------------------------------ the report

    private String report(List<Outcome> outcomes, String started, String loadBefore, String loadAfter, String partial) {
        StringBuilder sb = new StringBuilder();
        CpuInfo cpu = CpuInfo.current();
        sb.append("Command: `").append(commandLine()).append("`").append(quick ? " (quick: NOT the benchmark's numbers)" : "")
                .append(partial).append("\n\n");
        sb.append("| | |\n|---|---|\n");
        sb.append("| started | ").append(started).append(" |\n");
        sb.append("| JDK | ").append(Runtime.version()).append(" |\n");
        sb.append("| CPU | ").append(cpu.modelName()).append(", ").append(Runtime.getRuntime().availableProcessors()).append(" logical cores |\n");
        sb.append("| backend | ").append(backends(outcomes)).append(" |\n");
        sb.append("| load average (1/5/15 min) | before ").append(loadBefore).append(", after ").append(loadAfter).append(" |\n");
        sb.append("| data | `").append(data).append("` |\n\n");

        List<Outcome> rating = outcomes.stream().filter(o -> o.entry().protocol() == Protocol.RATING_FOLDS).toList();
        if (!rating.isEmpty()) {
            sb.append(quick ? "Rating prediction, fold u1 only (quick)" : "Rating prediction, official folds u1..u5 (mean, std over the folds)")
                    .append(": RMSE and MAE of the predictions clipped to 1..5.\n\n");
            sb.append("| model | RMSE | MAE | train s (all folds) | samples/s | note |\n|---|---|---|---|---|---|\n");
            for (Outcome o : rating) {
                sb.append("| ").append(o.entry().model()).append(" | ");
                if (o.error() != null) {
                    sb.append("failed | | | | ").append(escape(o.error())).append(" |\n");
                    continue;
                }
                sb.append(withStd(o, "RMSE")).append(" | ").append(withStd(o, "MAE")).append(" | ")
                        .append(fixed(o.number("train_seconds"), 1)).append(" | ").append(fixed(o.number("samples_per_second"), 0))
                        .append(" | ").append(escape(o.entry().note())).append(" |\n");
            }
            sb.append('\n');
        }
        List<Outcome> ranking = outcomes.stream().filter(o -> o.entry().protocol() == Protocol.LOO_SAMPLED).toList();
        if (!ranking.isEmpty()) {
            sb.append("Ranking, leave-one-out by time (each user's last item is the test item, the one before it the validation "
                    + "item for early stopping), the test item against ").append(NEGATIVES).append(" sampled items the user never "
                    + "interacted with (NCF protocol, evaluation seed 1).\n\n");
            sb.append("| model | HR@10 | NDCG@10 | epochs (best) | train s | samples/s | note |\n|---|---|---|---|---|---|---|\n");
            for (Outcome o : ranking) {
                sb.append("| ").append(o.entry().model()).append(" | ");
                if (o.error() != null) {
                    sb.append("failed | | | | | ").append(escape(o.error())).append(" |\n");
                    continue;
                }
                sb.append(fixed(o.metric("HR@10"), 4)).append(" | ").append(fixed(o.metric("NDCG@10"), 4)).append(" | ")
                        .append(epochs(o)).append(" | ").append(fixed(o.number("train_seconds"), 1)).append(" | ")
                        .append(fixed(o.number("samples_per_second"), 0)).append(" | ").append(escape(o.entry().note())).append(" |\n");
            }
            sb.append('\n');
        }
        sb.append("samples/s: training samples per second of the training steps (validation excluded): ratings for rating "
                + "models, (user, item) pairs or triples with their sampled negatives for ranking models, ratings or "
                + "interactions per sweep for models fitted directly (Pop, ItemKNN, iALS, BiasedMF).\n\n");
        sb.append("Settings used (every setting of every model, `--set` changes marked with *):\n\n");
        for (Outcome o : outcomes) {
            sb.append("- ").append(o.entry().model()).append(": ");
            Object s = o.result() == null ? null : o.result().get("settings");
            if (s instanceof Map<?, ?> map) {
                List<String> parts = new ArrayList<>();
                for (Map.Entry<?, ?> kv : map.entrySet()) {
                    String key = String.valueOf(kv.getKey());
                    boolean changed = o.sets().stream().anyMatch(x -> x.startsWith(key + "="));
                    parts.add(key + "=" + compact(kv.getValue()) + (changed ? "*" : ""));
                }
                sb.append(parts.isEmpty() ? "(no settings)" : "`" + String.join(" ", parts) + "`");
            } else {
                sb.append("(not run)");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String withStd(Outcome o, String key) {
        String v = fixed(o.metric(key), 4);
        Object std = o.result().get("std");
        if (std instanceof Map<?, ?> m && m.get(key) instanceof Number n) {
            v += " ± " + fixed(n.doubleValue(), 4);
        }
        return v;
    }

    private static String epochs(Outcome o) {
        Object runs = o.result().get("runs");
        if (runs instanceof List<?> l && !l.isEmpty() && l.getFirst() instanceof Map<?, ?> run
                && run.get("training") instanceof Map<?, ?> t) {
            Object e = t.get("epochs");
            Object best = t.get("best_epoch");
            return e + (best instanceof Number ? " (" + best + ")" : "");
        }
        return "";
    }

    private static String backends(List<Outcome> outcomes) {
        return String.join(", ", outcomes.stream().filter(o -> o.result() != null).map(o -> String.valueOf(o.result().get("backend")))
                .distinct().toList());
    }

    private static String compact(Object v) {
        if (v instanceof List<?> l) {
            return String.join(",", l.stream().map(String::valueOf).toList());
        }
        return String.valueOf(v);
    }

    private static String fixed(double v, int digits) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%." + digits + "f", v);
    }

    private static String escape(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    private String commandLine() {
        List<String> args = spec.commandLine().getParseResult() == null ? List.of() : spec.commandLine().getParseResult().originalArgs();
        // the root's parse result: the arguments from "bench quality" on
        return args.isEmpty() ? "panrec bench quality" : "panrec " + String.join(" ", args);
    }

    /** The 1, 5 and 15 minute load averages, or "unknown" where /proc/loadavg is not readable (not Linux). */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
            return f[0] + " / " + f[1] + " / " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static void write(Path file, String text) throws IOException {
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
