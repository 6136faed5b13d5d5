package io.panrec.bench.peers;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.panrec.autograd.Autograd;
import io.panrec.models.context.CtrModel;
import io.panrec.models.features.FieldLayout;
import io.panrec.models.features.SideFeatures;
import io.panrec.models.onnx.OnnxExport;
import io.panrec.models.onnx.OnnxExportable;
import io.panrec.models.spi.Batch;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.EmbeddingRecommender;
import io.panrec.models.spi.FeatureField;
import io.panrec.models.spi.ModelProvider;
import io.panrec.models.spi.ModelRegistry;
import io.panrec.models.spi.Recommender;
import io.panrec.models.spi.Settings;
import io.panrec.tensor.DType;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * ONNX Runtime runs every graph {@code panrec export} writes and must give panrec's numbers: the scores
 * of NeuMF, GMF, MLP and DeepFM (on plain pairs and on per-field inputs with numeric, categorical and bag
 * fields of rows, users and items), and the user vectors, item vectors and scores of the two-tower model
 * (every history pooling, with and without the item CNN) and of YouTube-DNN (every pooling), at
 * MovieLens-100K sizes, random weights drawn from [-0.5, 0.5), random histories and genres. Each check
 * prints the largest difference; any beyond {@code 1e-4 * max(1, |panrec|)} fails the run (exit code 1),
 * where for a vector |panrec| is the largest magnitude in its row: float sums in another order differ
 * in proportion to the magnitudes summed, and with such weights a tower's activations grow to tens, so a
 * small component of a large vector carries the rounding of the large ones.
 *
 * <pre>bench/scripts/peers.sh check</pre>
 */
public final class OnnxChecks {
    static final int USERS = 943;
    static final int ITEMS = 1682;
    static final double TOLERANCE = 1e-4;
    private static final ModelRegistry REGISTRY = ModelRegistry.discover();

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final List<String> failures = new ArrayList<>();
    private int checks;

    public static void main(String[] args) throws Exception {
        Peers.threads(1);
        OnnxChecks c = new OnnxChecks();
        System.out.println("ONNX Runtime " + c.env.getVersion() + " against panrec (reference backend), tolerance "
                + TOLERANCE + " x max(1, |panrec|)");
        try (var _ = io.panrec.backend.Backends.use("reference")) {
            c.run();
        }
        System.out.println(c.checks + " checks, " + c.failures.size() + " failed" + (c.failures.isEmpty() ? "" : ": " + c.failures));
        System.exit(c.failures.isEmpty() ? 0 : 1);
    }

    private void run() throws Exception {
        SplittableRandom r = new SplittableRandom(8);
        int b = 1000;
        long[] users = new long[b];
        long[] items = new long[b];
        for (int k = 0; k < b; k++) {
            users[k] = r.nextInt(USERS);
            items[k] = r.nextInt(ITEMS);
        }
        for (String name : List.of("NeuMF", "GMF", "MLP", "DeepFM")) {
            Recommender m = randomized(create(name, DatasetSchema.implicit(USERS, ITEMS), Map.of()), 5);
            pairs(m, name, users, items);
        }
        deepFmWithFields(r);
        for (String pooling : List.of("mean", "max", "lp", "sum")) {
            for (boolean cnn : new boolean[] {false, true}) {
                towers(behaviour("TwoTower", Map.of("pooling", pooling, "itemCnn", cnn, "genreVocabulary", 19), 13),
                        "TwoTower pooling=" + pooling + " itemCnn=" + cnn, users, items);
            }
            towers(behaviour("YouTubeDNN", Map.of("pooling", pooling, "genreVocabulary", 19), 17), "YouTubeDNN pooling=" + pooling,
                    users, items);
        }
        towers(behaviour("TwoTower", Map.of("pooling", "lp", "itemCnn", true, "normalize", false, "genreVocabulary", 19), 23),
                "TwoTower pooling=lp itemCnn=true normalize=false", users, items);
    }

    // ------------------------------------------------------------------ the models

    static Recommender create(String name, DatasetSchema schema, Map<String, Object> settings) {
        ModelProvider p = REGISTRY.get(name);
        Settings s = p.defaultSettings();
        for (var e : settings.entrySet()) {
            s = s.with(e.getKey(), e.getValue());
        }
        return p.create(s, schema);
    }

    /** Every F32 entry of the state from [-0.5, 0.5) (I64 buffers kept; {@code extra} entries replace theirs); eval mode. */
    static Recommender randomized(Recommender m, long seed, Map<String, Tensor> extra) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (var e : m.stateDict().entrySet()) {
            Tensor t = e.getValue();
            if (t.dtype() != DType.F32) {
                state.put(e.getKey(), t);
                continue;
            }
            float[] v = new float[(int) t.numel()];
            for (int k = 0; k < v.length; k++) {
                v[k] = (float) (r.nextDouble() - 0.5);
            }
            state.put(e.getKey(), Tensor.of(v, t.shape()));
        }
        state.putAll(extra);
        m.loadState(state);
        m.setTraining(false);
        return m;
    }

    static Recommender randomized(Recommender m, long seed) {
        return randomized(m, seed, Map.of());
    }

    /** A behaviour model with random weights, histories of 0 to 80 items (user 0 none) and 0 to 3 of 19 genres per item. */
    static Recommender behaviour(String name, Map<String, Object> settings, long seed) {
        Recommender m = create(name, DatasetSchema.implicit(USERS, ITEMS), settings);
        SplittableRandom r = new SplittableRandom(seed);
        long[] offsets = new long[USERS + 1];
        List<Long> history = new ArrayList<>();
        for (int u = 0; u < USERS; u++) {
            int n = u == 0 ? 0 : r.nextInt(81);
            for (int k = 0; k < n; k++) {
                history.add((long) r.nextInt(ITEMS));
            }
            offsets[u + 1] = history.size();
        }
        long[] genreOffsets = new long[ITEMS + 1];
        List<Long> genres = new ArrayList<>();
        for (int i = 0; i < ITEMS; i++) {
            int n = r.nextInt(4);
            r.ints(0, 19).distinct().limit(n).sorted().forEach(g -> genres.add((long) g));
            genreOffsets[i + 1] = genres.size();
        }
        return randomized(m, seed, Map.of("history.offsets", Tensor.ofLongs(offsets),
                "history.items", Tensor.ofLongs(history.stream().mapToLong(Long::longValue).toArray()),
                "genres.offsets", Tensor.ofLongs(genreOffsets), "genres.ids", Tensor.ofLongs(genres.stream().mapToLong(Long::longValue).toArray())));
    }

    // ------------------------------------------------------------------ the checks

    private void pairs(Recommender m, String name, long[] users, long[] items) throws Exception {
        float[] expected = predict(m, new Batch().put(Batch.USERS, Tensor.ofLongs(users)).put(Batch.ITEMS, Tensor.ofLongs(items)));
        Map<String, OnnxTensor> in = new LinkedHashMap<>();
        in.put("users", longs(users, users.length));
        in.put("items", longs(items, items.length));
        compare(name + " scores", expected, ort(m, name, OnnxExportable.SCORES, in));
    }

    /** DeepFM over numeric, categorical and bag row fields and user and item fields with bags: one input per field. */
    private void deepFmWithFields(SplittableRandom r) throws Exception {
        List<FeatureField> fields = List.of(FeatureField.numeric("I1"), FeatureField.categorical("C1", FeatureField.Source.ROW, 40),
                FeatureField.bag("tags", FeatureField.Source.ROW, 30, 5), FeatureField.categorical("user", FeatureField.Source.USER, USERS),
                FeatureField.categorical("age", FeatureField.Source.USER, 7), FeatureField.categorical("item", FeatureField.Source.ITEM, ITEMS),
                FeatureField.bag("genres", FeatureField.Source.ITEM, 19, 4), FeatureField.numeric("I2"));
        FieldLayout layout = new FieldLayout(fields);
        Recommender m = create("DeepFM", DatasetSchema.implicit(USERS, ITEMS).withFeatures(fields), Map.of());
        long[] userFields = new long[USERS * 2];
        for (int u = 0; u < USERS; u++) {
            userFields[2 * u] = layout.offset(3) + u;
            userFields[2 * u + 1] = layout.offset(4) + r.nextInt(7);
        }
        long[] itemFields = new long[ITEMS];
        long[] itemBags = new long[ITEMS * 4];
        long[] itemBagLengths = new long[ITEMS];
        for (int i = 0; i < ITEMS; i++) {
            itemFields[i] = layout.offset(5) + i;
            itemBagLengths[i] = r.nextInt(5);
            for (int j = 0; j < 4; j++) {
                itemBags[i * 4 + j] = layout.offset(6) + r.nextInt(19);
            }
        }
        ((CtrModel) m).setSideFeatures(new SideFeatures(USERS, ITEMS, userFields, new long[0], new long[0], itemFields, itemBags, itemBagLengths));
        randomized(m, 19, Map.of());
        int b = 777;
        long[] users = new long[b];
        long[] items = new long[b];
        float[] i1 = new float[b];
        float[] i2 = new float[b];
        long[] c1 = new long[b];
        long[] tags = new long[b * 5];
        long[] tagLengths = new long[b];
        long[] features = new long[b * 3];
        float[] values = new float[b * 3];
        long[] bagIds = new long[b * 5];
        for (int k = 0; k < b; k++) {
            users[k] = r.nextInt(USERS);
            items[k] = r.nextInt(ITEMS);
            i1[k] = (float) (r.nextDouble() * 6 - 1);
            i2[k] = (float) (r.nextDouble() * 2);
            c1[k] = r.nextInt(40);
            tagLengths[k] = r.nextInt(6);
            for (int j = 0; j < 5; j++) {
                tags[k * 5 + j] = j < tagLengths[k] ? r.nextInt(30) : -1;
                bagIds[k * 5 + j] = layout.offset(2) + Math.max(0, tags[k * 5 + j]);
            }
            features[k * 3] = layout.offset(0);
            features[k * 3 + 1] = layout.offset(1) + c1[k];
            features[k * 3 + 2] = layout.offset(7);
            values[k * 3] = i1[k];
            values[k * 3 + 1] = 1f;
            values[k * 3 + 2] = i2[k];
        }
        float[] expected = predict(m, new Batch().put(Batch.USERS, Tensor.ofLongs(users)).put(Batch.ITEMS, Tensor.ofLongs(items))
                .put(Batch.FEATURES, Tensor.ofLongs(features, b, 3)).put(Batch.FEATURE_VALUES, Tensor.of(values, b, 3))
                .put(Batch.BAG_IDS, Tensor.ofLongs(bagIds, b, 1, 5)).put(Batch.BAG_LENGTHS, Tensor.ofLongs(tagLengths, b, 1)));
        Map<String, OnnxTensor> in = new LinkedHashMap<>();
        in.put("I1", floats(i1, b));
        in.put("C1", longs(c1, b));
        in.put("I2", floats(i2, b));
        in.put("tags", longs(tags, b, 5));
        in.put("tags_lengths", longs(tagLengths, b));
        in.put("users", longs(users, b));
        in.put("items", longs(items, b));
        compare("DeepFM scores (per-field inputs, numeric, categorical and bag fields)", expected, ort(m, "DeepFM", OnnxExportable.SCORES, in));
    }

    /** User tower on every user, item tower on every item, scores on the pairs. */
    private void towers(Recommender m, String what, long[] pairUsers, long[] pairItems) throws Exception {
        String name = m.settings().owner();
        EmbeddingRecommender er = (EmbeddingRecommender) m;
        int d = er.dimension();
        long[] all = new long[USERS];
        float[] expectedUsers = new float[USERS * d];
        for (int u = 0; u < USERS; u++) {
            all[u] = u;
            System.arraycopy(er.userVector(u), 0, expectedUsers, u * d, d);
        }
        compare(what + " user vectors", expectedUsers, ort(m, name, OnnxExportable.USER_TOWER, historyInputs(m, all)), d);
        long[] items = new long[ITEMS];
        for (int i = 0; i < ITEMS; i++) {
            items[i] = i;
        }
        compare(what + " item vectors", er.itemVectors(), ort(m, name, OnnxExportable.ITEM_TOWER, Map.of("items", longs(items, ITEMS))), d);
        Map<String, OnnxTensor> in = historyInputs(m, pairUsers);
        in.put("items", longs(pairItems, pairItems.length));
        float[] expected = predict(m, new Batch().put(Batch.USERS, Tensor.ofLongs(pairUsers)).put(Batch.ITEMS, Tensor.ofLongs(pairItems)));
        compare(what + " scores", expected, ort(m, name, OnnxExportable.SCORES, in));
    }

    /** users, and their latest historyLength items (from the model's state) right-padded with -1, and the lengths. */
    private Map<String, OnnxTensor> historyInputs(Recommender m, long[] users) throws Exception {
        int length = m.settings().getInt("historyLength");
        Map<String, Tensor> state = m.stateDict();
        long[] offsets = state.get("history.offsets").toLongArray();
        long[] items = state.get("history.items").toLongArray();
        int b = users.length;
        long[] ids = new long[b * length];
        long[] lengths = new long[b];
        Arrays.fill(ids, -1);
        for (int k = 0; k < b; k++) {
            int u = (int) users[k];
            long end = offsets[u + 1];
            long start = Math.max(offsets[u], end - length);
            lengths[k] = end - start;
            for (long p = start; p < end; p++) {
                ids[(int) (k * length + p - start)] = items[(int) p];
            }
        }
        Map<String, OnnxTensor> in = new LinkedHashMap<>();
        in.put("users", longs(users, b));
        in.put("history", longs(ids, b, length));
        in.put("history_lengths", longs(lengths, b));
        return in;
    }

    // ------------------------------------------------------------------ running and comparing

    private static float[] predict(Recommender m, Batch b) {
        try (var _ = Scope.open("expected"); var _ = Autograd.noGrad()) {
            return m.predict(b).contiguous().toFloatArray();
        }
    }

    /** ONNX Runtime's first output of the graph {@code graph}, fed the inputs it declares (others are closed unused). */
    private float[] ort(Recommender m, String name, String graph, Map<String, OnnxTensor> inputs) throws Exception {
        try (OrtSession s = Peers.ortSession(OnnxExport.toBytes(m, name, REGISTRY, graph), 1)) {
            Map<String, OnnxTensor> feed = new LinkedHashMap<>();
            for (String in : s.getInputNames()) {
                OnnxTensor t = inputs.get(in);
                if (t == null) {
                    throw new IllegalStateException(name + " " + graph + " declares input " + in + ", which the check does not feed");
                }
                feed.put(in, t);
            }
            try (OrtSession.Result r = s.run(feed)) {
                OnnxValue v = r.get(0);
                return floatsOf((OnnxTensor) v);
            }
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    private static float[] floatsOf(OnnxTensor t) {
        FloatBuffer b = t.getFloatBuffer();
        float[] out = new float[b.remaining()];
        b.get(out);
        return out;
    }

    private void compare(String what, float[] expected, float[] actual) {
        compare(what, expected, actual, 1);
    }

    /** Compares rows of {@code width} values, each against the tolerance scaled by its row's largest magnitude. */
    private void compare(String what, float[] expected, float[] actual, int width) {
        checks++;
        double worst = 0;
        int at = -1;
        boolean ok = expected.length == actual.length;
        for (int k = 0; ok && k < expected.length; k++) {
            double diff = Math.abs(expected[k] - actual[k]);
            double scale = 1;
            for (int j = k - k % width; j < k - k % width + width; j++) {
                scale = Math.max(scale, Math.abs(expected[j]));
            }
            if (!(diff <= TOLERANCE * scale)) {
                ok = false;
                at = k;
            }
            if (diff > worst || Double.isNaN(diff)) {
                worst = diff;
            }
        }
        double largest = 0;
        for (float e : expected) {
            largest = Math.max(largest, Math.abs(e));
        }
        String line = String.format(java.util.Locale.ROOT, "%-4s %-66s %6d values, max |ORT - panrec| %.2e (largest |panrec| %.1f)",
                ok ? "ok" : "FAIL", what, expected.length, worst, largest);
        if (!ok) {
            line += expected.length != actual.length ? " (ORT gave " + actual.length + " values)"
                    : " (first beyond tolerance at " + at + ": " + actual[at] + " vs " + expected[at] + ")";
            failures.add(what);
        }
        System.out.println(line);
    }

    private OnnxTensor longs(long[] v, long... shape) throws Exception {
        return OnnxTensor.createTensor(env, LongBuffer.wrap(v), shape);
    }

    private OnnxTensor floats(float[] v, long... shape) throws Exception {
        return OnnxTensor.createTensor(env, FloatBuffer.wrap(v), shape);
    }
}
