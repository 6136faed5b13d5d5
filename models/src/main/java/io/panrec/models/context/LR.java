package io.panrec.models.context;

import io.panrec.models.spi.AbstractModelProvider;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.Family;
import io.panrec.models.spi.Setting;
import io.panrec.models.spi.Settings;
import io.panrec.models.train.TrainingSettings;
import io.panrec.nn.Embedding;
import io.panrec.nn.Init;
import io.panrec.nn.Parameter;
import io.panrec.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Logistic regression over the one-hot (and numeric) features, the CTR baseline of H. B. McMahan et al.,
 * "Ad Click Prediction: a View from the Trenches", KDD 2013 (there trained with FTRL-Proximal; here with
 * the shared optimizers).
 *
 * <p>{@code logit = b + sum_f w[x_f] * v_f}: one weight per feature ({@code weights.weight [features, 1]},
 * a bag contributing the mean of its ids' weights) and a global bias. See {@link CtrModel} for the fields,
 * batches and pair scoring.
 *
 * <p>Defaults: Adam at learning rate 0.001, batches of 1024, 10 epochs (early stopping on validation AUC
 * in {@code panrec train}).
 */
public final class LR extends CtrModel {
    public static final String NAME = "LR";
    private final Embedding weights;
    private final Parameter bias;

    LR(Settings settings, DatasetSchema schema) {
        super(NAME, settings, schema);
        SplittableRandom random = new SplittableRandom(settings.getLong(TrainingSettings.SEED));
        this.weights = registerModule("weights", featureTable(1, 0, random));
        Init.zeros(weights.weight());
        this.bias = registerParameter("bias", Parameter.zeros(1));
    }

    /** Registered in {@code META-INF/services}. */
    public static final class Provider extends AbstractModelProvider {
        public Provider() {
            super(NAME, Family.CONTEXT_AWARE, "logistic regression over the one-hot features, the CTR baseline (McMahan et al. 2013)",
                    LR::new);
        }

        @Override
        public List<Setting> defaults() {
            return new ArrayList<>(trainingDefaults(10, 0.001, 2013));
        }
    }

    @Override
    protected Tensor logits(Inputs in) {
        return firstOrder(weights, in).add(bias.value());
    }
}
