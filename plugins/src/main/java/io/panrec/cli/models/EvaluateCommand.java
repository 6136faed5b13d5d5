package io.panrec.cli.models;

import io.panrec.models.bundle.Bundle;
import io.panrec.models.eval.EvaluationResult;
import io.panrec.models.spi.ModelProvider;
import io.panrec.models.spi.ModelRegistry;
import io.panrec.models.spi.Recommender;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code panrec evaluate}: measures a trained bundle on the test part of the split it was trained on
 * (read again from its data), or, given a model name, trains a fresh model per fold (or on the
 * requested split) and measures each; {@code --fold all} reports the five official MovieLens 100K
 * folds and their mean.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure a model on held-out data: a table of metrics, and JSON with --json.",
                "",
                "--model DIR: a bundle written by 'panrec train', measured on the test part of the split recorded in it "
                        + "(the data is read again; --data may point elsewhere, e.g. a moved copy).",
                "--model NAME: trains a fresh model of that name (with --set, --split, ...) and measures it; nothing is saved. "
                        + "With --fold all on ml-100k it trains on each official fold u1..u5 and reports every fold and the mean.",
                "",
                "Protocols: rating (RMSE, MAE; the default for rating models), sampled (each test item against --negatives "
                        + "items the user never interacted with: HR@K, NDCG@K, MRR@K; the default for ranking models, as the NCF "
                        + "paper), full (every item the user has not interacted with: HR, NDCG, MRR, Recall, Precision, Coverage @K), "
                        + "ctr (AUC and LogLoss on the test rows; the only protocol of CTR models).",
                "",
                "Examples:",
                "  panrec evaluate --model models/neumf --protocol sampled --json neumf-eval.json",
                "  panrec evaluate --model BiasedMF --data ml-100k:data/ml-100k --fold all --protocol rating"})
public final class EvaluateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR|NAME", description = "A bundle folder, or a registered model's name.")
    String model;

    @Option(names = "--data", paramLabel = "KIND:PATH", description = "The data (default for a bundle: the data it was trained on).")
    String data;

    @Option(names = "--protocol", paramLabel = "sampled|full|rating", description = "How to measure (default: rating for rating models, sampled for ranking models).")
    String protocol;

    @Option(names = "--fold", paramLabel = "1..5|all",
            description = "ml-100k: the official fold to test on (a bundle: the fold it was trained on by default), or all five (with --model NAME).")
    String fold;

    @Option(names = {"-k", "--cutoffs"}, split = ",", defaultValue = "10", paramLabel = "K[,K...]",
            description = "Cut-offs of the ranking metrics (default ${DEFAULT-VALUE}).")
    int[] cutoffs;

    @Option(names = "--negatives", defaultValue = "99", paramLabel = "N",
            description = "Sampled protocol: items each test item is ranked against (default ${DEFAULT-VALUE}).")
    int negatives;

    @Option(names = "--eval-seed", defaultValue = "1", paramLabel = "N",
            description = "Seed of the sampled negatives (default ${DEFAULT-VALUE}: every model measured on the same data faces the same ones).")
    long evalSeed;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "With --model NAME: override a setting (repeatable).")
    List<String> sets;

    @Mixin
    Cli.SplitArgs splitArgs = new Cli.SplitArgs();

    @Option(names = "--patience", defaultValue = "3", paramLabel = "N",
            description = "With --model NAME: early-stopping patience when the split has a validation part (default ${DEFAULT-VALUE}).")
    int patience;

    @Option(names = "--json", paramLabel = "FILE", description = "Write {model, data, protocol, metrics, seconds, ...} as JSON to FILE ('-' for standard output).")
    String json;

    @Mixin
    Cli.ReadArgs readArgs = new Cli.ReadArgs();

    @Mixin
    CtrExperiment.EncodingArgs encodingArgs = new CtrExperiment.EncodingArgs();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (negatives < 1) {
            throw new IllegalArgumentException("--negatives must be at least 1, got " + negatives);
        }
        ModelRegistry registry = ModelRegistry.discover();
        Path folder = Path.of(model);
        Map<String, Object> result;
        if (Files.isDirectory(folder)) {
            result = evaluateBundle(registry, folder);
        } else {
            if (registry.find(model).isEmpty()) {
                throw new IllegalArgumentException("--model '" + model + "' is neither a bundle folder nor a registered model; known models: "
                        + String.join(", ", registry.names()));
            }
            result = trainAndEvaluate(registry.get(model));
        }
        if (json != null) {
            Cli.writeJson(json, result, spec.commandLine().getOut());
        }
        return 0;
    }

    // ------------------------------------------------------------------ a bundle

    private Map<String, Object> evaluateBundle(ModelRegistry registry, Path folder) throws IOException {
        if ("all".equalsIgnoreCase(fold)) {
            throw new IllegalArgumentException("a bundle was trained on one fold; --fold all trains a fresh model per fold: "
                    + "give the model's name, e.g. --model " + Bundle.readHeader(folder, registry).provider().name());
        }
        if (sets != null && !sets.isEmpty()) {
            throw new IllegalArgumentException("--set changes how a model is built; a bundle is already trained (use --model NAME to train anew)");
        }
        long t0 = System.nanoTime();
        Bundle bundle = Bundle.load(folder, registry);
        Recommender m = bundle.model();
        String name = m.settings().owner();
        ModelProvider provider = registry.get(name);
        Task task = Task.of(provider);
        if (task == Task.CTR) {
            return CtrExperiment.evaluateBundle(this, bundle, folder);
        }
        String where = "bundle " + folder;
        SplitSpec how = SplitSpec.fromInfo(bundle.info().get("split"), where);
        Integer f = Cli.fold(fold, false);
        if (f != null) {
            if (how.kind() != SplitSpec.Kind.FOLD) {
                throw new IllegalArgumentException(where + " was trained on a " + how.kind().label() + " split, not an official fold; "
                        + "--fold applies to models trained with --fold");
            }
            if (f != how.fold()) {
                spec.commandLine().getErr().println("warning: the model was trained on u" + how.fold()
                        + ".base, which holds most of u" + f + ".test: the numbers will be optimistic");
            }
            how = new SplitSpec(how.kind(), f, how.validationFraction(), how.testFraction(), how.seed(), how.threshold());
        }
        String dataSpec = data != null ? data : recordedData(bundle, where);
        PreparedData prepared = PreparedData.read(dataSpec, readArgs.columns(), readArgs.options(), task, how);
        PreparedData.Mapped mapped = prepared.inVocabularies(bundle.users(), bundle.items());
        if (mapped.droppedTestRows() > 0) {
            spec.commandLine().getErr().println("note: " + mapped.droppedTestRows() + " test rows have a user or item the model "
                    + "does not know, and are left out");
        }
        String p = Experiment.protocol(protocol, task);
        EvaluationResult r = Experiment.evaluate(m, task, mapped.split(), p, negatives, evalSeed, cutoffs);
        double seconds = (System.nanoTime() - t0) / 1e9;

        PrintWriter out = spec.commandLine().getOut();
        if (!"-".equals(json)) {
            out.printf(Locale.ROOT, "%s on %s, %s protocol, %d cases, %.1f s%n", name, prepared.describe(), p, r.cases(), r.seconds());
            Table t = new Table("metric", "value");
            r.metrics().forEach(t::row);
            t.print(out);
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("model", name);
        json.put("bundle", folder.toAbsolutePath().normalize().toString());
        json.put("data", prepared.spec());
        json.put("dataset", prepared.dataset().name());
        json.put("split", how.toInfo());
        json.put("protocol", p);
        json.put("metrics", Cli.metrics(r.metrics()));
        json.put("cases", r.cases());
        json.put("seconds", Experiment.round(seconds));
        json.put("backend", Experiment.backend());
        if (p.equals("sampled")) {
            json.put("negatives", negatives);
        }
        json.put("settings", Cli.values(m.settings()));
        return json;
    }

    private static String recordedData(Bundle bundle, String where) {
        Object d = bundle.info().get("data");
        if (!(d instanceof String s)) {
            throw new IllegalArgumentException(where + " records no data (info.data); give it with --data KIND:PATH");
        }
        return s;
    }

    // ------------------------------------------------------------------ a name: train, then measure

    private Map<String, Object> trainAndEvaluate(ModelProvider provider) throws IOException {
        if (data == null) {
            throw new IllegalArgumentException("--model " + provider.name() + " trains a fresh model: give its data with --data KIND:PATH");
        }
        if (patience < 0) {
            throw new IllegalArgumentException("--patience must be >= 0, got " + patience);
        }
        Settings settings = Cli.settings(provider, sets);
        Task task = Task.of(provider);
        if (task == Task.CTR) {
            return CtrExperiment.trainAndEvaluate(this, provider, settings);
        }
        String p = Experiment.protocol(protocol, task);
        boolean all = "all".equalsIgnoreCase(fold);
        if (all && !PreparedData.kindOf(data).equals("ml-100k")) {
            throw new IllegalArgumentException("--fold all runs the five official folds of MovieLens 100K; the data must be ml-100k:DIR, not " + data);
        }
        List<Integer> folds = new ArrayList<>();
        if (all) {
            for (int f = 1; f <= 5; f++) {
                folds.add(f);
            }
        } else {
            folds.add(Cli.fold(fold, false));
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long t0 = System.nanoTime();
        List<Map<String, Object>> runs = new ArrayList<>();
        List<EvaluationResult> results = new ArrayList<>();
        List<Experiment.Trained> trainings = new ArrayList<>();
        List<PreparedData> prepared = new ArrayList<>();
        for (Integer f : folds) {
            PreparedData.Request request = splitArgs.request(f);
            PreparedData d = PreparedData.read(data, readArgs.columns(), readArgs.options(), task, request);
            err.println("training " + provider.name() + " on " + d.describe());
            err.flush();
            Experiment.TrainOptions o = new Experiment.TrainOptions(patience, negatives, request.seed(), null, null, false, Cli.stream(err));
            Experiment.Trained trained = Experiment.train(provider, settings, task, d, o);
            EvaluationResult r = Experiment.evaluate(trained.model(), task, d.split(), p, negatives, evalSeed, cutoffs);
            err.println("tested on " + d.dataset().name() + ": " + r);
            err.flush();
            results.add(r);
            trainings.add(trained);
            prepared.add(d);
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("fold", d.how().kind() == SplitSpec.Kind.FOLD ? d.how().fold() : null);
            run.put("dataset", d.dataset().name());
            run.put("split", d.how().toInfo());
            run.put("metrics", Cli.metrics(r.metrics()));
            run.put("cases", r.cases());
            run.put("training", Experiment.trainingInfo(trained));
            runs.add(run);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Double> mean = new LinkedHashMap<>();
        Map<String, Double> std = new LinkedHashMap<>();
        for (String key : results.getFirst().metrics().keySet()) {
            double s = 0;
            for (EvaluationResult r : results) {
                s += r.metric(key);
            }
            double mu = s / results.size();
            double v = 0;
            for (EvaluationResult r : results) {
                v += (r.metric(key) - mu) * (r.metric(key) - mu);
            }
            mean.put(key, mu);
            std.put(key, results.size() > 1 ? Math.sqrt(v / (results.size() - 1)) : Double.NaN);
        }
        double trainSeconds = 0;
        double samplesPerSecond = 0;
        for (Experiment.Trained t : trainings) {
            trainSeconds += t.trainSeconds();
            samplesPerSecond += t.samplesPerSecond() / trainings.size();
        }

        if (!"-".equals(json)) {
            List<String> keys = new ArrayList<>(mean.keySet());
            List<String> header = new ArrayList<>();
            header.add(all ? "fold" : "split");
            header.addAll(keys);
            header.add("epochs");
            header.add("train s");
            header.add("samples/s");
            Table t = new Table(header.toArray(String[]::new));
            for (int i = 0; i < results.size(); i++) {
                List<Object> row = new ArrayList<>();
                row.add(all ? "u" + folds.get(i) : prepared.get(i).how().kind().label());
                for (String k : keys) {
                    row.add(results.get(i).metric(k));
                }
                row.add(trainings.get(i).result().epochs());
                row.add(String.format(Locale.ROOT, "%.1f", trainings.get(i).trainSeconds()));
                row.add(String.format(Locale.ROOT, "%.0f", trainings.get(i).samplesPerSecond()));
                t.row(row.toArray());
            }
            if (results.size() > 1) {
                List<Object> m = new ArrayList<>(List.of("mean"));
                List<Object> sd = new ArrayList<>(List.of("std"));
                for (String k : keys) {
                    m.add(mean.get(k));
                    sd.add(std.get(k));
                }
                m.addAll(List.of("-", String.format(Locale.ROOT, "%.1f", trainSeconds), String.format(Locale.ROOT, "%.0f", samplesPerSecond)));
                sd.addAll(List.of("-", "-", "-"));
                t.row(m.toArray());
                t.row(sd.toArray());
            }
            out.printf(Locale.ROOT, "%s on %s, %s protocol, %.1f s in all, backend %s%n", provider.name(),
                    all ? "the 5 official folds of ml-100k" : prepared.getFirst().describe(), p, seconds, Experiment.backend());
            t.print(out);
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("model", provider.name());
        json.put("data", prepared.getFirst().spec());
        json.put("protocol", p);
        json.put("metrics", Cli.metrics(mean));
        if (results.size() > 1) {
            json.put("std", Cli.metrics(std));
        }
        json.put("seconds", Experiment.round(seconds));
        json.put("train_seconds", Experiment.round(trainSeconds));
        json.put("samples_per_second", Experiment.round(samplesPerSecond));
        json.put("backend", Experiment.backend());
        if (p.equals("sampled")) {
            json.put("negatives", negatives);
        }
        json.put("settings", Cli.values(settings));
        json.put("runs", runs);
        return json;
    }
}
