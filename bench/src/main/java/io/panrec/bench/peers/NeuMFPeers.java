package io.panrec.bench.peers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.internal.NDArrayEx;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.PairList;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.ModelProvider;
import io.panrec.models.spi.ModelRegistry;
import io.panrec.models.spi.Recommender;
import io.panrec.models.spi.Settings;
import io.panrec.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * NeuMF (He et al. 2017, panrec's {@code io.panrec.models.general.NeuMF} with its defaults: 64 GMF
 * factors, tower {@code [128, 64, 32]} with ReLU after every layer, a linear output, logits) built
 * three ways for the peer benchmarks: panrec's model, the same weights as DJL NDArrays with the same
 * forward pass, and a DJL block with the same parameters for training with DJL's own trainer. The sizes
 * are read from panrec's defaults, so that every path keeps the same architecture when the defaults move
 * (they did: from the paper's 8 and [64, 32, 16, 8], which had left the DJL paths on the old sizes).
 */
public final class NeuMFPeers {
    /** The tower of NeuMF's defaults; the scoring and training benchmarks keep the defaults. */
    static final int[] LAYERS = ModelRegistry.discover().get("NeuMF").defaultSettings().getInts("layers");
    /** The GMF factors of NeuMF's defaults. */
    static final int FACTORS = ModelRegistry.discover().get("NeuMF").defaultSettings().getInt("embeddingSize");

    private NeuMFPeers() {
    }

    /**
     * panrec's NeuMF with default settings for {@code users} x {@code items}, every weight drawn uniformly
     * from [-0.5, 0.5) (instead of the N(0, 0.01) start, so that scores differ clearly between items and
     * a comparison of scores means something), in evaluation mode.
     */
    public static Recommender panrec(int users, int items, long seed) {
        ModelProvider p = ModelRegistry.discover().get("NeuMF");
        Settings s = p.defaultSettings();
        Recommender m = p.create(s, DatasetSchema.implicit(users, items));
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (var e : m.stateDict().entrySet()) {
            float[] v = new float[(int) e.getValue().numel()];
            for (int k = 0; k < v.length; k++) {
                v[k] = (float) (r.nextDouble() - 0.5);
            }
            state.put(e.getKey(), Tensor.of(v, e.getValue().shape()));
        }
        m.loadState(state);
        m.setTraining(false);
        return m;
    }

    /** A model's state dict as DJL NDArrays of {@code manager}. */
    public static Map<String, NDArray> djlWeights(Recommender m, NDManager manager) {
        Map<String, NDArray> w = new LinkedHashMap<>();
        for (var e : m.stateDict().entrySet()) {
            w.put(e.getKey(), manager.create(e.getValue().contiguous().toFloatArray(),
                    new Shape(java.util.Arrays.stream(e.getValue().shape()).asLongStream().toArray())));
        }
        return w;
    }

    /** NeuMF's logits in DJL: users, items int64 [B] -> [B], from the state-dict-named weights. */
    public static NDArray djlLogits(Map<String, NDArray> w, NDArray users, NDArray items) {
        NDArrayEx ex = users.getNDArrayInternal();
        NDArray g = embed(ex, users, w.get("gmfUser.weight")).mul(embed(ex, items, w.get("gmfItem.weight")));
        NDArray m = NDArrays.concat(new NDList(embed(ex, users, w.get("mlpUser.weight")), embed(ex, items, w.get("mlpItem.weight"))), 1);
        for (int k = 0; k + 1 < LAYERS.length; k++) {
            m = ex.linear(m, w.get("tower.layers." + k + ".weight"), w.get("tower.layers." + k + ".bias")).singletonOrThrow();
            m = ai.djl.nn.Activation.relu(m);
        }
        NDArray out = ex.linear(NDArrays.concat(new NDList(g, m), 1), w.get("output.weight"), w.get("output.bias")).singletonOrThrow();
        return out.reshape(-1);
    }

    private static NDArray embed(NDArrayEx ex, NDArray ids, NDArray table) {
        return ex.embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }

    /**
     * NeuMF as a DJL block, for DJL's trainer: the parameters have the state dict's names and shapes,
     * embeddings start at N(0, 0.01) as panrec's, the linear layers with Xavier (DJL's default).
     */
    public static final class Block extends AbstractBlock {
        private final Map<String, Parameter> params = new LinkedHashMap<>();

        public Block(int users, int items) {
            add("gmfUser.weight", new Shape(users, FACTORS), true);
            add("gmfItem.weight", new Shape(items, FACTORS), true);
            add("mlpUser.weight", new Shape(users, LAYERS[0] / 2), true);
            add("mlpItem.weight", new Shape(items, LAYERS[0] / 2), true);
            for (int k = 0; k + 1 < LAYERS.length; k++) {
                add("tower.layers." + k + ".weight", new Shape(LAYERS[k + 1], LAYERS[k]), false);
                add("tower.layers." + k + ".bias", new Shape(LAYERS[k + 1]), false);
            }
            add("output.weight", new Shape(1, FACTORS + LAYERS[LAYERS.length - 1]), false);
            add("output.bias", new Shape(1), false);
        }

        private void add(String name, Shape shape, boolean embedding) {
            Parameter.Type type = name.endsWith(".bias") ? Parameter.Type.BIAS : Parameter.Type.WEIGHT;
            Parameter.Builder b = Parameter.builder().setName(name.replace('.', '_')).setType(type).optShape(shape);
            if (embedding) {
                b.optInitializer(new NormalInitializer(0.01f));
            } else if (type == Parameter.Type.WEIGHT) {
                b.optInitializer(new XavierInitializer());
            }
            params.put(name, addParameter(b.build()));
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> p) {
            NDArray users = inputs.get(0);
            Map<String, NDArray> w = new LinkedHashMap<>();
            params.forEach((k, v) -> w.put(k, store.getValue(v, users.getDevice(), training)));
            return new NDList(djlLogits(w, users, inputs.get(1)));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {new Shape(inputShapes[0].get(0))};
        }

        @Override
        public void prepare(Shape[] inputShapes) {
            // every parameter has its shape from the constructor
        }
    }

    /** int64 ids of {@code manager}. */
    static NDArray ids(NDManager manager, long[] v) {
        return manager.create(v).toType(DataType.INT64, false);
    }

    static List<String> names() {
        List<String> n = new ArrayList<>(List.of("gmfUser.weight", "gmfItem.weight", "mlpUser.weight", "mlpItem.weight"));
        for (int k = 0; k + 1 < LAYERS.length; k++) {
            n.add("tower.layers." + k + ".weight");
            n.add("tower.layers." + k + ".bias");
        }
        n.add("output.weight");
        n.add("output.bias");
        return n;
    }
}
