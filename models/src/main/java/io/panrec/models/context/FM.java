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
 * Factorization machine: S. Rendle, "Factorization Machines", ICDM 2010, equation 1 computed in the
 * linear time of lemma 3.1.
 *
 * <p>{@code logit = w0 + sum_f w[x_f] v_f + sum_{f<g} <e_f, e_g>}, with {@code e_f} the field's
 * {@code k}-dimensional factor (times its value; a bag: the mean of its ids' factors). The pairwise sum
 * is computed as {@code 1/2 * sum_k [(sum_f e_fk)^2 - sum_f e_fk^2]}: O(k n) for n fields instead of
 * O(k n^2) ({@link #pairwise}, tested against the direct double sum).
 *
 * <p>State: {@code bias [1]}, {@code weights.weight [features, 1]}, {@code factors.weight [features, k]}
 * and the user/item tables of {@link CtrModel}. On MovieLens as CTR all fields are user or item fields,
 * so the model scores plain (user, item) pairs ({@code predict}, {@code fullSortPredict}).
 *
 * <p>Defaults: k = 16, factors N(0, 0.01), Adam at 0.001, batches of 1024, 10 epochs.
 */
public final class FM extends CtrModel {
    public static final String NAME = "FM";
    private final Embedding weights;
    private final Embedding factors;
    private final Parameter bias;

    FM(Settings settings, DatasetSchema schema) {
        super(NAME, settings, schema);
        int k = positive(settings, "embeddingSize");
        SplittableRandom random = new SplittableRandom(settings.getLong(TrainingSettings.SEED));
        this.bias = registerParameter("bias", Parameter.zeros(1));
        this.weights = registerModule("weights", featureTable(1, 0, random));
        Init.zeros(weights.weight());
        this.factors = registerModule("factors", featureTable(k, settings.getDouble("initStd"), random));
    }

    /** Registered in {@code META-INF/services}. */
    public static final class Provider extends AbstractModelProvider {
        public Provider() {
            super(NAME, Family.CONTEXT_AWARE, "factorization machine: bias, linear terms and factorised pairwise interactions in O(kn) (Rendle 2010)",
                    FM::new);
        }

        @Override
        public List<Setting> defaults() {
            List<Setting> s = new ArrayList<>();
            s.add(embeddingSetting());
            s.add(initStdSetting());
            s.addAll(trainingDefaults(10, 0.001, 2010));
            return s;
        }
    }

    /**
     * The pairwise term {@code sum_{f<g} <e_f, e_g>} of field embeddings {@code e [B, F, k]} -> {@code [B]}, in
     * O(F k): {@code 1/2 sum_k [(sum_f e_fk)^2 - sum_f e_fk^2]} (Rendle 2010, lemma 3.1).
     */
    public static Tensor pairwise(Tensor e) {
        Tensor s = e.sum(1, false);                   // [B, k]
        Tensor squares = e.mul(e).sum(1, false);      // [B, k]
        return s.mul(s).sub(squares).sum(1, false).mul(0.5f);
    }

    @Override
    protected Tensor logits(Inputs in) {
        Tensor e = fieldEmbeddings(factors, in);
        return firstOrder(weights, in).add(pairwise(e)).add(bias.value());
    }
}
