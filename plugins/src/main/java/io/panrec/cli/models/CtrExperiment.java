package io.panrec.cli.models;

import io.panrec.models.bundle.Bundle;
import io.panrec.models.context.CtrModel;
import io.panrec.models.data.ReadOptions;
import io.panrec.models.eval.EvaluationResult;
import io.panrec.models.features.CtrData;
import io.panrec.models.features.CtrDatasets;
import io.panrec.models.features.CtrProtocol;
import io.panrec.models.features.CtrReaders;
import io.panrec.models.features.CtrSplit;
import io.panrec.models.features.FeatureEncoder;
import io.panrec.models.features.RawCtrData;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.ModelProvider;
import io.panrec.models.spi.Recommender;
import io.panrec.models.spi.Settings;
import io.panrec.models.train.Trainable;
import io.panrec.models.train.Trainer;
import io.panrec.models.train.TrainingPlan;
import io.panrec.models.train.TrainingResult;
import io.panrec.models.train.Validation;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The {@link Task#CTR} side of {@code train} and {@code evaluate}: CTR data (labelled rows with feature
 * fields) is read, split by rows (a seeded random split, or the file order with {@code --split temporal}),
 * encoded with vocabularies fitted on the training rows, and a CTR model is trained on every training
 * row with early stopping on validation AUC, then measured by AUC and LogLoss on the test rows. The
 * fitted encoder is saved in the bundle ({@link FeatureEncoder#FILE}) and the split in its info, so
 * {@code evaluate} encodes the same test rows the same way.
 */
final class CtrExperiment {
    private CtrExperiment() {
    }

    /** How categorical and numeric columns of Criteo and Avazu are encoded. */
    static final class EncodingArgs {
        @Option(names = "--min-count", defaultValue = "2", paramLabel = "N",
                description = "CTR data: tokens seen fewer than N times in the training rows share their field's out-of-vocabulary id "
                        + "(default ${DEFAULT-VALUE}).")
        int minCount;

        @Option(names = "--numeric", defaultValue = "bucket", paramLabel = "bucket|log",
                description = "CTR data: Criteo's integer columns discretised as the competition winners did, floor(ln(x)^2) (bucket, the "
                        + "default), or one numeric feature ln(1+x) each (log).")
        String numeric;

        @Option(names = "--hash-buckets", defaultValue = "0", paramLabel = "N",
                description = "CTR data: hash each categorical column into N ids instead of fitting vocabularies (0, the default: vocabularies).")
        int hashBuckets;

        CtrReaders.Encoding encoding() {
            String n = numeric.toLowerCase(Locale.ROOT).strip();
            if (!n.equals("bucket") && !n.equals("log")) {
                throw new IllegalArgumentException("--numeric takes bucket or log, not '" + numeric + "'");
            }
            return new CtrReaders.Encoding(minCount, n.equals("log"), hashBuckets);
        }
    }

    /** CTR data read, split and encoded. */
    record Prepared(String spec, RawCtrData raw, FeatureEncoder encoder, CtrData all, CtrData train, CtrData validation, CtrData test,
                    SplitSpec how, CtrReaders.Encoding encoding) {
        String describe() {
            String cut = how.kind() == SplitSpec.Kind.TEMPORAL ? "file order" : "random, seed " + how.seed();
            return raw.name() + " (" + cut + String.format(Locale.ROOT, ", validation %.2f, test %.2f", how.validationFraction(),
                    how.testFraction()) + "): " + train.size() + " train, " + validation.size() + " validation, "
                    + test.size() + " test rows, " + all.schema().features().size() + " fields, " + all.layout().totalFeatures()
                    + " features, positive rate " + String.format(Locale.ROOT, "%.3f", all.positiveRate());
        }

        Map<String, Object> rows() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("train", train.size());
            m.put("validation", validation.size());
            m.put("test", test.size());
            m.put("fields", all.schema().features().size());
            m.put("features", all.layout().totalFeatures());
            return m;
        }
    }

    /** The absolute {@code KIND:PATH} of a CTR spec, checked to be CTR data. */
    static String absolute(String spec) {
        int colon = spec.indexOf(':');
        if (colon <= 0 || !CtrDatasets.isCtr(spec.substring(0, colon))) {
            throw new IllegalArgumentException("CTR models (LR, FM, WideDeep, DeepFM, DCNV2) read CTR data: "
                    + String.join(", ", CtrDatasets.KINDS) + " (e.g. criteo:train.txt, ml-100k-ctr:data/ml-100k), not '" + spec + "'");
        }
        return spec.substring(0, colon).toLowerCase(Locale.ROOT) + ":" + Path.of(spec.substring(colon + 1)).toAbsolutePath().normalize();
    }

    /**
     * Reads, splits and encodes. {@code encoder} null fits one on the training rows; otherwise (a bundle's)
     * it encodes the data for a model of schema {@code schema}.
     */
    static Prepared prepare(String spec, CtrReaders.Encoding encoding, ReadOptions options, SplitSpec how, FeatureEncoder encoder,
                            DatasetSchema schema) throws IOException {
        String abs = absolute(spec);
        RawCtrData raw = CtrDatasets.read(spec, encoding, options);
        if (raw.size() < 3) {
            throw new IllegalArgumentException(spec + " has " + raw.size() + " rows; CTR training needs at least 3");
        }
        CtrSplit split = switch (how.kind()) {
            case RATIO -> CtrSplit.random(raw.size(), how.validationFraction(), how.testFraction(), how.seed());
            case TEMPORAL -> CtrSplit.ordered(raw.size(), how.validationFraction(), how.testFraction());
            default -> throw new IllegalArgumentException("CTR data is split by rows: --split ratio (seeded random, the default) or "
                    + "temporal (file order), not " + how.kind().label());
        };
        FeatureEncoder enc = encoder != null ? encoder : FeatureEncoder.fit(raw, split.train());
        CtrData all = enc.encode(raw, schema);
        if (all.droppedRows() > 0) {
            throw new IllegalArgumentException(spec + ": " + all.droppedRows() + " rows name users or items the model does not know; "
                    + "evaluate a bundle on the data it was trained on");
        }
        return new Prepared(abs, raw, enc, all, all.select(split.train()), all.select(split.validation()), all.select(split.test()), how,
                encoding);
    }

    /** The split a command asked for: ratio (default) or temporal, with its fractions and seed. */
    static SplitSpec splitOf(PreparedData.Request r) {
        if (r.fold() != null) {
            throw new IllegalArgumentException("--fold belongs to MovieLens 100K's rating folds; CTR data is split by rows (--split ratio|temporal)");
        }
        SplitSpec.Kind k = r.kind() == null ? SplitSpec.Kind.RATIO : r.kind();
        return new SplitSpec(k, 0, r.validationFraction(), r.testFraction(), r.seed(), Float.NaN);
    }

    /** Builds a model for the training rows, installs the user and item tables, trains it. */
    static Experiment.Trained train(ModelProvider provider, Settings settings, Prepared d, Experiment.TrainOptions o) {
        Recommender model = provider.create(settings, d.train().schema());
        if (model instanceof CtrModel ctr) {
            ctr.setSideFeatures(d.all().side());
        }
        if (!(model instanceof Trainable t)) {
            throw new IllegalArgumentException(provider.name() + " does not say how it is trained");
        }
        TrainingPlan plan = t.trainingPlan();
        Trainer.Builder b = Trainer.builder(model, d.train().interactions()).batches(d.train().batches(plan.batchSize(), plan.seed()))
                .output(o.progress());
        if (!d.validation().isEmpty() && hasBothLabels(d.validation())) {
            CtrProtocol p = new CtrProtocol(d.validation());
            b.validation(Validation.of(p::evaluate, Task.CTR.validationMetric, o.patience()));
        }
        if (o.log() != null) {
            b.log(o.log());
        }
        if (o.checkpoints() != null) {
            b.checkpoints(o.checkpoints()).resume(o.resume());
        }
        long t0 = System.nanoTime();
        TrainingResult r = b.build().fit();
        return new Experiment.Trained(model, r, (System.nanoTime() - t0) / 1e9);
    }

    static boolean hasBothLabels(CtrData d) {
        double p = d.positiveRate();
        return p > 0 && p < 1;
    }

    /** AUC and LogLoss on the test rows. */
    static EvaluationResult evaluate(Recommender model, Prepared d, String protocol) {
        if (protocol != null && !protocol.equalsIgnoreCase(CtrProtocol.NAME)) {
            throw new IllegalArgumentException("CTR models are measured by the ctr protocol (AUC, LogLoss on the test rows), not '"
                    + protocol + "'");
        }
        if (!hasBothLabels(d.test())) {
            throw new IllegalArgumentException("the test rows need both labels for AUC; give more data or another --seed");
        }
        return new CtrProtocol(d.test()).evaluate(model);
    }

    static Map<String, Object> encodingInfo(CtrReaders.Encoding e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("minCount", e.minCount());
        m.put("logNumeric", e.logNumeric());
        m.put("hashBuckets", e.hashBuckets());
        return m;
    }

    static CtrReaders.Encoding encodingFromInfo(Object o, String where) {
        if (!(o instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(where + " records no CTR encoding (info.encoding); was it trained by 'panrec train' on CTR data?");
        }
        return new CtrReaders.Encoding(((Number) m.get("minCount")).intValue(), Boolean.TRUE.equals(m.get("logNumeric")),
                ((Number) m.get("hashBuckets")).intValue());
    }

    // ------------------------------------------------------------------ the commands

    /** {@code panrec train} of a CTR model. */
    static int train(TrainCommand c, ModelProvider provider, Settings settings, PrintWriter stdout, PrintWriter err, Path outAbs,
                     Path ckpt, boolean ownCheckpoints) throws IOException {
        PreparedData.Request request = c.splitArgs.request(Cli.fold(c.fold, false));
        CtrReaders.Encoding encoding = c.encodingArgs.encoding();
        Prepared d = prepare(c.data, encoding, c.readArgs.options(), splitOf(request), null, null);
        err.println("training " + provider.name() + " (ctr model) on " + d.describe());
        err.flush();
        Experiment.TrainOptions options = new Experiment.TrainOptions(c.patience, c.negatives, request.seed(), c.log, ckpt, c.resume,
                Cli.stream(err));
        Experiment.Trained trained = train(provider, settings, d, options);
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("data", d.spec());
        info.put("dataset", d.raw().name());
        info.put("task", Task.CTR.label());
        info.put("split", d.how().toInfo());
        info.put("encoding", encodingInfo(encoding));
        info.put("rows", d.rows());
        info.put("training", Experiment.trainingInfo(trained));
        info.put("backend", Experiment.backend());
        Bundle.save(outAbs, trained.model(), d.all().users(), d.all().items(), info, dir -> {
            d.encoder().save(dir);
            if (d.raw().hasEntities()) {
                // data of users and items (MovieLens as CTR): 'recommend' leaves out what a user rated in training
                SeenItems.write(dir, io.panrec.models.data.UserItemIndex.of(d.train().interactions(), d.validation().interactions()));
            }
        });
        if (ownCheckpoints) {
            TrainCommand.deleteCheckpointsOf(ckpt);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("model", provider.name());
        result.put("data", d.spec());
        result.put("dataset", d.raw().name());
        result.put("task", Task.CTR.label());
        result.put("split", d.how().toInfo());
        result.put("rows", d.rows());
        result.putAll(Experiment.trainingInfo(trained));
        result.put("backend", Experiment.backend());
        result.put("settings", Cli.values(settings));
        result.put("out", outAbs.toString());
        if (!"-".equals(c.json)) {
            Table table = new Table("result", "value");
            table.row("model", provider.name());
            table.row("data", d.describe());
            table.row("epochs", trained.result().epochs() + (trained.result().stoppedEarly() ? " (stopped early)" : ""));
            if (trained.result().bestEpoch() > 0) {
                table.row("best epoch", trained.result().bestEpoch());
            }
            for (Map.Entry<String, Double> e : trained.validationMetrics().entrySet()) {
                table.row("validation " + e.getKey(), e.getValue());
            }
            table.row("seconds", String.format(Locale.ROOT, "%.1f (training %.1f)", trained.seconds(), trained.trainSeconds()));
            table.row("samples/s", String.format(Locale.ROOT, "%.0f", trained.samplesPerSecond()));
            table.row("backend", Experiment.backend());
            table.row("bundle", outAbs);
            table.print(stdout);
        }
        if (c.json != null) {
            Cli.writeJson(c.json, result, stdout);
        }
        return 0;
    }

    /** {@code panrec evaluate --model DIR} of a CTR bundle: the recorded split's test rows, encoded by the bundle's encoder. */
    static Map<String, Object> evaluateBundle(EvaluateCommand c, Bundle bundle, Path folder) throws IOException {
        long t0 = System.nanoTime();
        Recommender m = bundle.model();
        String where = "bundle " + folder;
        if (!FeatureEncoder.exists(folder)) {
            throw new IllegalArgumentException(where + " has no " + FeatureEncoder.FILE + "; a CTR model needs the encoder it was trained with");
        }
        SplitSpec how = SplitSpec.fromInfo(bundle.info().get("split"), where);
        Object recorded = bundle.info().get("data");
        String spec = c.data != null ? c.data : recorded instanceof String s ? s : null;
        if (spec == null) {
            throw new IllegalArgumentException(where + " records no data (info.data); give it with --data KIND:PATH");
        }
        Prepared d = prepare(spec, encodingFromInfo(bundle.info().get("encoding"), where), c.readArgs.options(), how,
                FeatureEncoder.load(folder), m.schema());
        EvaluationResult r = evaluate(m, d, c.protocol);
        double seconds = (System.nanoTime() - t0) / 1e9;
        PrintWriter out = c.spec.commandLine().getOut();
        if (!"-".equals(c.json)) {
            out.printf(Locale.ROOT, "%s on %s, ctr protocol, %d test rows, %.1f s%n", m.settings().owner(), d.describe(), r.cases(), r.seconds());
            Table t = new Table("metric", "value");
            r.metrics().forEach(t::row);
            t.print(out);
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("model", m.settings().owner());
        json.put("bundle", folder.toAbsolutePath().normalize().toString());
        json.put("data", d.spec());
        json.put("dataset", d.raw().name());
        json.put("split", how.toInfo());
        json.put("protocol", CtrProtocol.NAME);
        json.put("metrics", Cli.metrics(r.metrics()));
        json.put("cases", r.cases());
        json.put("seconds", Experiment.round(seconds));
        json.put("backend", Experiment.backend());
        json.put("settings", Cli.values(m.settings()));
        return json;
    }

    /** {@code panrec evaluate --model NAME} of a CTR model: train on the split's training rows, measure on its test rows. */
    static Map<String, Object> trainAndEvaluate(EvaluateCommand c, ModelProvider provider, Settings settings) throws IOException {
        if ("all".equalsIgnoreCase(c.fold)) {
            throw new IllegalArgumentException("--fold all runs MovieLens 100K's rating folds; CTR data is split by rows");
        }
        long t0 = System.nanoTime();
        PreparedData.Request request = c.splitArgs.request(Cli.fold(c.fold, false));
        CtrReaders.Encoding encoding = c.encodingArgs.encoding();
        Prepared d = prepare(c.data, encoding, c.readArgs.options(), splitOf(request), null, null);
        PrintWriter err = c.spec.commandLine().getErr();
        err.println("training " + provider.name() + " on " + d.describe());
        err.flush();
        Experiment.TrainOptions o = new Experiment.TrainOptions(c.patience, c.negatives, request.seed(), null, null, false, Cli.stream(err));
        Experiment.Trained trained = train(provider, settings, d, o);
        EvaluationResult r = evaluate(trained.model(), d, c.protocol);
        double seconds = (System.nanoTime() - t0) / 1e9;
        PrintWriter out = c.spec.commandLine().getOut();
        if (!"-".equals(c.json)) {
            out.printf(Locale.ROOT, "%s on %s, ctr protocol, %.1f s in all, backend %s%n", provider.name(), d.describe(), seconds,
                    Experiment.backend());
            Table t = new Table("metric", "value");
            r.metrics().forEach(t::row);
            t.row("epochs", trained.result().epochs());
            t.row("train s", String.format(Locale.ROOT, "%.1f", trained.trainSeconds()));
            t.row("samples/s", String.format(Locale.ROOT, "%.0f", trained.samplesPerSecond()));
            t.print(out);
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("model", provider.name());
        json.put("data", d.spec());
        json.put("dataset", d.raw().name());
        json.put("split", d.how().toInfo());
        json.put("encoding", encodingInfo(encoding));
        json.put("rows", d.rows());
        json.put("protocol", CtrProtocol.NAME);
        json.put("metrics", Cli.metrics(r.metrics()));
        json.put("cases", r.cases());
        json.put("positive_rate_test", Experiment.round(d.test().positiveRate()));
        json.put("seconds", Experiment.round(seconds));
        json.put("training", Experiment.trainingInfo(trained));
        json.put("train_seconds", Experiment.round(trained.trainSeconds()));
        json.put("samples_per_second", Experiment.round(trained.samplesPerSecond()));
        json.put("backend", Experiment.backend());
        json.put("settings", Cli.values(settings));
        return json;
    }
}
