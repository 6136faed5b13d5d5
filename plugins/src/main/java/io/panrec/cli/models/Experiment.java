package io.panrec.cli.models;

import io.panrec.backend.Backends;
import io.panrec.models.data.Split;
import io.panrec.models.eval.EvaluationResult;
import io.panrec.models.eval.FullRankingProtocol;
import io.panrec.models.eval.RatingProtocol;
import io.panrec.models.eval.RecommenderScorer;
import io.panrec.models.eval.SampledRankingProtocol;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.ModelProvider;
import io.panrec.models.spi.Recommender;
import io.panrec.models.spi.Settings;
import io.panrec.models.spi.UsesItemCatalog;
import io.panrec.models.train.EpochRecord;
import io.panrec.models.train.Trainer;
import io.panrec.models.train.TrainingResult;
import io.panrec.models.train.Validation;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Training a model on prepared data and measuring it: what {@code train} and {@code evaluate} share. */
final class Experiment {
    /** The protocols {@code evaluate} offers. */
    static final List<String> PROTOCOLS = List.of("sampled", "full", "rating", "next-item");

    private Experiment() {
    }

    /** How a training run is watched and recorded. */
    record TrainOptions(int patience, int negatives, long seed, Path log, Path checkpoints, boolean resume, PrintStream progress) {
    }

    /** A trained model with what its training did. */
    record Trained(Recommender model, TrainingResult result, double seconds) {
        /** Seconds of training steps, validation excluded. */
        double trainSeconds() {
            double s = 0;
            for (EpochRecord r : result.history()) {
                s += r.seconds();
            }
            return s;
        }

        /** Training samples per second over the whole run. */
        double samplesPerSecond() {
            long n = 0;
            for (EpochRecord r : result.history()) {
                n += r.samples();
            }
            double s = trainSeconds();
            return s > 0 ? n / s : 0;
        }

        /** The validation metrics of the best epoch (of the last without validation: none). */
        Map<String, Double> validationMetrics() {
            if (result.bestEpoch() < 1) {
                return Map.of();
            }
            return result.history().get(result.bestEpoch() - 1).metrics();
        }
    }

    /**
     * Builds a model of {@code provider} for the training part of {@code data} and trains it, with early
     * stopping on the validation part when the split has one (NDCG@10 against {@code negatives} sampled
     * items for ranking models, RMSE for rating models).
     */
    static Trained train(ModelProvider provider, Settings settings, Task task, PreparedData data, TrainOptions o) {
        Split split = data.split();
        Recommender model = provider.create(settings, split.train().schema());
        if (model instanceof UsesItemCatalog c && data.dataset().catalog().entries() > 0) {
            c.useItemCatalog(data.dataset().catalog()); // genres and other side information, kept in the model's state
        }
        Trainer.Builder b = Trainer.builder(model, split.train()).output(o.progress());
        if (!split.validation().isEmpty()) {
            b.validation(validation(task, split, model.schema(), o));
        }
        if (o.log() != null) {
            b.log(o.log());
        }
        if (o.checkpoints() != null) {
            b.checkpoints(o.checkpoints()).resume(o.resume());
        }
        long t0 = System.nanoTime();
        TrainingResult r = b.build().fit();
        return new Trained(model, r, (System.nanoTime() - t0) / 1e9);
    }

    private static Validation validation(Task task, Split split, DatasetSchema schema, TrainOptions o) {
        if (task == Task.RATING) {
            RatingProtocol p = new RatingProtocol(split.validation()).clipped(schema.minRating(), schema.maxRating());
            return Validation.rating(p, task.validationMetric, o.patience());
        }
        return Validation.sampled(SampledRankingProtocol.validation(split, o.negatives(), o.seed(), 10), task.validationMetric, o.patience());
    }

    /**
     * Measures {@code model} on the test part of {@code split} with {@code protocol}: "sampled" (each
     * test item against {@code negatives} items the user never interacted with, drawn with {@code seed}),
     * "full" (every item the user has not interacted with in training or validation), or "rating" (RMSE
     * and MAE of the predicted ratings, clipped to the training range).
     */
    static EvaluationResult evaluate(Recommender model, Task task, Split split, String protocol, int negatives, long seed, int[] ks) {
        if (split.test().isEmpty()) {
            throw new IllegalArgumentException("the test part is empty: nothing to evaluate");
        }
        RecommenderScorer scorer = new RecommenderScorer(model);
        return switch (protocol) {
            case "sampled" -> SampledRankingProtocol.test(split, negatives, seed, ks).evaluate(scorer);
            case "full" -> FullRankingProtocol.test(split, ks).evaluate(scorer);
            case "rating" -> {
                if (task != Task.RATING) {
                    throw new IllegalArgumentException("the rating protocol needs a model that predicts ratings (BiasedMF, IAutoRec, "
                            + "UAutoRec); " + model.settings().owner() + " ranks items: use --protocol sampled or full");
                }
                DatasetSchema s = model.schema();
                yield new RatingProtocol(split.test()).clipped(s.minRating(), s.maxRating()).evaluate(scorer);
            }
            case "next-item" -> {
                // session papers report @20: measured whatever cut-offs were asked for
                int[] withTwenty = java.util.stream.IntStream.concat(java.util.Arrays.stream(ks), java.util.stream.IntStream.of(20))
                        .distinct().sorted().toArray();
                yield io.panrec.models.eval.NextItemProtocol.test(split, withTwenty).evaluate(sequenceScorer(model));
            }
            default -> throw new IllegalArgumentException("unknown protocol '" + protocol + "'; protocols: " + String.join(", ", PROTOCOLS));
        };
    }

    /** How the next-item protocol scores a model: sequence models read the prefix; Pop and ItemKNN as GRU4Rec's baselines. */
    private static io.panrec.models.eval.SequenceScorer sequenceScorer(Recommender model) {
        if (model instanceof io.panrec.models.sequential.SequentialRecommender s) {
            return io.panrec.models.sequential.SequenceScorers.of(s);
        }
        return switch (model.settings().owner()) {
            case "Pop" -> io.panrec.models.sequential.SequenceScorers.popularity(model);
            case "ItemKNN" -> io.panrec.models.sequential.SequenceScorers.lastItemNeighbours(model);
            default -> throw new IllegalArgumentException("the next-item protocol needs a model that reads sequences (GRU4Rec, SASRec) "
                    + "or one of the session baselines Pop and ItemKNN; " + model.settings().owner() + " scores users: use --protocol "
                    + "sampled or full");
        };
    }

    /** The protocol name checked, or the task's default for null. */
    static String protocol(String requested, Task task) {
        if (requested == null) {
            return task.defaultProtocol;
        }
        String p = requested.toLowerCase(Locale.ROOT).strip();
        if (!PROTOCOLS.contains(p)) {
            throw new IllegalArgumentException("unknown protocol '" + requested + "'; protocols: " + String.join(", ", PROTOCOLS));
        }
        return p;
    }

    /** The backend that runs the kernels on this thread. */
    static String backend() {
        return Backends.current().name();
    }

    /** What a training run did, for JSON. */
    static Map<String, Object> trainingInfo(Trained t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epochs", t.result().epochs());
        m.put("best_epoch", t.result().bestEpoch() > 0 ? t.result().bestEpoch() : null);
        m.put("stopped_early", t.result().stoppedEarly());
        m.put("resumed_from", t.result().resumedFrom());
        m.put("seconds", round(t.seconds()));
        m.put("train_seconds", round(t.trainSeconds()));
        m.put("samples_per_second", round(t.samplesPerSecond()));
        m.put("validation", Cli.metrics(t.validationMetrics()));
        return m;
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
