package io.panrec.models.train;

import io.panrec.models.data.Interactions;

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
}
