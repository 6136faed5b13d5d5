package io.panrec.models.context;

import io.panrec.models.spi.AbstractModelProvider;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.Family;
import io.panrec.models.spi.Setting;
import io.panrec.models.spi.Settings;
import io.panrec.models.train.TrainingSettings;
import io.panrec.nn.Activation;
import io.panrec.nn.Embedding;
import io.panrec.nn.Linear;
import io.panrec.nn.MLP;
import io.panrec.nn.ModuleList;
import io.panrec.ops.Shapes;
import io.panrec.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * DCN-V2: R. Wang, R. Shivanna, D. Cheng, S. Jain, D. Lin, L. Hong, E. Chi, "DCN V2: Improved Deep &amp;
 * Cross Network and Practical Lessons for Web-scale Learning to Rank Systems", WWW 2021, equation 1 and
 * the parallel structure of figure 1.
 *
 * <p>{@code x0} is the concatenation of the field embeddings ({@code d = F * k}); each cross layer computes
 * {@code x_{l+1} = x0 * (W_l x_l + b_l) + x_l} with a full-rank {@code W_l [d, d]} (elementwise product);
 * beside it a ReLU tower reads {@code x0}; the last cross output and the tower output are concatenated
 * into a linear logit.
 *
 * <p>Defaults: k = 16, 3 cross layers, a 256-128-64 tower, no dropout, Adam at 0.001, batches of 1024,
 * 10 epochs.
 */
public final class DCNV2 extends CtrModel {
    public static final String NAME = "DCNV2";
    private final Embedding embeddings;
    private final ModuleList<Linear> cross;
    private final MLP tower;
    private final Linear output;

    DCNV2(Settings settings, DatasetSchema schema) {
        super(NAME, settings, schema);
        int k = positive(settings, "embeddingSize");
        int layers = positive(settings, "crossLayers");
        int[] hidden = hidden(settings);
        SplittableRandom random = new SplittableRandom(settings.getLong(TrainingSettings.SEED));
        this.embeddings = registerModule("embeddings", featureTable(k, settings.getDouble("initStd"), random));
        int d = layout.numFields() * k;
        this.cross = registerModule("cross", new ModuleList<>());
        for (int l = 0; l < layers; l++) {
            cross.add(new Linear(d, d, random));
        }
        int[] widths = new int[hidden.length + 1];
        widths[0] = d;
        System.arraycopy(hidden, 0, widths, 1, hidden.length);
        this.tower = registerModule("tower", new MLP(widths, Activation.RELU, dropout(settings), true, random));
        this.output = registerModule("output", new Linear(d + hidden[hidden.length - 1], 1, random));
    }

    /** Registered in {@code META-INF/services}. */
    public static final class Provider extends AbstractModelProvider {
        public Provider() {
            super(NAME, Family.CONTEXT_AWARE, "deep and cross network V2: full-rank cross layers x0*(W x + b) + x beside a ReLU tower (Wang et al. 2021)",
                    DCNV2::new);
        }

        @Override
        public List<Setting> defaults() {
            List<Setting> s = new ArrayList<>();
            s.add(embeddingSetting());
            s.add(initStdSetting());
            s.add(Setting.of("crossLayers", 3, "number of cross layers x_{l+1} = x0 * (W_l x_l + b_l) + x_l"));
            s.add(layersSetting());
            s.add(dropoutSetting());
            s.addAll(trainingDefaults(10, 0.001, 2021));
            return s;
        }
    }

    @Override
    protected Tensor logits(Inputs in) {
        Tensor x0 = fieldEmbeddings(embeddings, in).reshape(in.batch(), -1);     // [B, d]
        Tensor x = x0;
        for (int l = 0; l < cross.size(); l++) {
            x = x0.mul(cross.get(l).forward(x)).add(x);
        }
        Tensor deep = tower.forward(x0);
        return output.forward(Shapes.concat(1, x, deep)).reshape(in.batch());
    }
}
