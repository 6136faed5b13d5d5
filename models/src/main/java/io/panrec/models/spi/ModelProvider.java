package io.panrec.models.spi;

import io.panrec.tensor.Tensor;

import java.util.List;
import java.util.Map;

/**
 * One architecture: its name, family, documented defaults, and how to build it. Providers are found by
 * {@link ModelRegistry} through {@code META-INF/services/io.panrec.models.spi.ModelProvider}, so they
 * need a public no-argument constructor and must be cheap to construct (nothing is allocated until
 * {@link #create}).
 */
public interface ModelProvider {
    /**
     * The name users type ({@code --model NeuMF}); unique in a registry, compared without case. Letters,
     * digits, '-' and '_'.
     */
    String name();

    /** The family, which decides the data and protocols that fit the model. */
    Family family();

    /** One sentence: what the model is, and the paper it follows. */
    String description();

    /**
     * The settings with their defaults and explanations, in the order to show them. The defaults should
     * be good ones: what a user running the model on MovieLens without tuning should get.
     */
    List<Setting> defaults();

    /** The defaults as {@link Settings} of this model, ready for overrides. */
    default Settings defaultSettings() {
        return Settings.of(name(), defaults());
    }

    /**
     * A new, untrained model (parameters initialised from the settings' seed, if the model has one).
     *
     * @param settings settings of this model ({@link Settings#owner()} equal to {@link #name()}), usually
     *                 {@link #defaultSettings()} with overrides
     * @param schema   sizes of the data it will be trained on
     * @throws IllegalArgumentException if the settings belong to another model or a value is out of range,
     *                                  or the schema does not fit the model (a rating model on implicit data)
     */
    Recommender create(Settings settings, DatasetSchema schema);

    /**
     * A trained model restored from a bundle's contents: the settings and schema of its {@code model.json}
     * and the tensors of its {@code weights.safetensors}. Nothing of the bundle is executed: the provider
     * builds the model from data only. The default builds it with {@link #create} and copies the state in
     * with {@link Recommender#loadState}; it returns the model in evaluation mode.
     */
    default Recommender load(Settings settings, DatasetSchema schema, Map<String, Tensor> state) {
        Recommender model = create(settings, schema);
        model.loadState(state);
        model.setTraining(false);
        return model;
    }
}
