package io.panrec.models.bundle;

import io.panrec.io.Json;
import io.panrec.io.SafeTensors;
import io.panrec.models.data.Vocabulary;
import io.panrec.models.spi.Batch;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.Family;
import io.panrec.models.spi.ModelProvider;
import io.panrec.models.spi.ModelRegistry;
import io.panrec.models.spi.Recommender;
import io.panrec.models.spi.Setting;
import io.panrec.models.spi.Settings;
import io.panrec.nn.Embedding;
import io.panrec.nn.Module;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bundles: round trip, atomic replacement, and every kind of damage gives a clear {@link BundleException}. */
class BundleTest {
    /** A dot-product model with a list setting, for the bundle's own tests (the real models are tested in general). */
    static final class Dot extends Module implements Recommender {
        final Settings settings;
        final DatasetSchema schema;
        final Embedding users;
        final Embedding items;

        Dot(Settings settings, DatasetSchema schema) {
            this.settings = settings;
            this.schema = schema;
            SplittableRandom r = new SplittableRandom(settings.getLong("seed"));
            int d = settings.getInts("dims")[0];
            users = registerModule("users", new Embedding(schema.numUsers(), d, r));
            items = registerModule("items", new Embedding(schema.numItems(), d, r));
        }

        public Settings settings() {
            return settings;
        }

        public DatasetSchema schema() {
            return schema;
        }

        public Tensor calculateLoss(Batch batch) {
            return predict(batch).pow(2).mean();
        }

        public Tensor predict(Batch batch) {
            return users.forward(batch.get(Batch.USERS)).mul(items.forward(batch.get(Batch.ITEMS))).sum(1, false);
        }

        public Tensor fullSortPredict(Tensor u) {
            return users.forward(u).matmul(items.weight().t());
        }

        public void setTraining(boolean on) {
            train(on);
        }

        public void loadState(Map<String, Tensor> state) {
            loadStateDict(state);
        }
    }

    static final class DotProvider implements ModelProvider {
        public String name() {
            return "Dot";
        }

        public Family family() {
            return Family.GENERAL;
        }

        public String description() {
            return "dot product, for bundle tests";
        }

        public List<Setting> defaults() {
            return List.of(Setting.ofInts("dims", List.of(4), "embedding width"), Setting.of("seed", 1L, "seed"),
                    Setting.of("scale", 0.5, "unused number"), Setting.of("label", "x\"y\n", "unused string to quote"));
        }

        public Recommender create(Settings s, DatasetSchema schema) {
            return new Dot(s, schema);
        }
    }

    @TempDir
    Path tmp;
    ModelRegistry registry;
    Vocabulary users;
    Vocabulary items;
    Dot model;

    @BeforeEach
    void setUp() {
        registry = ModelRegistry.empty().register(new DotProvider());
        users = Vocabulary.of("users", List.of("alice", "bob", "carol"));
        items = Vocabulary.of("items", List.of("i1", "i2", "i3", "i4", "ünïcode"));
        Settings s = registry.get("dot").defaultSettings().with("dims", List.of(3)).with("seed", 7L).with("scale", 1e-7);
        model = new Dot(s, DatasetSchema.explicit(3, 5, 0.5f, 5f));
    }

    private float[] scores(Recommender m) {
        try (var _ = Scope.open("scores")) {
            return m.fullSortPredict(new int[] {0, 1, 2}).toFloatArray();
        }
    }

    @Test
    void roundTripsModelSettingsSchemaAndVocabularies() throws Exception {
        Path dir = tmp.resolve("bundle");
        Bundle.save(dir, model, users, items, Map.of("data", "toy", "folds", List.of(1, 2)), null);
        Bundle b = Bundle.load(dir, registry);
        assertEquals(model.settings(), b.model().settings());
        assertEquals(model.schema(), b.model().schema());
        assertFalse(b.model().isTraining());
        assertEquals(users.ids(), b.users().ids());
        assertEquals(items.ids(), b.items().ids());
        assertEquals("toy", b.info().get("data"));
        assertArrayEquals(scores(model), scores(b.model()));
        // the file holds what the class comment promises
        Map<?, ?> json = (Map<?, ?>) parse(dir.resolve(Bundle.MODEL_JSON));
        assertEquals("panrec-model", json.get("format"));
        assertEquals(1L, json.get("version"));
        assertEquals("Dot", json.get("model"));
    }

    @Test
    void implicitSchemaAndGrownVocabularies() throws IOException {
        Dot implicit = new Dot(model.settings, DatasetSchema.implicit(3, 5));
        Vocabulary grown = users.copy();
        grown.add("dave"); // read after the model was built: not part of the model
        Path dir = tmp.resolve("b");
        Bundle.save(dir, implicit, grown, items);
        Bundle b = Bundle.load(dir, registry);
        assertEquals(DatasetSchema.implicit(3, 5), b.model().schema());
        assertEquals(users.ids(), b.users().ids());
        BundleException e = assertThrows(BundleException.class, () -> Bundle.save(tmp.resolve("c"), implicit,
                Vocabulary.of("users", List.of("a")), items));
        assertTrue(e.getMessage().contains("users vocabulary has 1 ids but the model was built for 3"), e.getMessage());
    }

    @Test
    void replacesAnOldBundleAtomicallyButNeverAnotherFolder() throws IOException {
        Path dir = tmp.resolve("bundle");
        Bundle.save(dir, model, users, items);
        Dot other = new Dot(model.settings.with("seed", 8L), model.schema);
        Bundle.save(dir, other, users, items);
        assertArrayEquals(scores(other), scores(Bundle.load(dir, registry).model()));
        try (var s = Files.list(tmp)) {
            assertEquals(List.of("bundle"), s.map(p -> p.getFileName().toString()).toList(), "no temporary folder is left behind");
        }
        Path precious = tmp.resolve("home");
        Files.createDirectories(precious);
        Files.writeString(precious.resolve("notes.txt"), "keep me");
        BundleException e = assertThrows(BundleException.class, () -> Bundle.save(precious, model, users, items));
        assertTrue(e.getMessage().contains("not a panrec folder"), e.getMessage());
        assertEquals("keep me", Files.readString(precious.resolve("notes.txt")));
    }

    @Test
    void aFailedSaveKeepsTheOldBundle() throws IOException {
        Path dir = tmp.resolve("bundle");
        Bundle.save(dir, model, users, items);
        assertThrows(IOException.class, () -> Bundle.save(dir, new Dot(model.settings.with("seed", 9L), model.schema), users, items,
                Map.of(), d -> {
                    throw new IOException("disk full");
                }));
        assertArrayEquals(scores(model), scores(Bundle.load(dir, registry).model()));
        try (var s = Files.list(tmp)) {
            assertEquals(1, s.count());
        }
    }

    @Test
    void missingFolderAndFiles() throws IOException {
        BundleException e = assertThrows(BundleException.class, () -> Bundle.load(tmp.resolve("nope"), registry));
        assertTrue(e.getMessage().contains("no such folder"), e.getMessage());
        for (String file : List.of(Bundle.MODEL_JSON, Bundle.WEIGHTS, Bundle.USERS, Bundle.ITEMS)) {
            Path dir = tmp.resolve("missing-" + file);
            Bundle.save(dir, model, users, items);
            Files.delete(dir.resolve(file));
            e = assertThrows(BundleException.class, () -> Bundle.load(dir, registry), file);
            assertTrue(e.getMessage().contains("missing " + file), e.getMessage());
        }
    }

    @Test
    void unknownModelListsTheKnownOnes() throws IOException {
        Path dir = tmp.resolve("b");
        Bundle.save(dir, model, users, items);
        edit(dir, "\"model\": \"Dot\"", "\"model\": \"NoSuchNet\"");
        BundleException e = assertThrows(BundleException.class, () -> Bundle.load(dir, registry));
        assertTrue(e.getMessage().contains("unknown model 'NoSuchNet'") && e.getMessage().contains("known models: Dot"), e.getMessage());
    }

    @Test
    void malformedHeader() throws IOException {
        Path dir = tmp.resolve("b");
        Bundle.save(dir, model, users, items);
        String good = Files.readString(dir.resolve(Bundle.MODEL_JSON));
        record Case(String from, String to, String expected) {
        }
        List<Case> cases = List.of(
                new Case("\"format\": \"panrec-model\"", "\"format\": \"pickle\"", "not a panrec model bundle"),
                new Case("\"version\": 1", "\"version\": 2", "newer panrec"),
                new Case("\"version\": 1", "\"version\": \"1\"", "\"version\" must be an integer"),
                new Case("\"seed\": 7", "\"seed\": \"seven\"", "setting 'seed' expects an integer"),
                new Case("\"seed\": 7", "\"sede\": 7", "no setting 'sede'"),
                new Case("\"numItems\": 5", "\"numItems\": 0", "out of range"),
                new Case("\"hasRatings\": true", "\"hasRatings\": 1", "hasRatings must be true or false"),
                new Case("\"minRating\": 0.5", "\"minRating\": null", "\"minRating\" must be a number"),
                new Case("{", "[", "not valid JSON"),
                new Case("\"weights\": \"weights.safetensors\"", "\"weights\": \"../../etc/passwd\"", "always uses"));
        for (Case c : cases) {
            assertTrue(good.contains(c.from()), c.from());
            Files.writeString(dir.resolve(Bundle.MODEL_JSON), good.replace(c.from(), c.to()));
            BundleException e = assertThrows(BundleException.class, () -> Bundle.load(dir, registry), c.to());
            assertTrue(e.getMessage().contains(c.expected()), c.expected() + " not in: " + e.getMessage());
        }
        Files.write(dir.resolve(Bundle.MODEL_JSON), new byte[] {'{', (byte) 0xC3, '}'});
        BundleException e = assertThrows(BundleException.class, () -> Bundle.load(dir, registry));
        assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
    }

    @Test
    void weightsOfTheWrongShapeOrNamesOrTruncated() throws IOException {
        Path dir = tmp.resolve("b");
        Bundle.save(dir, model, users, items);
        // settings that build a wider model than the weights were saved from
        edit(dir, "\"dims\": [3]", "\"dims\": [4]");
        BundleException e = assertThrows(BundleException.class, () -> Bundle.load(dir, registry));
        assertTrue(e.getMessage().contains("weights.safetensors does not fit") && e.getMessage().contains("[3, 3]")
                && e.getMessage().contains("[3, 4]"), e.getMessage());
        edit(dir, "\"dims\": [4]", "\"dims\": [3]");

        // a weights file with a renamed tensor
        Map<String, Tensor> renamed = new java.util.LinkedHashMap<>(model.stateDict());
        renamed.put("user.weight", renamed.remove("users.weight"));
        SafeTensors.write(dir.resolve(Bundle.WEIGHTS), renamed);
        e = assertThrows(BundleException.class, () -> Bundle.load(dir, registry));
        assertTrue(e.getMessage().contains("users.weight") && e.getMessage().contains("user.weight"), e.getMessage());

        // truncated
        SafeTensors.write(dir.resolve(Bundle.WEIGHTS), model.stateDict());
        byte[] bytes = Files.readAllBytes(dir.resolve(Bundle.WEIGHTS));
        Files.write(dir.resolve(Bundle.WEIGHTS), java.util.Arrays.copyOf(bytes, bytes.length - 5));
        IOException io = assertThrows(IOException.class, () -> Bundle.load(dir, registry));
        assertTrue(io.getMessage().contains(Bundle.WEIGHTS), io.getMessage());
    }

    @Test
    void vocabulariesOfTheWrongSize() throws IOException {
        Path dir = tmp.resolve("b");
        Bundle.save(dir, model, users, items);
        Files.writeString(dir.resolve(Bundle.ITEMS), "i1\ni2\n");
        BundleException e = assertThrows(BundleException.class, () -> Bundle.load(dir, registry));
        assertTrue(e.getMessage().contains("items.txt holds 2 ids") && e.getMessage().contains("5 items"), e.getMessage());
    }

    @Test
    void jsonWriterRoundTrips() throws Exception {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("s", "quote \" backslash \\ newline \n tab \t control \u0001 é");
        m.put("i", 42);
        m.put("l", -9_000_000_000L);
        m.put("d", 1e-7);
        m.put("f", 0.1f);
        m.put("b", true);
        m.put("n", null);
        m.put("list", List.of(1, 2, 3));
        m.put("nested", List.of(Map.of("a", 1), List.of()));
        m.put("empty", Map.of());
        for (String text : List.of(JsonWriter.pretty(m), JsonWriter.compact(m))) {
            Map<?, ?> back = (Map<?, ?>) Json.parse(text);
            assertEquals(m.get("s"), back.get("s"));
            assertEquals(42L, back.get("i"));
            assertEquals(-9_000_000_000L, back.get("l"));
            assertEquals(1e-7, back.get("d"));
            assertEquals(0.1f, ((Double) back.get("f")).floatValue());
            assertEquals(true, back.get("b"));
            assertEquals(Json.NULL, back.get("n"));
            assertEquals(List.of(1L, 2L, 3L), back.get("list"));
        }
        assertFalse(JsonWriter.compact(m).contains("\n"));
        assertThrows(IllegalArgumentException.class, () -> JsonWriter.compact(Map.of("x", Double.NaN)));
        assertThrows(IllegalArgumentException.class, () -> JsonWriter.compact(new Object()));
    }

    private static Object parse(Path p) throws Exception {
        return Json.parse(Files.readString(p));
    }

    private static void edit(Path dir, String from, String to) throws IOException {
        Path f = dir.resolve(Bundle.MODEL_JSON);
        String text = Files.readString(f, StandardCharsets.UTF_8);
        assertTrue(text.contains(from), from + " not in " + text);
        Files.writeString(f, text.replace(from, to));
    }

    @SuppressWarnings("unused")
    private static List<String> names(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        try (var s = Files.list(dir)) {
            s.forEach(p -> out.add(p.getFileName().toString()));
        }
        return out;
    }
}
