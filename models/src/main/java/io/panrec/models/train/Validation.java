package io.panrec.models.train;

import io.panrec.models.eval.EvaluationResult;
import io.panrec.models.eval.FullRankingProtocol;
import io.panrec.models.eval.RatingProtocol;
import io.panrec.models.eval.RecommenderScorer;
import io.panrec.models.eval.SampledRankingProtocol;
import io.panrec.models.spi.Recommender;

import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * What the trainer measures after each epoch, and when it stops: {@code evaluator} computes the
 * metrics of the model on held-out data; {@code metric} is the one watched; training stops once it has
 * not improved (by more than {@code minDelta}) for {@code patience} epochs in a row, and the best
 * epoch's weights are restored.
 *
 * @param evaluator      metrics of a model (the trainer calls it in evaluation mode, outside autograd)
 * @param metric         the metric watched, a key of the evaluator's result ("NDCG@10", "RMSE")
 * @param higherIsBetter its direction
 * @param patience       epochs without improvement before stopping; 0 never stops early (the best
 *                       epoch is still tracked and restored)
 * @param minDelta       the least change counted as an improvement, at least 0
 */
public record Validation(Function<Recommender, EvaluationResult> evaluator, String metric, boolean higherIsBetter, int patience,
                         double minDelta) {
    /** Metrics where lower is better; every other metric (HR, NDCG, AUC, ...) is better higher. */
    private static final Set<String> LOWER_IS_BETTER = Set.of("RMSE", "MAE", "LOGLOSS", "MSE");

    public Validation {
        Objects.requireNonNull(evaluator, "evaluator");
        Objects.requireNonNull(metric, "metric");
        if (patience < 0) {
            throw new IllegalArgumentException("validation: patience " + patience + " < 0 (0 means never stop early)");
        }
        if (!(minDelta >= 0) || Double.isInfinite(minDelta)) {
            throw new IllegalArgumentException("validation: minDelta must be finite and >= 0, got " + minDelta);
        }
    }

    /** Watches {@code metric} in the direction its name implies (RMSE, MAE, LogLoss lower; others higher). */
    public static Validation of(Function<Recommender, EvaluationResult> evaluator, String metric, int patience) {
        return new Validation(evaluator, metric, higherIsBetter(metric), patience, 0);
    }

    /** The sampled ranking protocol (e.g. the validation item against 99 negatives). */
    public static Validation sampled(SampledRankingProtocol protocol, String metric, int patience) {
        return of(m -> protocol.evaluate(new RecommenderScorer(m)), metric, patience);
    }

    /** The full ranking protocol. */
    public static Validation full(FullRankingProtocol protocol, String metric, int patience) {
        return of(m -> protocol.evaluate(new RecommenderScorer(m)), metric, patience);
    }

    /** Rating prediction (RMSE, MAE). */
    public static Validation rating(RatingProtocol protocol, String metric, int patience) {
        return of(m -> protocol.evaluate(new RecommenderScorer(m)), metric, patience);
    }

    /** Whether {@code metric} improves upwards ("RMSE" and "MAE" do not; "NDCG@10" does). */
    public static boolean higherIsBetter(String metric) {
        String base = metric.toUpperCase(Locale.ROOT);
        int at = base.indexOf('@');
        if (at >= 0) {
            base = base.substring(0, at);
        }
        return !LOWER_IS_BETTER.contains(base);
    }

    /** Whether {@code value} improves on {@code best} (any finite value improves on NaN). */
    boolean improves(double value, double best) {
        if (Double.isNaN(value)) {
            return false;
        }
        if (Double.isNaN(best)) {
            return true;
        }
        return higherIsBetter ? value > best + minDelta : value < best - minDelta;
    }
}
