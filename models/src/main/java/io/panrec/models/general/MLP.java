package io.panrec.models.general;

import io.panrec.models.onnx.OnnxGraph;
import io.panrec.models.spi.AbstractModelProvider;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.Family;
import io.panrec.models.spi.Setting;
import io.panrec.models.spi.Settings;
import io.panrec.models.train.TrainingSettings;
import io.panrec.nn.Activation;
import io.panrec.nn.Embedding;
import io.panrec.nn.Init;
import io.panrec.nn.Linear;
import io.panrec.ops.Shapes;
import io.panrec.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The multi-layer perceptron of neural collaborative filtering: X. He, L. Liao, H. Zhang, L. Nie, X. Hu,
 * T.-S. Chua, "Neural Collaborative Filtering", WWW 2017, section 3.3.
 *
 * <p>{@code logit(u, i) = h . tower([p_u ; q_i]) + b}: the concatenated user and item embeddings (each
 * {@code layers[0] / 2} wide) through a tower of ReLU layers of the widths {@code layers}, then a linear
 * output. Trained with the log loss on each positive and sampled negatives ({@link NcfModel}).
 *
 * <p>State: {@code userEmbedding.weight}, {@code itemEmbedding.weight}, {@code tower.layers.K.weight/bias},
 * {@code output.weight}, {@code output.bias} (the names {@link NeuMF}'s pretraining reads).
 *
 * <p>Defaults, the paper's except the tower's size and the epochs: embeddings N(0, 0.01), 4 negatives,
 * Adam with learning rate 0.001, batches of 256, no dropout; a tower {@code [128,64,32]} (32 predictive
 * factors, within the paper's figure 4) instead of its code's {@code [64,32,16,8]} (8), and up to 60
 * epochs instead of 20, meant with early stopping on a validation split. On MovieLens-100K,
 * leave-one-out against 99 sampled negatives: {@code [64,32,16,8]} reached HR@10 0.624 / NDCG@10 0.346
 * in 20 epochs and 0.619 / 0.350 with 60 (stopped at 26; validation NDCG@10 0.385), hardly above
 * ItemKNN's 0.614 / 0.352; {@code [128,64,32]} 0.633 / 0.361 (stopped at 18; validation NDCG@10 0.405).
 */
public final class MLP extends NcfModel {
    public static final String NAME = "MLP";

    final Embedding userEmbedding;
    final Embedding itemEmbedding;
    final io.panrec.nn.MLP tower;
    final Linear output;
    /** The item half of the tower's first layer for every item ({@link #towerItemHalf}), while the weights stay. */
    private final io.panrec.nn.DerivedCache itemHalf = new io.panrec.nn.DerivedCache(this);

    MLP(Settings settings, DatasetSchema schema) {
        super(NAME, settings, schema);
        int[] layers = layers(settings);
        float dropout = dropout(settings);
        SplittableRandom random = new SplittableRandom(settings.getLong(TrainingSettings.SEED));
        userEmbedding = registerModule("userEmbedding", new Embedding(schema.numUsers(), layers[0] / 2, -1, true, random));
        itemEmbedding = registerModule("itemEmbedding", new Embedding(schema.numItems(), layers[0] / 2, -1, true, random));
        Init.normal(userEmbedding.weight(), 0, 0.01, random);
        Init.normal(itemEmbedding.weight(), 0, 0.01, random);
        tower = registerModule("tower", new io.panrec.nn.MLP(layers, Activation.RELU, dropout, true, random));
        output = registerModule("output", new Linear(layers[layers.length - 1], 1, random));
    }

    /** The tower's widths, checked: at least two, all positive, the first even. */
    static int[] layers(Settings settings) {
        int[] layers = settings.getInts("layers");
        if (layers.length < 2 || layers[0] % 2 != 0) {
            throw new IllegalArgumentException(settings.owner() + " setting 'layers' must list at least two widths, the first even "
                    + "(it is the concatenation of the user and item embeddings), got " + java.util.Arrays.toString(layers));
        }
        for (int w : layers) {
            if (w < 1) {
                throw new IllegalArgumentException(settings.owner() + " setting 'layers' must be positive widths, got "
                        + java.util.Arrays.toString(layers));
            }
        }
        return layers;
    }

    static float dropout(Settings settings) {
        double p = settings.getDouble("dropout");
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException(settings.owner() + " setting 'dropout' must be in [0, 1), got " + p);
        }
        return (float) p;
    }

    static Setting layersSetting(List<Integer> widths) {
        return Setting.ofInts("layers", widths, "widths of the tower: the first is the concatenated user and "
                + "item embeddings (each half as wide), the last the predictive factors; ReLU after each layer");
    }

    static Setting dropoutSetting() {
        return Setting.of("dropout", 0.0, "dropout after each tower layer in training (0: none, as the paper)");
    }

    /** Registered in {@code META-INF/services}. */
    public static final class Provider extends AbstractModelProvider {
        public Provider() {
            super(NAME, Family.GENERAL, "a ReLU tower over the concatenated user and item embeddings, log loss with sampled negatives (He et al. 2017)",
                    MLP::new);
        }

        @Override
        public List<Setting> defaults() {
            List<Setting> s = new ArrayList<>();
            s.add(layersSetting(List.of(128, 64, 32)));
            s.add(dropoutSetting());
            s.add(TrainingSettings.negatives(4, "the paper's choice (section 4.4)"));
            s.addAll(TrainingSettings.gradient(60, 256, "adam", 0.001, 0.0));
            s.add(TrainingSettings.seed(2017));
            return s;
        }
    }

    @Override
    Tensor logits(Tensor users, Tensor items) {
        if (users.shape(0) == 1 && items.shape(0) > 1) {
            Tensor half = itemHalf.get((long) schema.numItems() * tower.widths()[1] * Float.BYTES,
                    () -> towerItemHalf(tower, tower.widths()[0] / 2, itemEmbedding.weight()));
            if (half != null) { // one user's candidates: the item half of the first layer is a lookup
                Tensor h = towerOneUser(tower, userEmbedding.forward(users), half, items);
                return output.forward(h).reshape(items.shape(0));
            }
        }
        Tensor x = Shapes.concat(1, userRows(userEmbedding.forward(users), items), itemEmbedding.forward(items));
        return output.forward(tower.forward(x)).reshape(items.shape(0));
    }

    @Override
    String onnxLogits(OnnxGraph graph, String users, String items) {
        String x = graph.concat(1, graph.embedding("userEmbedding", userEmbedding, users), graph.embedding("itemEmbedding", itemEmbedding, items));
        return graph.linear("output", output, graph.mlp("tower", tower, x));
    }
}
