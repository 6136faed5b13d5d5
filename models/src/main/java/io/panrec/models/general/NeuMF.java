package io.panrec.models.general;

import io.panrec.models.data.Interactions;
import io.panrec.models.onnx.OnnxGraph;
import io.panrec.models.spi.AbstractModelProvider;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.Family;
import io.panrec.models.spi.Setting;
import io.panrec.models.spi.Settings;
import io.panrec.models.train.Trainer;
import io.panrec.models.train.TrainingSettings;
import io.panrec.nn.Activation;
import io.panrec.nn.DerivedCache;
import io.panrec.nn.Embedding;
import io.panrec.nn.Init;
import io.panrec.nn.Linear;
import io.panrec.ops.Shapes;
import io.panrec.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Neural matrix factorization, the fusion of {@link GMF} and {@link MLP}: X. He, L. Liao, H. Zhang,
 * L. Nie, X. Hu, T.-S. Chua, "Neural Collaborative Filtering", WWW 2017, section 3.4.
 *
 * <p>{@code logit(u, i) = h . [p^G_u * q^G_i ; tower([p^M_u ; q^M_i])] + b}: GMF and MLP with separate
 * embeddings, their last layers concatenated into one output. Trained with the log loss on each positive
 * and sampled negatives ({@link NcfModel}).
 *
 * <p><b>Pretraining</b> (section 3.4.1, {@code pretrain=true}): before the first epoch, a GMF and an MLP
 * of the same sizes are trained with Adam for {@code pretrainEpochs} epochs each on the same data; their
 * embeddings and tower initialise NeuMF's, and the output layer becomes
 * {@code [alpha h^G ; (1 - alpha) h^M]} with bias {@code alpha b^G + (1 - alpha) b^M}, {@code alpha = 0.5}.
 * The paper then trains NeuMF with plain SGD instead of Adam (Adam's moments are not carried over):
 * set {@code optimizer=sgd} and a suitable {@code learningRate} with it.
 *
 * <p>State: {@code gmfUser.weight}, {@code gmfItem.weight} [., f], {@code mlpUser.weight},
 * {@code mlpItem.weight} [., layers[0]/2], {@code tower.layers.K.weight/bias},
 * {@code output.weight} [1, f + layers[last]], {@code output.bias} [1].
 *
 * <p>Defaults, the paper's code's but for the sizes and the epochs: embeddings N(0, 0.01), 4 negatives,
 * Adam with learning rate 0.001, batches of 256, no pretraining; 64 GMF factors and a {@code [128,64,32]}
 * tower (the sizes of {@link GMF} and {@link MLP}'s defaults, within the paper's figure 4) instead of 8
 * and {@code [64,32,16,8]}, and up to 60 epochs instead of 20, meant with early stopping on a validation
 * split (on MovieLens-100K, a tenth of MovieLens-1M's interactions, 20 epochs are a tenth of the paper's
 * updates). On MovieLens-100K, leave-one-out against 99 sampled negatives: the paper's sizes reached
 * validation NDCG@10 0.403 (test HR@10 0.641, NDCG@10 0.363), these 0.407 (test 0.651, 0.378).
 */
public final class NeuMF extends NcfModel {
    public static final String NAME = "NeuMF";
    /** The weight of GMF's output in the pretrained output layer (the paper's alpha). */
    static final float ALPHA = 0.5f;

    private final int factors;
    private final int[] layers;
    final Embedding gmfUser;
    final Embedding gmfItem;
    final Embedding mlpUser;
    final Embedding mlpItem;
    final io.panrec.nn.MLP tower;
    final Linear output;
    /** Per item, the item half of the tower's first layer and the GMF factors (see {@link #oneUserLogits}), while the weights stay. */
    private final DerivedCache itemHalf = new DerivedCache(this);

    NeuMF(Settings settings, DatasetSchema schema) {
        super(NAME, settings, schema);
        this.factors = Models.positive(settings, "embeddingSize");
        this.layers = MLP.layers(settings);
        float dropout = MLP.dropout(settings);
        Models.positive(settings, "pretrainEpochs");
        Models.nonNegative(settings, "pretrainLearningRate");
        SplittableRandom random = new SplittableRandom(settings.getLong(TrainingSettings.SEED));
        gmfUser = registerModule("gmfUser", new Embedding(schema.numUsers(), factors, -1, true, random));
        gmfItem = registerModule("gmfItem", new Embedding(schema.numItems(), factors, -1, true, random));
        mlpUser = registerModule("mlpUser", new Embedding(schema.numUsers(), layers[0] / 2, -1, true, random));
        mlpItem = registerModule("mlpItem", new Embedding(schema.numItems(), layers[0] / 2, -1, true, random));
        for (Embedding e : List.of(gmfUser, gmfItem, mlpUser, mlpItem)) {
            Init.normal(e.weight(), 0, 0.01, random);
        }
        tower = registerModule("tower", new io.panrec.nn.MLP(layers, Activation.RELU, dropout, true, random));
        output = registerModule("output", new Linear(factors + layers[layers.length - 1], 1, random));
    }

    /** Registered in {@code META-INF/services}. */
    public static final class Provider extends AbstractModelProvider {
        public Provider() {
            super(NAME, Family.GENERAL, "neural matrix factorization: GMF and an MLP tower fused in one output layer, optionally pretrained (He et al. 2017)",
                    NeuMF::new);
        }

        @Override
        public List<Setting> defaults() {
            List<Setting> s = new ArrayList<>();
            s.add(Setting.of("embeddingSize", 64, "predictive factors of the GMF part (its embedding size)"));
            s.add(MLP.layersSetting(List.of(128, 64, 32)));
            s.add(MLP.dropoutSetting());
            s.add(Setting.of("pretrain", false, "initialise from a GMF and an MLP trained first (the paper's pretraining; "
                    + "then train with optimizer=sgd as the paper does)"));
            s.add(Setting.of("pretrainEpochs", 10, "epochs of each of the GMF and MLP pretraining runs"));
            s.add(Setting.of("pretrainLearningRate", 0.001, "learning rate of Adam in the GMF and MLP pretraining runs"));
            s.add(TrainingSettings.negatives(4, "the paper's choice (section 4.4)"));
            s.addAll(TrainingSettings.gradient(60, 256, "adam", 0.001, 0.0));
            s.add(TrainingSettings.seed(2017));
            return s;
        }
    }

    @Override
    Tensor logits(Tensor users, Tensor items) {
        if (users.shape(0) == 1 && items.shape(0) > 1) {
            Tensor half = itemHalf.get((long) schema.numItems() * (layers[1] + factors) * Float.BYTES,
                    () -> Shapes.concat(1, towerItemHalf(tower, layers[0] / 2, mlpItem.weight()), gmfItem.weight()));
            if (half != null) {
                return oneUserLogits(users, items, half);
            }
        }
        Tensor g = gmfUser.forward(users).mul(gmfItem.forward(items)); // [1, f] broadcasts over the items
        Tensor m = tower.forward(Shapes.concat(1, userRows(mlpUser.forward(users), items), mlpItem.forward(items)));
        return output.forward(Shapes.concat(1, g, m)).reshape(items.shape(0));
    }

    /**
     * {@link #logits} of one user [1] against items [B], from {@code half} [items, layers[1] + f]: per item the
     * item half of the tower's first layer ({@link #towerItemHalf}) beside its GMF factors, in one row so that
     * both lookups of an item read neighbouring memory: the same function re-associated, the tower by
     * {@link #towerOneUser} (its first layer one fused lookup, add and relu) and the GMF term as
     * {@code q^G_i . (p^G_u * h^G)}. About five times fewer floating-point operations than the forward over B
     * concatenated rows at the default sizes.
     */
    private Tensor oneUserLogits(Tensor user, Tensor items, Tensor half) {
        int l1 = layers[1];
        Tensor h = towerOneUser(tower, mlpUser.forward(user), half.slice(1, 0, l1), items);                     // [B, last]
        Tensor wm = output.weight().slice(1, factors, factors + layers[layers.length - 1]);                     // [1, last]
        Tensor wg = gmfUser.forward(user).mul(output.weight().slice(1, 0, factors));                             // [1, f]
        Tensor gmf = io.panrec.ops.Indexing.gatherRows(half.slice(1, l1, l1 + factors), items).matmul(wg.t());  // [B, 1]
        return io.panrec.ops.Linalg.linear(h, wm, output.bias()).add(gmf).reshape(items.shape(0));
    }

    @Override
    String onnxLogits(OnnxGraph graph, String users, String items) {
        String g = graph.mul(graph.embedding("gmfUser", gmfUser, users), graph.embedding("gmfItem", gmfItem, items));
        String m = graph.mlp("tower", tower, graph.concat(1, graph.embedding("mlpUser", mlpUser, users), graph.embedding("mlpItem", mlpItem, items)));
        return graph.linear("output", output, graph.concat(1, g, m));
    }

    /** With {@code pretrain}: trains a GMF and an MLP on {@code train} and starts from their weights (class comment). */
    @Override
    public void beforeTraining(Interactions train) {
        if (!settings.getBoolean("pretrain")) {
            return;
        }
        GMF gmf = new GMF(gmfSettings(), schema);
        MLP mlp = new MLP(mlpSettings(), schema);
        for (NcfModel part : List.of(gmf, mlp)) {
            System.err.println(NAME + ": pretraining " + part.settings().owner() + " for " + settings.getInt("pretrainEpochs") + " epochs");
            Trainer.builder(part, train).interactive(false).build().fit();
        }
        Map<String, Tensor> g = gmf.stateDict();
        Map<String, Tensor> m = mlp.stateDict();
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("gmfUser.weight", g.get("userEmbedding.weight"));
        state.put("gmfItem.weight", g.get("itemEmbedding.weight"));
        state.put("mlpUser.weight", m.get("userEmbedding.weight"));
        state.put("mlpItem.weight", m.get("itemEmbedding.weight"));
        for (Map.Entry<String, Tensor> e : m.entrySet()) {
            if (e.getKey().startsWith("tower.")) {
                state.put(e.getKey(), e.getValue());
            }
        }
        float[] hg = g.get("output.weight").toFloatArray();
        float[] hm = m.get("output.weight").toFloatArray();
        float[] h = new float[hg.length + hm.length];
        for (int k = 0; k < hg.length; k++) {
            h[k] = ALPHA * hg[k];
        }
        for (int k = 0; k < hm.length; k++) {
            h[hg.length + k] = (1 - ALPHA) * hm[k];
        }
        state.put("output.weight", Tensor.of(h, 1, h.length));
        float b = ALPHA * g.get("output.bias").item() + (1 - ALPHA) * m.get("output.bias").item();
        state.put("output.bias", Tensor.of(new float[] {b}, 1));
        loadStateDict(state);
    }

    /** The settings of the GMF pretrained for this NeuMF. */
    Settings gmfSettings() {
        return common(new GMF.Provider().defaultSettings(), 1).with("embeddingSize", factors);
    }

    /** The settings of the MLP pretrained for this NeuMF. */
    Settings mlpSettings() {
        return common(new MLP.Provider().defaultSettings(), 2).with("layers", settings.get("layers"))
                .with("dropout", settings.get("dropout"));
    }

    /**
     * NeuMF's sampling carried over to a pretraining part, which is trained with Adam as in the paper
     * (whatever optimizer NeuMF itself then uses), at {@code pretrainLearningRate}.
     */
    private Settings common(Settings part, int seedOffset) {
        return part.with(TrainingSettings.EPOCHS, settings.get("pretrainEpochs"))
                .with(TrainingSettings.BATCH_SIZE, settings.get(TrainingSettings.BATCH_SIZE))
                .with(TrainingSettings.NEGATIVES, settings.get(TrainingSettings.NEGATIVES))
                .with(TrainingSettings.OPTIMIZER, "adam")
                .with(TrainingSettings.LEARNING_RATE, settings.get("pretrainLearningRate"))
                .with(TrainingSettings.SEED, settings.getLong(TrainingSettings.SEED) + seedOffset);
    }
}
