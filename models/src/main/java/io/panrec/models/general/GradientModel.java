package io.panrec.models.general;

import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.Recommender;
import io.panrec.models.spi.Settings;
import io.panrec.models.train.Trainable;
import io.panrec.models.train.TrainingPlan;
import io.panrec.models.train.TrainingSettings;
import io.panrec.nn.Module;
import io.panrec.tensor.Tensor;

import java.util.Map;

/**
 * What the gradient-trained models of this package share: a {@link Module} (parameters, mode, state
 * dict) that implements {@link Recommender} and says how it is trained ({@link Trainable}) through the
 * standard settings of {@link TrainingSettings}.
 */
abstract class GradientModel extends Module implements Recommender, Trainable {
    protected final Settings settings;
    protected final DatasetSchema schema;

    GradientModel(String name, Settings settings, DatasetSchema schema) {
        this.settings = Models.checkOwner(name, settings);
        this.schema = java.util.Objects.requireNonNull(schema, "schema");
    }

    /** What the model's batches hold. */
    abstract TrainingPlan.Sampling sampling();

    @Override
    public TrainingPlan trainingPlan() {
        return TrainingSettings.plan(settings, sampling());
    }

    @Override
    public Settings settings() {
        return settings;
    }

    @Override
    public DatasetSchema schema() {
        return schema;
    }

    @Override
    public void setTraining(boolean training) {
        train(training);
    }

    @Override
    public void loadState(Map<String, Tensor> state) {
        loadStateDict(state);
    }

    @Override
    public String toString() {
        return settings + "\n" + super.toString();
    }
}
