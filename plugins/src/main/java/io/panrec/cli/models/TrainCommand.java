package io.panrec.cli.models;

import io.panrec.models.bundle.Bundle;
import io.panrec.models.data.UserItemIndex;
import io.panrec.models.spi.ModelProvider;
import io.panrec.models.spi.ModelRegistry;
import io.panrec.models.spi.Settings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code panrec train}: reads data, splits it, trains a registered model (early stopping on the
 * validation part when the split has one) and saves it as a bundle, atomically. The bundle's info
 * records the data and the split, so that {@code evaluate} measures the model on exactly the part it
 * never saw.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a model and save it as a bundle (model.json + weights.safetensors + vocabularies).",
                "",
                "Rating models (BiasedMF, IAutoRec, UAutoRec) learn the ratings; on ml-100k they train on an official "
                        + "fold (u1.base by default) and early-stop on nothing (the folds have no validation part), elsewhere on a "
                        + "random 80/10/10 split, early-stopping on validation RMSE.",
                "Ranking models (all others) learn from implicit feedback (every interaction a positive unless --threshold) "
                        + "on a leave-one-out split by time, early-stopping on validation NDCG@10 against 99 sampled items.",
                "CTR models (LR, FM, WideDeep, DeepFM, DCNV2) learn labelled rows with feature fields (criteo:FILE, criteo-csv:FILE, "
                        + "avazu:FILE, ml-100k-ctr:DIR) on a random 80/10/10 split of the rows (--split temporal: file order), "
                        + "early-stopping on validation AUC; the fitted vocabularies are saved in the bundle.",
                "Five-fold cross-validation (--fold all) is 'panrec evaluate --model NAME --data ml-100k:DIR --fold all'.",
                "",
                "Examples:",
                "  panrec train --model BiasedMF --data ml-100k:data/ml-100k --fold 1 --out models/biasedmf-u1",
                "  panrec train --model NeuMF --data ml-100k:data/ml-100k --set epochs=10 --out models/neumf --json neumf.json",
                "  panrec train --model DeepFM --data criteo:data/criteo/train.txt --out models/deepfm-criteo"})
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "NAME", description = "A registered model (see 'panrec models').")
    String model;

    @Option(names = "--data", required = true, paramLabel = "KIND:PATH",
            description = "The data: ml-100k:DIR, ml-1m:DIR, ml-latest:DIR, csv:FILE or tsv:FILE (with --columns); for CTR models "
                    + "criteo:FILE, criteo-csv:FILE, avazu:FILE or ml-100k-ctr:DIR.")
    String data;

    @Option(names = "--fold", paramLabel = "1..5", description = "ml-100k: train on the official fold u<N>.base (test u<N>.test).")
    String fold;

    @Mixin
    Cli.SplitArgs splitArgs = new Cli.SplitArgs();

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a setting of the model (repeatable; see 'panrec models NAME').")
    List<String> sets;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Where to write the bundle: a new or empty folder, or an earlier bundle (replaced atomically).")
    Path out;

    @Option(names = "--patience", defaultValue = "3", paramLabel = "N",
            description = "Stop after N epochs without a better validation metric; the best epoch's weights are kept "
                    + "(0: run every epoch, still keeping the best; default ${DEFAULT-VALUE}).")
    int patience;

    @Option(names = "--negatives", defaultValue = "99", paramLabel = "N",
            description = "Sampled items each validation item is ranked against (ranking models; default ${DEFAULT-VALUE}).")
    int negatives;

    @Option(names = "--log", paramLabel = "FILE", description = "Write one JSON line per epoch (loss, metrics, seconds, samples/s) to FILE.")
    Path log;

    @Option(names = "--checkpoints", paramLabel = "DIR",
            description = "Checkpoint folder, written after every epoch (default: OUT.checkpoints beside the bundle, removed once "
                    + "the bundle is saved; a folder given here is kept).")
    Path checkpoints;

    @Option(names = "--resume", description = "Continue an interrupted run from its newest checkpoint (same model, data and settings).")
    boolean resume;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the result as JSON to FILE ('-' for standard output).")
    String json;

    @Mixin
    Cli.ReadArgs readArgs = new Cli.ReadArgs();

    @Mixin
    CtrExperiment.EncodingArgs encodingArgs = new CtrExperiment.EncodingArgs();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if ("all".equalsIgnoreCase(fold)) {
            throw new IllegalArgumentException("train saves one model: give --fold 1..5; for the mean over the five folds run "
                    + "'panrec evaluate --model " + model + " --data " + data + " --fold all'");
        }
        if (patience < 0 || negatives < 1) {
            throw new IllegalArgumentException("--patience must be >= 0 and --negatives >= 1");
        }
        ModelProvider provider = Cli.provider(ModelRegistry.discover(), model);
        Settings settings = Cli.settings(provider, sets);
        Task task = Task.of(provider);
        checkOut(out);
        if (task == Task.CTR) {
            Path outAbs = out.toAbsolutePath().normalize();
            Path ckpt = checkpoints == null ? outAbs.resolveSibling(outAbs.getFileName() + ".checkpoints") : checkpoints;
            return CtrExperiment.train(this, provider, settings, stdout, err, outAbs, ckpt, checkpoints == null);
        }
        PreparedData.Request request = splitArgs.request(Cli.fold(fold, false));
        PreparedData prepared = PreparedData.read(data, readArgs.columns(), readArgs.options(), task, request);
        err.println("training " + provider.name() + " (" + task.label() + " model) on " + prepared.describe());
        err.flush();

        Path outAbs = out.toAbsolutePath().normalize();
        boolean ownCheckpoints = checkpoints == null;
        Path ckpt = ownCheckpoints ? outAbs.resolveSibling(outAbs.getFileName() + ".checkpoints") : checkpoints;
        Experiment.TrainOptions options = new Experiment.TrainOptions(patience, negatives, request.seed(), log, ckpt, resume,
                Cli.stream(err));
        Experiment.Trained trained = Experiment.train(provider, settings, task, prepared, options);

        Map<String, Object> info = new LinkedHashMap<>();
        info.put("data", prepared.spec());
        info.put("dataset", prepared.dataset().name());
        info.put("task", task.label());
        info.put("split", prepared.how().toInfo());
        info.put("rows", rows(prepared));
        info.put("training", Experiment.trainingInfo(trained));
        info.put("backend", Experiment.backend());
        UserItemIndex seen = UserItemIndex.of(prepared.split().train(), prepared.split().validation());
        Bundle.save(outAbs, trained.model(), prepared.split().train().users(), prepared.split().train().items(), info,
                dir -> SeenItems.write(dir, seen));
        if (ownCheckpoints) {
            deleteCheckpoints(ckpt);
        }

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("model", provider.name());
        result.put("data", prepared.spec());
        result.put("dataset", prepared.dataset().name());
        result.put("task", task.label());
        result.put("split", prepared.how().toInfo());
        result.put("rows", rows(prepared));
        result.putAll(Experiment.trainingInfo(trained));
        result.put("backend", Experiment.backend());
        result.put("settings", Cli.values(settings));
        result.put("out", outAbs.toString());

        if (!"-".equals(json)) {
            printTable(stdout, provider.name(), prepared, trained, outAbs);
        }
        if (json != null) {
            Cli.writeJson(json, result, stdout);
        }
        return 0;
    }

    private static Map<String, Object> rows(PreparedData p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("train", p.split().train().size());
        m.put("validation", p.split().validation().size());
        m.put("test", p.split().test().size());
        m.put("users", p.split().train().numUsers());
        m.put("items", p.split().train().numItems());
        return m;
    }

    private static void printTable(PrintWriter out, String name, PreparedData p, Experiment.Trained t, Path outDir) {
        Table table = new Table("result", "value");
        table.row("model", name);
        table.row("data", p.describe());
        table.row("epochs", t.result().epochs() + (t.result().stoppedEarly() ? " (stopped early)" : "")
                + (t.result().resumedFrom() > 0 ? " (resumed after " + t.result().resumedFrom() + ")" : ""));
        if (t.result().bestEpoch() > 0) {
            table.row("best epoch", t.result().bestEpoch());
        }
        for (Map.Entry<String, Double> e : t.validationMetrics().entrySet()) {
            table.row("validation " + e.getKey(), e.getValue());
        }
        table.row("seconds", String.format(java.util.Locale.ROOT, "%.1f (training %.1f)", t.seconds(), t.trainSeconds()));
        table.row("samples/s", String.format(java.util.Locale.ROOT, "%.0f", t.samplesPerSecond()));
        table.row("backend", Experiment.backend());
        table.row("bundle", outDir);
        table.print(out);
    }

    /** Refuses, before any training, an output folder that the bundle could not replace. */
    private static void checkOut(Path out) throws IOException {
        if (Files.isRegularFile(out)) {
            throw new IllegalArgumentException("--out " + out + " is a file; give a folder for the bundle");
        }
        if (Files.isDirectory(out) && !Bundle.isBundle(out)) {
            try (Stream<Path> s = Files.list(out)) {
                if (s.findAny().isPresent()) {
                    throw new IllegalArgumentException("--out " + out + " is a folder that holds other files and no model bundle; "
                            + "give a new or empty folder, or an earlier bundle to replace");
                }
            }
        }
    }

    /** {@link #deleteCheckpoints} for the CTR side of this command. */
    static void deleteCheckpointsOf(Path dir) throws IOException {
        deleteCheckpoints(dir);
    }

    /** Removes the checkpoint folder this command chose, once the bundle holds the result. */
    private static void deleteCheckpoints(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
