package io.panrec.models.onnx;

import io.panrec.autograd.Autograd;
import io.panrec.models.context.CtrModel;
import io.panrec.models.features.FieldLayout;
import io.panrec.models.features.SideFeatures;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ONNX graphs of DeepFM (plain pairs, and per-field inputs with numeric, categorical and bag fields of
 * rows, users and items), of the two-tower model (user tower, item tower with and without its CNN, scores)
 * and of YouTube-DNN (user tower in every pooling mode, item vectors, scores): each file re-read with
 * {@link ProtoReader} for its inputs, symbolic dimensions and initializers, then run by the test
 * interpreter ({@link OnnxFile}) on random inputs of odd sizes, which must reproduce panrec's
 * {@code predict}, {@code userVector} and {@code itemVectors}.
 */
class OnnxModelsExportTest {
    private static final ModelRegistry REGISTRY = ModelRegistry.discover();
    private static final String I64 = ":" + OnnxGraph.INT64 + ":";
    private static final String F32 = ":" + OnnxGraph.FLOAT + ":";

    /** Every F32 entry of the state drawn from [-1, 1) (I64 buffers, such as histories and side tables, kept). */
    static Map<String, Tensor> randomFloats(Recommender m, long seed) {
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
                v[k] = (float) (r.nextDouble() * 2 - 1);
            }
            state.put(e.getKey(), Tensor.of(v, t.shape()));
        }
        return state;
    }

    static Recommender create(String name, DatasetSchema schema, Map<String, Object> settings) {
        ModelProvider p = REGISTRY.get(name);
        Settings s = p.defaultSettings();
        for (var e : settings.entrySet()) {
            s = s.with(e.getKey(), e.getValue());
        }
        return p.create(s, schema);
    }

    static OnnxFile export(Recommender m, String name, String graph) {
        return OnnxFile.read(OnnxExport.toBytes(m, name, REGISTRY, graph));
    }

    /** Each initializer named after a state entry holds that entry's shape and values; {@code required} are all there. */
    static void initializersMatch(OnnxFile p, Map<String, Tensor> state, Set<String> required) {
        for (String k : required) {
            assertTrue(p.dims.containsKey(k), "initializer " + k + " missing; have " + p.dims.keySet());
        }
        for (var e : state.entrySet()) {
            String k = e.getKey();
            if (!p.dims.containsKey(k)) {
                continue;
            }
            Tensor t = e.getValue();
            assertArrayEquals(Arrays.stream(t.shape()).asLongStream().toArray(), p.dims.get(k), k);
            if (t.dtype() == DType.F32) {
                assertArrayEquals(t.contiguous().toFloatArray(), p.initializers.get(k), k);
            } else {
                assertArrayEquals(t.contiguous().toLongArray(), p.longInitializers.get(k), k);
            }
        }
    }

    static void close(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int k = 0; k < expected.length; k++) {
            assertEquals(expected[k], actual[k], 2e-5f * Math.max(1, Math.abs(expected[k])), what + " at " + k);
        }
    }

    static float[] predict(Recommender m, Batch b) {
        try (var _ = Scope.open("t"); var _ = Autograd.noGrad()) {
            return m.predict(b).contiguous().toFloatArray();
        }
    }

    // ------------------------------------------------------------------ DeepFM

    @Test
    void deepFmOnPlainPairsReadsUsersAndItems() {
        DatasetSchema schema = DatasetSchema.implicit(7, 11);
        Recommender m = create("DeepFM", schema, Map.of("embeddingSize", 5, "layers", List.of(9, 4)));
        Map<String, Tensor> state = randomFloats(m, 3);
        m.loadState(state);
        m.setTraining(false);
        OnnxFile p = export(m, "DeepFM", OnnxExportable.SCORES);
        assertEquals(List.of("users" + I64 + "batch", "items" + I64 + "batch"), p.inputs);
        assertEquals(List.of("scores" + F32 + "batch"), p.outputs);
        initializersMatch(p, state, state.keySet());
        assertEquals("DeepFM", p.metadata.get("panrec.model"));

        long[] users = {0, 6, 3, 3, 1, 5, 2};
        long[] items = {10, 0, 4, 7, 2, 9, 9};
        float[] expected = predict(m, new Batch().put(Batch.USERS, Tensor.ofLongs(users)).put(Batch.ITEMS, Tensor.ofLongs(items)));
        float[] actual = p.run(Map.of("users", OnnxFile.T.longs(users, 7), "items", OnnxFile.T.longs(items, 7))).get("scores").f();
        close(expected, actual, "DeepFM scores");
    }

    @Test
    void deepFmWithRowUserAndItemFieldsReadsOneInputPerField() {
        List<FeatureField> fields = List.of(
                FeatureField.numeric("x"),
                FeatureField.categorical("c", FeatureField.Source.ROW, 4),
                FeatureField.bag("tags", FeatureField.Source.ROW, 6, 3),
                FeatureField.categorical("user", FeatureField.Source.USER, 5),
                FeatureField.bag("ubag", FeatureField.Source.USER, 4, 2),
                FeatureField.categorical("item", FeatureField.Source.ITEM, 9),
                FeatureField.numeric("y"),
                FeatureField.categorical("brand", FeatureField.Source.ITEM, 3),
                FeatureField.bag("genres", FeatureField.Source.ITEM, 5, 3));
        DatasetSchema schema = DatasetSchema.implicit(5, 9).withFeatures(fields);
        FieldLayout layout = new FieldLayout(fields);
        Recommender m = create("DeepFM", schema, Map.of("embeddingSize", 3, "layers", List.of(7, 5)));
        SplittableRandom r = new SplittableRandom(17);
        ((CtrModel) m).setSideFeatures(new SideFeatures(5, 9,
                entityIds(layout, new int[] {3}, 5, r), bagIds(layout, 4, 5, 2, r), lengths(5, 2, r),
                entityIds(layout, new int[] {5, 7}, 9, r), bagIds(layout, 8, 9, 3, r), lengths(9, 3, r)));
        Map<String, Tensor> state = randomFloats(m, 5);
        m.loadState(state);
        m.setTraining(false);

        OnnxFile p = export(m, "DeepFM", OnnxExportable.SCORES);
        assertEquals(List.of("x" + F32 + "batch", "c" + I64 + "batch", "y" + F32 + "batch", "tags" + I64 + "batch,tags_slots",
                "tags_lengths" + I64 + "batch", "users" + I64 + "batch", "items" + I64 + "batch"), p.inputs);
        initializersMatch(p, state, state.keySet());

        int b = 9;
        long[] users = new long[b];
        long[] items = new long[b];
        float[] x = new float[b];
        float[] y = new float[b];
        long[] c = new long[b];
        long[] tags = new long[b * 3];
        long[] tagLengths = new long[b];
        long[] features = new long[b * 3];
        float[] values = new float[b * 3];
        long[] bagIds = new long[b * 3];
        for (int i = 0; i < b; i++) {
            users[i] = r.nextInt(5);
            items[i] = r.nextInt(9);
            x[i] = (float) (r.nextDouble() * 4 - 2);
            y[i] = (float) (r.nextDouble() * 4 - 2);
            c[i] = r.nextInt(4);
            tagLengths[i] = i == 0 ? 0 : r.nextInt(4);
            for (int j = 0; j < 3; j++) {
                long local = j < tagLengths[i] ? r.nextInt(6) : -5 - j; // padding the graph must never read
                tags[i * 3 + j] = local;
                bagIds[i * 3 + j] = local + layout.offset(2);
            }
            // Batch.FEATURES: the single-valued row fields in schema order (x, c, y) as global ids
            features[i * 3] = layout.offset(0);
            features[i * 3 + 1] = layout.offset(1) + c[i];
            features[i * 3 + 2] = layout.offset(6);
            values[i * 3] = x[i];
            values[i * 3 + 1] = 1f;
            values[i * 3 + 2] = y[i];
        }
        Batch batch = new Batch().put(Batch.USERS, Tensor.ofLongs(users)).put(Batch.ITEMS, Tensor.ofLongs(items))
                .put(Batch.FEATURES, Tensor.ofLongs(features, b, 3)).put(Batch.FEATURE_VALUES, Tensor.of(values, b, 3))
                .put(Batch.BAG_IDS, Tensor.ofLongs(bagIds, b, 1, 3)).put(Batch.BAG_LENGTHS, Tensor.ofLongs(tagLengths, b, 1));
        float[] expected = predict(m, batch);
        Map<String, OnnxFile.T> feeds = new HashMap<>();
        feeds.put("x", OnnxFile.T.floats(x, b));
        feeds.put("y", OnnxFile.T.floats(y, b));
        feeds.put("c", OnnxFile.T.longs(c, b));
        feeds.put("tags", OnnxFile.T.longs(tags, b, 3));
        feeds.put("tags_lengths", OnnxFile.T.longs(tagLengths, b));
        feeds.put("users", OnnxFile.T.longs(users, b));
        feeds.put("items", OnnxFile.T.longs(items, b));
        close(expected, p.run(feeds).get("scores").f(), "DeepFM scores with fields");
    }

    private static long[] entityIds(FieldLayout layout, int[] fields, int n, SplittableRandom r) {
        long[] out = new long[n * fields.length];
        for (int e = 0; e < n; e++) {
            for (int j = 0; j < fields.length; j++) {
                out[e * fields.length + j] = layout.offset(fields[j]) + r.nextInt(layout.fields().get(fields[j]).size());
            }
        }
        return out;
    }

    private static long[] bagIds(FieldLayout layout, int field, int n, int length, SplittableRandom r) {
        long[] out = new long[n * length];
        for (int k = 0; k < out.length; k++) {
            out[k] = layout.offset(field) + r.nextInt(layout.fields().get(field).size());
        }
        return out;
    }

    private static long[] lengths(int n, int max, SplittableRandom r) {
        long[] out = new long[n];
        for (int e = 0; e < n; e++) {
            out[e] = e == 1 ? 0 : r.nextInt(max + 1); // entity 1 has an empty bag
        }
        return out;
    }

    // ------------------------------------------------------------------ behaviour models

    private static final int USERS = 6;
    private static final int ITEMS = 13;
    private static final int GENRES = 5;
    private static final int HISTORY = 4;

    /**
     * A behaviour model with random weights, random histories (0 to 7 items per user, more than
     * {@link #HISTORY}, so the latest are taken; user 2 has none) and random genres (item 3 none, item 4
     * one genre listed twice).
     */
    static Recommender behaviour(String name, Map<String, Object> settings, long seed) {
        Map<String, Object> s = new HashMap<>(settings);
        s.put("genreVocabulary", GENRES);
        s.put("historyLength", HISTORY);
        Recommender m = create(name, DatasetSchema.implicit(USERS, ITEMS), s);
        Map<String, Tensor> state = randomFloats(m, seed);
        SplittableRandom r = new SplittableRandom(seed + 1);
        long[] offsets = new long[USERS + 1];
        List<Long> items = new ArrayList<>();
        for (int u = 0; u < USERS; u++) {
            int n = u == 2 ? 0 : 1 + r.nextInt(7);
            for (int k = 0; k < n; k++) {
                items.add((long) r.nextInt(ITEMS));
            }
            offsets[u + 1] = items.size();
        }
        long[] genreOffsets = new long[ITEMS + 1];
        List<Long> genres = new ArrayList<>();
        for (int i = 0; i < ITEMS; i++) {
            if (i == 4) {
                genres.add(1L);
                genres.add(1L);
            } else if (i != 3) {
                int n = 1 + r.nextInt(3);
                for (int k = 0; k < n; k++) {
                    genres.add((long) r.nextInt(GENRES));
                }
            }
            genreOffsets[i + 1] = genres.size();
        }
        state.put("history.offsets", Tensor.ofLongs(offsets));
        state.put("history.items", Tensor.ofLongs(items.stream().mapToLong(Long::longValue).toArray()));
        state.put("genres.offsets", Tensor.ofLongs(genreOffsets));
        state.put("genres.ids", Tensor.ofLongs(genres.stream().mapToLong(Long::longValue).toArray()));
        m.loadState(state);
        m.setTraining(false);
        return m;
    }

    /** The latest {@link #HISTORY} items of each user, from the model's state, right-padded with ids the graph must not read. */
    static Map<String, OnnxFile.T> historyFeeds(Recommender m, long[] users) {
        Map<String, Tensor> state = m.stateDict();
        long[] offsets = state.get("history.offsets").toLongArray();
        long[] all = state.get("history.items").numel() == 0 ? new long[0] : state.get("history.items").toLongArray();
        int b = users.length;
        long[][] rows = new long[b][];
        int width = 1;
        for (int i = 0; i < b; i++) {
            int u = (int) users[i];
            long end = offsets[u + 1];
            rows[i] = Arrays.copyOfRange(all, (int) Math.max(offsets[u], end - HISTORY), (int) end);
            width = Math.max(width, rows[i].length);
        }
        width += 1; // one padding column more than needed
        long[] ids = new long[b * width];
        long[] lengths = new long[b];
        Arrays.fill(ids, 1_000_003L);
        for (int i = 0; i < b; i++) {
            System.arraycopy(rows[i], 0, ids, i * width, rows[i].length);
            lengths[i] = rows[i].length;
        }
        Map<String, OnnxFile.T> feeds = new HashMap<>();
        feeds.put("users", OnnxFile.T.longs(users, b));
        feeds.put("history", OnnxFile.T.longs(ids, b, width));
        feeds.put("history_lengths", OnnxFile.T.longs(lengths, b));
        return feeds;
    }

    private static Map<String, OnnxFile.T> only(Map<String, OnnxFile.T> feeds, OnnxFile p) {
        Map<String, OnnxFile.T> out = new HashMap<>();
        for (String in : p.inputs) {
            String name = in.substring(0, in.indexOf(':'));
            out.put(name, feeds.get(name));
        }
        return out;
    }

    /** Every graph of a two-tower style model reproduces userVector, itemVectors and predict. */
    static void towersMatch(Recommender m, String name, int d, List<String> userInputs) {
        EmbeddingRecommender er = (EmbeddingRecommender) m;
        Map<String, Tensor> state = m.stateDict();
        assertEquals(List.of(OnnxExportable.SCORES, OnnxExportable.USER_TOWER, OnnxExportable.ITEM_TOWER), ((OnnxExportable) m).onnxGraphs());

        long[] users = {0, 1, 2, 3, 4, 5, 3};
        Map<String, OnnxFile.T> feeds = historyFeeds(m, users);
        OnnxFile user = export(m, name, OnnxExportable.USER_TOWER);
        assertEquals(userInputs, user.inputs);
        assertEquals(List.of("user_vectors" + F32 + "batch," + d), user.outputs);
        initializersMatch(user, state, Set.of());
        float[] vectors = user.run(only(feeds, user)).get("user_vectors").f();
        for (int i = 0; i < users.length; i++) {
            close(er.userVector((int) users[i]), Arrays.copyOfRange(vectors, i * d, (i + 1) * d), name + " user " + users[i]);
        }

        OnnxFile item = export(m, name, OnnxExportable.ITEM_TOWER);
        assertEquals(List.of("items" + I64 + "batch"), item.inputs);
        assertEquals(List.of("item_vectors" + F32 + "batch," + d), item.outputs);
        initializersMatch(item, state, Set.of());
        long[] all = new long[ITEMS];
        for (int i = 0; i < ITEMS; i++) {
            all[i] = ITEMS - 1 - i; // reversed, so that a graph ignoring its input cannot pass
        }
        float[] expectedItems = er.itemVectors();
        float[] items = item.run(Map.of("items", OnnxFile.T.longs(all, ITEMS))).get("item_vectors").f();
        for (int i = 0; i < ITEMS; i++) {
            close(Arrays.copyOfRange(expectedItems, (int) all[i] * d, (int) (all[i] + 1) * d), Arrays.copyOfRange(items, i * d, (i + 1) * d),
                    name + " item " + all[i]);
        }

        OnnxFile scores = export(m, name, OnnxExportable.SCORES);
        assertEquals(List.of("scores" + F32 + "batch"), scores.outputs);
        long[] candidates = {12, 0, 5, 4, 3, 7, 4};
        Map<String, OnnxFile.T> withItems = new HashMap<>(feeds);
        withItems.put("items", OnnxFile.T.longs(candidates, candidates.length));
        float[] expected = predict(m, new Batch().put(Batch.USERS, Tensor.ofLongs(users)).put(Batch.ITEMS, Tensor.ofLongs(candidates)));
        close(expected, scores.run(only(withItems, scores)).get("scores").f(), name + " scores");
    }

    @ParameterizedTest
    @CsvSource({"mean, true, true", "max, false, false", "lp, true, false", "sum, false, true"})
    void twoTowerGraphsMatchItsVectors(String pooling, boolean itemCnn, boolean normalize) {
        Recommender m = behaviour("TwoTower", Map.of("embeddingSize", 5, "layers", List.of(7), "pooling", pooling, "lpNorm", 2.5,
                "itemCnn", itemCnn, "channels", 3, "normalize", normalize), 11);
        towersMatch(m, "TwoTower", 5, List.of("users" + I64 + "batch", "history" + I64 + "batch,history_slots",
                "history_lengths" + I64 + "batch"));
        OnnxFile item = export(m, "TwoTower", OnnxExportable.ITEM_TOWER);
        assertEquals(itemCnn, item.ops().contains("Conv") && item.ops().contains("MaxPool"), item.ops().toString());
        if (itemCnn) {
            assertArrayEquals(new long[] {3, 1, 3, 3}, item.dims.get("conv.weight"));
        }
        assertArrayEquals(new long[] {ITEMS, GENRES}, item.dims.get("genres.counts"));
        assertEquals(2f, item.initializers.get("genres.counts")[4 * GENRES + 1], "item 4 lists genre 1 twice");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mean", "max", "lp", "sum"})
    void youTubeDnnGraphsMatchItsVectors(String pooling) {
        Recommender m = behaviour("YouTubeDNN", Map.of("embeddingSize", 3, "layers", List.of(6, 5), "pooling", pooling, "lpNorm", 3.0), 23);
        towersMatch(m, "YouTubeDNN", 3, List.of("history" + I64 + "batch,history_slots", "history_lengths" + I64 + "batch"));
    }

    @Test
    void anUnknownGraphNamesTheGraphsOfTheModel() {
        Recommender m = behaviour("YouTubeDNN", Map.of(), 1);
        var e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.toBytes(m, "YouTubeDNN", REGISTRY, "tower"));
        assertTrue(e.getMessage().contains("YouTubeDNN has no ONNX graph 'tower'; its graphs are: scores, user-tower, item-tower"), e.getMessage());
        Recommender gmf = create("GMF", DatasetSchema.implicit(2, 2), Map.of());
        e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.toBytes(gmf, "GMF", REGISTRY, OnnxExportable.USER_TOWER));
        assertTrue(e.getMessage().contains("its graphs are: scores"), e.getMessage());
        assertTrue(OnnxExport.supportedModels(REGISTRY).containsAll(List.of("NeuMF", "GMF", "MLP", "DeepFM", "TwoTower", "YouTubeDNN")),
                OnnxExport.supportedModels(REGISTRY).toString());
    }
}
