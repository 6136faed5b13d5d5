package io.panrec.models.train;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How a model is trained: which batches it reads, for how many epochs, with which optimizer. A model
 * says it through {@link Trainable#trainingPlan()} (read from its settings with
 * {@link TrainingSettings#plan}); a caller may pass another to the {@link Trainer}.
 *
 * @param sampling     what each batch holds
 * @param negatives    sampled negatives per positive ({@link Sampling#PAIRWISE}, {@link Sampling#POINTWISE}); 0 otherwise
 * @param epochs       passes over the training data, at least 1 (early stopping may end sooner)
 * @param batchSize    rows (or entities) per batch, at least 1
 * @param optimizer    {@code adam}, {@code adamw}, {@code sgd} or {@code adagrad} (see {@link Optimizers});
 *                     ignored by {@link DirectFit} models
 * @param learningRate finite, at least 0
 * @param weightDecay  L2 penalty applied by the optimizer to the parameters it updates; at least 0
 * @param seed         seed of the shuffling and the negatives
 */
public record TrainingPlan(Sampling sampling, int negatives, int epochs, int batchSize, String optimizer, double learningRate,
                           double weightDecay, long seed) {
    /** What each training batch holds. */
    public enum Sampling {
        /** Each training row once: users, items, and ratings when the data has them (rating prediction). */
        PLAIN,
        /** Each row as a positive with {@code negatives} sampled negatives [B, S] (BPR and other pairwise losses). */
        PAIRWISE,
        /** Each row as a positive (label 1) plus {@code negatives} negative rows (label 0), shuffled together (log loss). */
        POINTWISE,
        /** Batches of distinct item indices that have training rows, in {@code Batch.ITEMS} (item-based AutoRec). */
        BY_ITEM,
        /** Batches of distinct user indices that have training rows, in {@code Batch.USERS} (user-based AutoRec). */
        BY_USER,
        /** No batches: the model fits itself on the whole table ({@link DirectFit}). */
        NONE,
        /**
         * Batches the model makes from the training table itself ({@link Trainable#batches}): sequence
         * windows, session-parallel mini-batches; any negatives are the model's own business.
         */
        MODEL
    }

    public TrainingPlan {
        Objects.requireNonNull(sampling, "sampling");
        Objects.requireNonNull(optimizer, "optimizer");
        if (epochs < 1) {
            throw new IllegalArgumentException("training plan: epochs " + epochs + " < 1");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("training plan: batch size " + batchSize + " < 1");
        }
        boolean sampled = sampling == Sampling.PAIRWISE || sampling == Sampling.POINTWISE;
        if (sampled && negatives < 1) {
            throw new IllegalArgumentException("training plan: " + sampling + " batches need at least one negative per positive, got "
                    + negatives);
        }
        if (!sampled && negatives != 0) {
            throw new IllegalArgumentException("training plan: " + sampling + " batches draw no negatives, got " + negatives);
        }
        if (!(learningRate >= 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("training plan: learning rate must be finite and >= 0, got " + learningRate);
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("training plan: weight decay must be finite and >= 0, got " + weightDecay);
        }
    }

    /** A plan for a {@link DirectFit} model: {@code epochs} passes, no batches, no optimizer. */
    public static TrainingPlan direct(int epochs) {
        return new TrainingPlan(Sampling.NONE, 0, epochs, 1, "none", 0, 0, 0);
    }

    public TrainingPlan withEpochs(int value) {
        return new TrainingPlan(sampling, negatives, value, batchSize, optimizer, learningRate, weightDecay, seed);
    }

    public TrainingPlan withBatchSize(int value) {
        return new TrainingPlan(sampling, negatives, epochs, value, optimizer, learningRate, weightDecay, seed);
    }

    public TrainingPlan withLearningRate(double value) {
        return new TrainingPlan(sampling, negatives, epochs, batchSize, optimizer, value, weightDecay, seed);
    }

    public TrainingPlan withOptimizer(String value) {
        return new TrainingPlan(sampling, negatives, epochs, batchSize, value, learningRate, weightDecay, seed);
    }

    public TrainingPlan withSeed(long value) {
        return new TrainingPlan(sampling, negatives, epochs, batchSize, optimizer, learningRate, weightDecay, value);
    }

    /** The plan as plain values, for logs and checkpoints. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sampling", sampling.name());
        m.put("negatives", negatives);
        m.put("epochs", epochs);
        m.put("batchSize", batchSize);
        m.put("optimizer", optimizer);
        m.put("learningRate", learningRate);
        m.put("weightDecay", weightDecay);
        m.put("seed", seed);
        return m;
    }
}
