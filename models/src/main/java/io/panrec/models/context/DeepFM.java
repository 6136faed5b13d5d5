package io.panrec.models.context;

import io.panrec.models.onnx.OnnxExportable;
import io.panrec.models.onnx.OnnxGraph;
import io.panrec.models.spi.AbstractModelProvider;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.Family;
import io.panrec.models.spi.Setting;
import io.panrec.models.spi.Settings;
import io.panrec.models.train.TrainingSettings;
import io.panrec.nn.Activation;
import io.panrec.nn.DerivedCache;
import io.panrec.nn.Embedding;
import io.panrec.nn.Init;
import io.panrec.nn.Linear;
import io.panrec.nn.MLP;
import io.panrec.nn.Parameter;
import io.panrec.models.spi.FeatureField;
import io.panrec.ops.Indexing;
import io.panrec.ops.Shapes;
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
    /** {@link #itemSideTable()}, kept while the weights do not change. */
    private final DerivedCache itemSide = new DerivedCache(this);
    /** The same terms of every user's fields, kept while the weights do not change. */
    private final DerivedCache userSide = new DerivedCache(this);
    /** The columns of the tower's first weight that read item fields, contiguous. */
    private final DerivedCache itemFirstWeights = new DerivedCache(this);
    /** {@link #itemColumns()}, once: the layout does not change. */
    private final long[] itemColumnIds;

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
        this.itemColumnIds = itemColumns();
    }

    /** Registered in {@code META-INF/services}. */
    public static final class Provider extends AbstractModelProvider {
        public Provider() {
            super(NAME, Family.CONTEXT_AWARE, "an FM and a deep ReLU tower over the same shared field embeddings, summed into one logit (Guo et al. 2017)",
                    DeepFM::new);
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

    /**
     * One user's candidates from per-item terms computed once: the logit is a sum over fields, and with every
     * field a user or an item field it splits. With {@code e} the field embeddings, {@code S = sum_f e_f} and
     * {@code Q = sum_f e_f^2} over one side's fields, the FM's pairwise term is
     * {@code S_u . S_i + 1/2 sum(S_u^2 - Q_u) + 1/2 sum(S_i^2 - Q_i)}, and the tower's first layer
     * {@code W1 [e_u ; e_i] + b1} is a user half plus an item half. So per item a table keeps its fields'
     * embeddings {@code e_i} (only the item fields' columns) and {@code [S_i ; c_i]} (c: its first-order weights
     * and its own pairwise part), and per user the same; a query is then row lookups, one product of the item
     * inputs with the item columns of {@code W1} whose bias is the user's half (one fused kernel with the ReLU),
     * the tower's other layers, and {@code [S_i ; c_i] . [S_u ; 1] + c_u} for the FM.
     *
     * <p>(Caching {@code W1 e_i} itself was slower: a [B, 256] gather, add and ReLU over 1 MB cost more than the
     * product from the 16 item inputs.)
     */
    @Override
    protected Tensor oneUserLogits(long user, Tensor items) {
        int k = embeddings.dim();
        Tensor itemColumns = Tensor.ofLongs(itemColumnIds);                                 // [Ki]: the item fields' inputs
        int ki = itemColumnIds.length;
        Tensor table = itemSide.get((long) schema.numItems() * (ki + k + 1) * Float.BYTES,
                () -> sideTerms(allItems(), FeatureField.Source.ITEM, itemColumns));
        if (table == null) {
            return null;
        }
        int fk = layout.numFields() * k;
        Tensor users = userSide.get((long) schema.numUsers() * (fk + k + 1) * Float.BYTES,
                () -> sideTerms(allUsers(), FeatureField.Source.USER, Indexing.arange(fk)));
        Tensor mine = users != null // [1, F k + k + 1]; computed here when the users are too many to cache
                ? users.slice(0, (int) user, (int) user + 1)
                : sideTerms(pairs(new long[] {user}, new long[] {0}), FeatureField.Source.USER, Indexing.arange(fk));
        Linear first = tower.layers().get(0);
        Tensor userFirst = io.panrec.ops.Linalg.linear(mine.slice(1, 0, fk), first.weight(), first.bias()).reshape(-1); // [L1]
        Tensor itemWeights = itemFirstWeights.get((long) first.weight().shape(0) * ki * Float.BYTES,          // [L1, Ki]
                () -> Indexing.gatherRows(first.weight().t(), itemColumns).t().contiguous());
        // two dense gathers rather than views of one: kernels are fast on dense operands only
        Tensor itemInputs = Indexing.gatherRows(table.slice(1, 0, ki), items);                        // [B, Ki]
        Tensor fmRows = Indexing.gatherRows(table.slice(1, ki, ki + k + 1), items);                   // [B, k + 1]
        Tensor h = tower.forwardFrom(1, io.panrec.ops.Linalg.linearRelu(itemInputs, itemWeights, userFirst));
        Tensor userS1 = Shapes.concat(1, mine.slice(1, fk, fk + k), Tensor.of(new float[] {1f}, 1, 1)); // [1, k + 1]: [S_u ; 1]
        Tensor fm = fmRows.matmul(userS1.t()).add(mine.slice(1, fk + k, fk + k + 1).add(bias.value()));   // [B, 1]
        return output.forward(h).add(fm).reshape(items.shape(0));
    }

    /** The columns of the tower's input {@code [F k]} that hold item fields, in order (fixed by the layout). */
    private long[] itemColumns() {
        float[] mask = fieldMask(FeatureField.Source.ITEM).toFloatArray();
        int k = embeddings.dim();
        long[] cols = new long[layout.numFields() * k];
        int n = 0;
        for (int f = 0; f < mask.length; f++) {
            if (mask[f] != 0) {
                for (int j = 0; j < k; j++) {
                    cols[n++] = (long) f * k + j;
                }
            }
        }
        return java.util.Arrays.copyOf(cols, n);
    }

    /**
     * {@code [n, C + k + 1]}: per row of {@code in}, {@code [e[columns] ; S ; c]} over the fields of
     * {@code source} alone (e: the flattened field embeddings {@code [F k]} with the other side's fields 0).
     */
    private Tensor sideTerms(Inputs in, FeatureField.Source source, Tensor columns) {
        Tensor mask = fieldMask(source);                                                  // [1, F, 1]
        Tensor e = fieldEmbeddings(embeddings, in).mul(mask);                             // [n, F, k]
        int n = in.batch();
        Tensor w = fieldEmbeddings(weights, in).mul(mask).reshape(n, in.numFields());    // [n, F]
        Tensor s = e.sum(1, false);                                                       // [n, k]
        Tensor q = e.mul(e).sum(1, false);
        Tensor c = w.sum(1, true).add(s.mul(s).sub(q).sum(1, true).mul(0.5f));           // [n, 1]
        Tensor inputs = Indexing.gatherRows(e.reshape(n, -1).t(), columns).t();           // [n, C]
        return Shapes.concat(1, inputs, s, c);
    }
}
