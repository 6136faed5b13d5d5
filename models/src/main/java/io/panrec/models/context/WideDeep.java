package io.panrec.models.context;

import io.panrec.models.spi.AbstractModelProvider;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.Family;
import io.panrec.models.spi.Recommender;
import io.panrec.models.spi.Setting;
import io.panrec.models.spi.Settings;
import io.panrec.models.train.TrainingSettings;
import io.panrec.nn.Activation;
import io.panrec.nn.Embedding;
import io.panrec.nn.Init;
import io.panrec.nn.Linear;
import io.panrec.nn.MLP;
import io.panrec.nn.Parameter;
import io.panrec.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Wide and Deep: H.-T. Cheng et al., "Wide &amp; Deep Learning for Recommender Systems", DLRS 2016,
 * equation 3.
 *
 * <p>{@code logit = w_wide . x + b + w_deep . a(l_f)}: the wide part a linear model over the sparse
 * features (weights {@code [features, 1]}; the paper adds hand-made cross-product features, which
 * here would be fields of the data), the deep part a ReLU tower over the concatenated field embeddings
 * ({@code F * k} wide), jointly trained with the log loss.
 *
 * <p>Defaults: k = 16, tower 256-128-64, no dropout, Adam at 0.001 (the paper trains the wide part with
 * FTRL and the deep part with AdaGrad; one optimizer keeps the shared trainer), batches of 1024, 10 epochs.
 */
public final class WideDeep extends CtrModel {
    public static final String NAME = "WideDeep";
    private final Embedding wide;
    private final Parameter bias;
    private final Embedding embeddings;
    private final MLP tower;
    private final Linear output;

    WideDeep(Settings settings, DatasetSchema schema) {
        super(NAME, settings, schema);
        int k = positive(settings, "embeddingSize");
        int[] hidden = hidden(settings);
        SplittableRandom random = new SplittableRandom(settings.getLong(TrainingSettings.SEED));
        this.wide = registerModule("wide", featureTable(1, 0, random));
        Init.zeros(wide.weight());
        this.bias = registerParameter("bias", Parameter.zeros(1));
        this.embeddings = registerModule("embeddings", featureTable(k, settings.getDouble("initStd"), random));
        int[] widths = new int[hidden.length + 1];
        widths[0] = layout.numFields() * k;
        System.arraycopy(hidden, 0, widths, 1, hidden.length);
        this.tower = registerModule("tower", new MLP(widths, Activation.RELU, dropout(settings), true, random));
        this.output = registerModule("output", new Linear(hidden[hidden.length - 1], 1, false, random));
    }

    /** Registered in {@code META-INF/services}. */
    public static final class Provider extends AbstractModelProvider {
        public Provider() {
            super(NAME, Family.CONTEXT_AWARE, "a linear wide part plus a ReLU tower over the field embeddings, trained jointly (Cheng et al. 2016)",
                    WideDeep::new);
        }

        @Override
        public List<Setting> defaults() {
            List<Setting> s = new ArrayList<>();
            s.add(embeddingSetting());
            s.add(initStdSetting());
            s.add(layersSetting());
            s.add(dropoutSetting());
            s.addAll(trainingDefaults(10, 0.001, 2016));
            return s;
        }
    }

    @Override
    protected Tensor logits(Inputs in) {
        Tensor e = fieldEmbeddings(embeddings, in);                              // [B, F, k]
        Tensor deep = output.forward(tower.forward(e.reshape(in.batch(), -1))).reshape(in.batch());
        return firstOrder(wide, in).add(bias.value()).add(deep);
    }
}
