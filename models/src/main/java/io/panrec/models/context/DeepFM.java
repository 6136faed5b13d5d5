package io.panrec.models.context;

import io.panrec.models.onnx.OnnxExportable;
import io.panrec.models.onnx.OnnxGraph;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.Family;
import io.panrec.models.spi.ModelProvider;
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
 * DeepFM: H. Guo, R. Tang, Y. Ye, Z. Li, X. He, "DeepFM: A Factorization-Machine based Neural Network
 * for CTR Prediction", IJCAI 2017, equations 1 to 4.
 *
 * <p>{@code logit = y_FM + y_DNN}: the FM component (bias, first-order weights and the O(kn) pairwise
 * term of {@link FM#pairwise}) and a ReLU tower over the concatenated field embeddings, both reading the
 * <em>same</em> embeddings ({@code embeddings.weight [features, k]}): the paper's shared feature
 * embedding, which spares FM pretraining.
 *
 * <p>Pairs: on MovieLens as CTR every field is a user or item field, kept as tables in the state, so
 * {@code predict} with only {@code users [B]} and {@code items [B]} and {@code fullSortPredict} work as
 * for any recommender (a Lucene reranker scores (user, item) pairs so). See {@link CtrModel}.
 *
 * <p>ONNX export ({@link OnnxExportable}, {@code panrec export --format onnx}): the graph of {@code predict},
 * inputs named per field as {@link #onnxFieldIds} lists them ({@code users, items int64 [batch]} on plain
 * interactions; a categorical row field's local id, a numeric field's value, a bag as right-padded ids
 * {@code [batch, NAME_slots]} with {@code NAME_lengths [batch]}), output {@code scores float [batch]}, the logits.
 *
 * <p>Defaults: k = 16 and a 256-128-64 tower (BARS' Criteo_x1 DeepFM uses k = 16 and a 400-400-400
 * tower; smaller suits the samples and MovieLens), no dropout, Adam at 0.001, batches of 1024, 10 epochs.
 */
public final class DeepFM extends CtrModel implements OnnxExportable {
    public static final String NAME = "DeepFM";
    private final Embedding weights;
    private final Parameter bias;
    private final Embedding embeddings;
    private final MLP tower;
    private final Linear output;

    DeepFM(Settings settings, DatasetSchema schema) {
        super(NAME, settings, schema);
        int k = positive(settings, "embeddingSize");
        int[] hidden = hidden(settings);
        SplittableRandom random = new SplittableRandom(settings.getLong(TrainingSettings.SEED));
        this.bias = registerParameter("bias", Parameter.zeros(1));
        this.weights = registerModule("weights", featureTable(1, 0, random));
        Init.zeros(weights.weight());
        this.embeddings = registerModule("embeddings", featureTable(k, settings.getDouble("initStd"), random));
        int[] widths = new int[hidden.length + 1];
        widths[0] = layout.numFields() * k;
        System.arraycopy(hidden, 0, widths, 1, hidden.length);
        this.tower = registerModule("tower", new MLP(widths, Activation.RELU, dropout(settings), true, random));
        this.output = registerModule("output", new Linear(hidden[hidden.length - 1], 1, false, random));
    }

    /** Registered in {@code META-INF/services}. */
    public static final class Provider implements ModelProvider {
        @Override
        public String name() {
            return NAME;
        }

        @Override
        public Family family() {
            return Family.CONTEXT_AWARE;
        }

        @Override
        public String description() {
            return "an FM and a deep ReLU tower over the same shared field embeddings, summed into one logit (Guo et al. 2017)";
        }

        @Override
        public List<Setting> defaults() {
            List<Setting> s = new ArrayList<>();
            s.add(embeddingSetting());
            s.add(initStdSetting());
            s.add(layersSetting());
            s.add(dropoutSetting());
            s.addAll(trainingDefaults(10, 0.001, 2017));
            return s;
        }

        @Override
        public Recommender create(Settings settings, DatasetSchema schema) {
            return new DeepFM(settings, schema);
        }
    }

    @Override
    protected Tensor logits(Inputs in) {
        Tensor e = fieldEmbeddings(embeddings, in);                              // [B, F, k], shared by both parts
        Tensor fm = firstOrder(weights, in).add(FM.pairwise(e)).add(bias.value());
        Tensor dnn = output.forward(tower.forward(e.reshape(in.batch(), -1))).reshape(in.batch());
        return fm.add(dnn);
    }

    @Override
    public void exportOnnx(OnnxGraph g) {
        OnnxFieldIds ids = onnxFieldIds(g);
        String e = onnxFieldEmbeddings(g, ids, "embeddings", embeddings);                    // [B, F, k]
        String fm = g.add(g.add(onnxFirstOrder(g, ids, "weights", weights), onnxPairwise(g, e)), g.initializer("bias", bias.value()));
        String deep = g.mlp("tower", tower, g.reshape(e, 0, (long) layout.numFields() * embeddings.dim()));
        String dnn = g.reshape(g.linear("output", output, deep), -1);
        g.metadata("panrec.scores", "logits (apply a sigmoid for the click probability)");
        g.namedNode("Add", SCORES, java.util.List.of(fm, dnn));
        g.output(SCORES, OnnxGraph.FLOAT, OnnxGraph.BATCH);
    }
}
