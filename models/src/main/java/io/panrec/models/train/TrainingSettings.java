package io.panrec.models.train;

import io.panrec.models.spi.Setting;
import io.panrec.models.spi.Settings;

import java.util.List;

/**
 * The settings every trainable model shares, with their explanations, so that {@code --set epochs=5}
 * means the same for every model (as RecBole's {@code overall.yaml}); a model lists them in its
 * {@link io.panrec.models.spi.ModelProvider#defaults() defaults} with its own default values, and
 * {@link #plan} reads them back.
 */
public final class TrainingSettings {
    public static final String EPOCHS = "epochs";
    public static final String BATCH_SIZE = "batchSize";
    public static final String OPTIMIZER = "optimizer";
    public static final String LEARNING_RATE = "learningRate";
    public static final String WEIGHT_DECAY = "weightDecay";
    public static final String NEGATIVES = "negatives";
    public static final String SEED = "seed";

    private TrainingSettings() {
    }

    /** Epochs, batch size, optimizer, learning rate and weight decay of a gradient-trained model. */
    public static List<Setting> gradient(int epochs, int batchSize, String optimizer, double learningRate, double weightDecay) {
        return List.of(
                epochs(epochs),
                Setting.of(BATCH_SIZE, batchSize, "training rows per mini-batch (with sampled negatives: positives and their "
                        + "negative rows together for log loss, positives for pairwise losses)"),
                Setting.of(OPTIMIZER, optimizer, "optimizer: " + String.join(", ", Optimizers.NAMES)),
                Setting.of(LEARNING_RATE, learningRate, "learning rate of the optimizer"),
                Setting.of(WEIGHT_DECAY, weightDecay, "L2 penalty applied by the optimizer to the parameters each step updates "
                        + "(for embedding tables: the rows of the batch)"));
    }

    /** The number of epochs (also of {@link DirectFit} models that iterate). */
    public static Setting epochs(int epochs) {
        return Setting.of(EPOCHS, epochs, "passes over the training data (early stopping on a validation metric may stop sooner)");
    }

    /** Negatives sampled per positive. */
    public static Setting negatives(int negatives, String why) {
        return Setting.of(NEGATIVES, negatives, "negative items sampled per training positive, never one of the user's "
                + "training items" + (why == null || why.isEmpty() ? "" : "; " + why));
    }

    /** The seed of initialisation, shuffling and sampling. */
    public static Setting seed(long seed) {
        return Setting.of(SEED, seed, "seed of the initialisation, the shuffling and the negatives: equal seeds give equal runs");
    }

    /**
     * The plan described by the standard keys of {@code settings}: {@value #EPOCHS}, {@value #BATCH_SIZE},
     * {@value #OPTIMIZER}, {@value #LEARNING_RATE} and {@value #SEED} are required; {@value #WEIGHT_DECAY}
     * defaults to 0 and {@value #NEGATIVES} to 0 when the model has no such setting.
     */
    public static TrainingPlan plan(Settings settings, TrainingPlan.Sampling sampling) {
        int negatives = settings.has(NEGATIVES) ? settings.getInt(NEGATIVES) : 0;
        double decay = settings.has(WEIGHT_DECAY) ? settings.getDouble(WEIGHT_DECAY) : 0;
        try {
            return new TrainingPlan(sampling, negatives, settings.getInt(EPOCHS), settings.getInt(BATCH_SIZE),
                    settings.getString(OPTIMIZER), settings.getDouble(LEARNING_RATE), decay, settings.getLong(SEED));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(settings.owner() + ": " + e.getMessage(), e);
        }
    }
}
