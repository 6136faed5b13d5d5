package io.panrec.models.train;

import io.panrec.models.data.Interactions;
import io.panrec.models.spi.Batch;

import java.util.Set;

/**
 * Implemented by models that know how they want to be trained; the {@link Trainer} asks them. A model
 * trained by gradient descent implements this alone: the trainer feeds its
 * {@link io.panrec.models.spi.Recommender#calculateLoss} the batches of its plan and steps an optimizer
 * over its parameters. A model fitted by its own algorithm (counting, similarities, alternating least
 * squares) implements {@link DirectFit} instead.
 */
public interface Trainable {
    /** The plan the model's settings describe (epochs, batches, optimizer, learning rate). */
    TrainingPlan trainingPlan();

    /**
     * Called once before the first epoch of a fresh run (not when resuming from a checkpoint), with the
     * training interactions: the place to keep what the model needs of the data (the global mean rating,
     * a user's rated items) or to pretrain parts of it. Whatever it sets up must be in the model's
     * {@link io.panrec.models.spi.Recommender#stateDict() state}, since a resumed run and a loaded
     * bundle do not call it again. The default does nothing.
     */
    default void beforeTraining(Interactions train) {
    }

    /**
     * The batches of a {@link TrainingPlan.Sampling#MODEL} plan, made from the training table. Called once
     * per run, after {@link #beforeTraining}. Models with another sampling need not implement it.
     */
    default BatchSource batches(Interactions train, TrainingPlan plan) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not make its own batches; its plan's sampling is "
                + plan.sampling());
    }

    /**
     * The batch fields the model reads only in Java (ids it checks and assembles into index tensors of its own,
     * per-row flags): when the model is on a device the trainer leaves them on the host instead of sending them
     * there for the model to copy them back. The default, none: every field goes to the model's device.
     */
    default Set<Batch.Key> hostBatchFields() {
        return Set.of();
    }

    /**
     * The largest global L2 norm of the gradients: after each backward pass the trainer scales all
     * gradients down together when their norm exceeds it ({@link io.panrec.optim.GradClip}, as
     * recurrent models need). 0, the default, disables clipping.
     */
    default double gradientClipNorm() {
        return 0;
    }
}
