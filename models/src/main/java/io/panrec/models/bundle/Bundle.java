package io.panrec.models.bundle;

import io.panrec.io.Json;
import io.panrec.io.SafeTensors;
import io.panrec.io.SafeTensorsFile;
import io.panrec.models.data.Vocabulary;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.FeatureField;
import io.panrec.models.spi.ModelProvider;
import io.panrec.models.spi.ModelRegistry;
import io.panrec.models.spi.Recommender;
import io.panrec.models.spi.Settings;
import io.panrec.tensor.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A trained model on disk: a folder with
 * <ul>
 *   <li>{@value #MODEL_JSON}: the format and its version, the model's registry name, its settings, the
 *       dataset schema it was built for, the names of the other files, and free-form information
 *       (the data it was trained on, ...);</li>
 *   <li>{@value #WEIGHTS}: {@link Recommender#stateDict()} in safetensors;</li>
 *   <li>{@value #USERS} and {@value #ITEMS}: the vocabularies (raw id of each dense index, one per
 *       line, as {@link Vocabulary#save}), cut to the schema's numbers of users and items.</li>
 * </ul>
 * Example {@code model.json}:
 * <pre>{@code
 * {
 *   "format": "panrec-model",
 *   "version": 1,
 *   "model": "BPRMF",
 *   "family": "GENERAL",
 *   "settings": {"embeddingSize": 64, "learningRate": 0.001, ...},
 *   "schema": {"numUsers": 943, "numItems": 1682, "hasRatings": false, "minRating": null, "maxRating": null},
 *   "files": {"weights": "weights.safetensors", "users": "users.txt", "items": "items.txt"},
 *   "info": {"data": "ml-100k"}
 * }
 * }</pre>
 *
 * <p><b>Writing</b> is atomic ({@link AtomicFolder}): a reader sees the old bundle or the new one, never
 * a mix. An existing folder is only replaced if it is empty or holds a {@value #MODEL_JSON}.
 *
 * <p><b>Loading never runs code from the bundle.</b> The model's class is the one the
 * {@link ModelRegistry} maps its name to; the settings are checked against that model's declared
 * settings; the weights are data checked by {@link SafeTensors} and then by the model's
 * {@link Recommender#loadState}. Every problem (a missing file, malformed JSON, a newer format, an unknown
 * model, a setting of the wrong type, vocabularies of the wrong size, weights of the wrong names or
 * shapes) is a {@link BundleException} that names the folder, the file and the fix.
 */
public final class Bundle {
    public static final String MODEL_JSON = "model.json";
    public static final String WEIGHTS = "weights.safetensors";
    public static final String USERS = "users.txt";
    public static final String ITEMS = "items.txt";
    /** The value of {@code "format"}. */
    public static final String FORMAT = "panrec-model";
    /** The version this code writes and the newest it reads. */
    public static final int VERSION = 1;
    /** Largest {@value #MODEL_JSON} read: far above any real one, small enough to refuse a hostile file. */
    static final long MAX_JSON_BYTES = 16L << 20;

    private final Path folder;
    private final Recommender model;
    private final Vocabulary users;
    private final Vocabulary items;
    private final Map<String, Object> info;

    private Bundle(Path folder, Recommender model, Vocabulary users, Vocabulary items, Map<String, Object> info) {
        this.folder = folder;
        this.model = model;
        this.users = users;
        this.items = items;
        this.info = info;
    }

    /** The folder it was loaded from. */
    public Path folder() {
        return folder;
    }

    /** The restored model, in evaluation mode. */
    public Recommender model() {
        return model;
    }

    /** Raw user id of each user index the model knows. */
    public Vocabulary users() {
        return users;
    }

    /** Raw item id of each item index the model knows. */
    public Vocabulary items() {
        return items;
    }

    /** The free-form information saved with the model (unmodifiable, in file order). */
    public Map<String, Object> info() {
        return info;
    }

    // ------------------------------------------------------------------ writing

    /** {@link #save(Path, Recommender, Vocabulary, Vocabulary, Map, AtomicFolder.Contents)} without info or extra files. */
    public static void save(Path folder, Recommender model, Vocabulary users, Vocabulary items) throws IOException {
        save(folder, model, users, items, Map.of(), null);
    }

    /**
     * Writes {@code model} as a bundle in {@code folder}, atomically.
     *
     * @param users  the user vocabulary of the training data; it may have grown past the model's number
     *               of users (ids read later), and only the first {@code numUsers} ids are saved
     * @param items  the same for items
     * @param info   free-form values saved under {@code "info"} (strings, numbers, booleans, lists, maps)
     * @param extra  writes more files into the folder before it is published (checkpoints add the
     *               optimizer's state), or null
     * @throws BundleException if a vocabulary is smaller than the model's schema, or the target exists
     *                         and is not a bundle
     */
    public static void save(Path folder, Recommender model, Vocabulary users, Vocabulary items, Map<String, Object> info,
                            AtomicFolder.Contents extra) throws IOException {
        Objects.requireNonNull(folder, "folder");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(users, "users vocabulary");
        Objects.requireNonNull(items, "items vocabulary");
        Objects.requireNonNull(info, "info");
        DatasetSchema schema = model.schema();
        Vocabulary u = prefix(folder, users, schema.numUsers(), "users");
        Vocabulary it = prefix(folder, items, schema.numItems(), "items");
        String json = JsonWriter.pretty(header(model, info));
        // the state is read before anything is written, so that a model that cannot give it fails early
        Map<String, Tensor> state = model.stateDict();
        AtomicFolder.write(folder, dir -> {
            SafeTensors.write(dir.resolve(WEIGHTS), state, Map.of("format", FORMAT, "model", model.settings().owner()));
            u.save(dir.resolve(USERS));
            it.save(dir.resolve(ITEMS));
            if (extra != null) {
                extra.write(dir);
            }
            // model.json last: a folder is a bundle once it is there
            AtomicFolder.writeFile(dir.resolve(MODEL_JSON), json.getBytes(StandardCharsets.UTF_8));
        }, Bundle::isBundle);
    }

    /** Whether {@code folder} holds a {@value #MODEL_JSON} (so may be replaced by a new bundle). */
    public static boolean isBundle(Path folder) {
        return Files.isRegularFile(folder.resolve(MODEL_JSON));
    }

    private static Vocabulary prefix(Path folder, Vocabulary v, int n, String what) throws BundleException {
        if (v.size() < n) {
            throw new BundleException(folder, "the " + what + " vocabulary has " + v.size() + " ids but the model was built for " + n
                    + " " + what + "; pass the vocabulary of the data the model was trained on");
        }
        return v.size() == n ? v : Vocabulary.of(v.name(), v.ids().subList(0, n));
    }

    private static Map<String, Object> header(Recommender model, Map<String, Object> info) {
        Settings settings = model.settings();
        DatasetSchema schema = model.schema();
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        root.put("model", settings.owner());
        root.put("settings", new LinkedHashMap<>(settings.values()));
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("numUsers", schema.numUsers());
        s.put("numItems", schema.numItems());
        s.put("hasRatings", schema.hasRatings());
        s.put("minRating", schema.hasRatings() ? schema.minRating() : null);
        s.put("maxRating", schema.hasRatings() ? schema.maxRating() : null);
        if (schema.hasFeatures()) {
            s.put("features", featuresJson(schema.features()));
        }
        root.put("schema", s);
        root.put("files", Map.of("weights", WEIGHTS, "users", USERS, "items", ITEMS));
        root.put("info", new LinkedHashMap<>(info));
        return root;
    }

    // ------------------------------------------------------------------ reading

    /** {@link #load(Path, ModelRegistry)} with the models found on the class path. */
    public static Bundle load(Path folder) throws IOException {
        return load(folder, ModelRegistry.discover());
    }

    /**
     * Restores the bundle in {@code folder}: its model (built by the registry's provider of the saved
     * name, in evaluation mode), vocabularies and info. See the class comment for what is checked.
     */
    public static Bundle load(Path folder, ModelRegistry registry) throws IOException {
        Objects.requireNonNull(folder, "folder");
        Objects.requireNonNull(registry, "registry");
        Header h = readHeader(folder, registry);
        Vocabulary users = vocabulary(folder, USERS, "users", h.schema.numUsers());
        Vocabulary items = vocabulary(folder, ITEMS, "items", h.schema.numItems());
        Recommender model = restore(folder, h.provider, h.settings, h.schema, folder.resolve(WEIGHTS));
        return new Bundle(folder, model, users, items, h.info);
    }

    /** What {@value #MODEL_JSON} says, checked. */
    public record Header(ModelProvider provider, Settings settings, DatasetSchema schema, Map<String, Object> info) {
    }

    /**
     * Reads and checks {@value #MODEL_JSON} only: the model's provider, settings, schema and info (what
     * {@code panrec evaluate} prints before loading the weights).
     */
    public static Header readHeader(Path folder, ModelRegistry registry) throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new BundleException(folder, Files.exists(folder) ? "is a file; a model bundle is a folder holding " + MODEL_JSON
                    : "no such folder; give the folder written by 'panrec train --out'" + leftover(folder));
        }
        Path jsonFile = folder.resolve(MODEL_JSON);
        Map<String, Object> root = object(folder, MODEL_JSON, parse(folder, jsonFile), "the top level");
        Object format = root.get("format");
        if (!FORMAT.equals(format)) {
            throw new BundleException(folder, MODEL_JSON + ": \"format\" is " + show(format) + ", not \"" + FORMAT
                    + "\"; this is not a panrec model bundle");
        }
        long version = integer(folder, root, "version");
        if (version > VERSION) {
            throw new BundleException(folder, MODEL_JSON + ": format version " + version + " was written by a newer panrec; this one "
                    + "reads up to version " + VERSION + ", so upgrade panrec");
        }
        if (version < 1) {
            throw new BundleException(folder, MODEL_JSON + ": format version " + version + " is not valid");
        }
        String name = string(folder, root, "model");
        ModelProvider provider;
        try {
            provider = registry.get(name);
        } catch (IllegalArgumentException e) {
            throw new BundleException(folder, MODEL_JSON + ": " + e.getMessage()
                    + "; put the jar that provides it on the class path or in the plugins folder");
        }
        Settings settings = settings(folder, provider, object(folder, MODEL_JSON, root.get("settings"), "\"settings\""));
        DatasetSchema schema = schema(folder, object(folder, MODEL_JSON, root.get("schema"), "\"schema\""));
        Object infoValue = root.get("info");
        Map<String, Object> info = infoValue == null ? Map.of()
                : Collections.unmodifiableMap(object(folder, MODEL_JSON, infoValue, "\"info\""));
        Object files = root.get("files");
        if (files != null) {
            // the names are fixed; a bundle naming others was not written by this format version
            Map<String, Object> f = object(folder, MODEL_JSON, files, "\"files\"");
            expectName(folder, f, "weights", WEIGHTS);
            expectName(folder, f, "users", USERS);
            expectName(folder, f, "items", ITEMS);
        }
        return new Header(provider, settings, schema, info);
    }

    /**
     * Builds the model of {@code provider} and loads {@code weightsFile} into it (checkpoints share this
     * with bundles).
     */
    static Recommender restore(Path folder, ModelProvider provider, Settings settings, DatasetSchema schema, Path weightsFile)
            throws IOException {
        if (!Files.isRegularFile(weightsFile)) {
            throw new BundleException(folder, "missing " + folder.relativize(weightsFile) + "; the bundle is incomplete, save it again");
        }
        try (SafeTensorsFile file = SafeTensors.open(weightsFile)) {
            // no scope of our own around the model: whatever it allocates while being built must outlive this call
            try {
                return provider.load(settings, schema, file.tensors());
            } catch (IllegalArgumentException e) {
                throw new BundleException(folder, weightsFile.getFileName() + " does not fit " + settings
                        + " for " + schema.numUsers() + " users and " + schema.numItems() + " items: " + e.getMessage()
                        + "; the weights were saved from another model or settings", e);
            }
        }
    }

    private static String leftover(Path folder) {
        Path abs = folder.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        if (parent == null || abs.getFileName() == null) {
            return "";
        }
        try (var s = Files.list(parent)) {
            String prefix = "." + abs.getFileName() + ".old-";
            return s.filter(p -> p.getFileName().toString().startsWith(prefix)).findFirst()
                    .map(p -> " (an interrupted save left the previous version in " + p + "; rename it to restore it)").orElse("");
        } catch (IOException e) {
            return "";
        }
    }

    private static void expectName(Path folder, Map<String, Object> files, String key, String expected) throws BundleException {
        Object v = files.get(key);
        if (v != null && !expected.equals(v)) {
            throw new BundleException(folder, MODEL_JSON + ": \"files\"." + key + " is " + show(v) + " but format version " + VERSION
                    + " always uses \"" + expected + "\"");
        }
    }

    private static Object parse(Path folder, Path file) throws IOException {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_JSON_BYTES) {
                throw new BundleException(folder, MODEL_JSON + " is " + size + " bytes, more than the " + MAX_JSON_BYTES
                        + " a model description can have");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BundleException(folder, "missing " + MODEL_JSON + "; this folder is not a model bundle (or its save was interrupted)");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new BundleException(folder, MODEL_JSON + " is not valid UTF-8", e);
        }
        try {
            return Json.parse(text);
        } catch (Json.ParseException e) {
            throw new BundleException(folder, MODEL_JSON + " is not valid JSON: " + e.getMessage());
        }
    }

    private static Settings settings(Path folder, ModelProvider provider, Map<String, Object> values) throws BundleException {
        Settings s = provider.defaultSettings();
        for (Map.Entry<String, Object> e : values.entrySet()) {
            Object v = e.getValue();
            if (v == Json.NULL) {
                throw new BundleException(folder, MODEL_JSON + ": setting '" + e.getKey() + "' is null");
            }
            try {
                s = s.with(e.getKey(), v instanceof List<?> list ? new ArrayList<>(list) : v);
            } catch (IllegalArgumentException ex) {
                throw new BundleException(folder, MODEL_JSON + ": " + ex.getMessage());
            }
        }
        // settings missing from the file keep their defaults: a model version that adds a setting still
        // reads older bundles, with the behaviour they had (new settings default to the old behaviour)
        return s;
    }

    private static DatasetSchema schema(Path folder, Map<String, Object> m) throws BundleException {
        long nu = integer(folder, m, "numUsers");
        long ni = integer(folder, m, "numItems");
        if (nu < 1 || ni < 1 || nu > Integer.MAX_VALUE || ni > Integer.MAX_VALUE) {
            throw new BundleException(folder, MODEL_JSON + ": schema sizes " + nu + " users, " + ni + " items are out of range");
        }
        Object hr = m.get("hasRatings");
        if (!(hr instanceof Boolean hasRatings)) {
            throw new BundleException(folder, MODEL_JSON + ": \"schema\".hasRatings must be true or false, got " + show(hr));
        }
        try {
            DatasetSchema schema = hasRatings
                    ? DatasetSchema.explicit((int) nu, (int) ni, (float) number(folder, m, "minRating"), (float) number(folder, m, "maxRating"))
                    : DatasetSchema.implicit((int) nu, (int) ni);
            // absent in bundles of models without feature fields (and in every bundle written before they existed)
            return m.containsKey("features") ? schema.withFeatures(features(folder, m.get("features"))) : schema;
        } catch (IllegalArgumentException e) {
            throw new BundleException(folder, MODEL_JSON + ": " + e.getMessage());
        }
    }

    private static List<Map<String, Object>> featuresJson(List<FeatureField> fields) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (FeatureField f : fields) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", f.name());
            m.put("kind", f.kindLabel());
            m.put("source", f.source().name().toLowerCase(java.util.Locale.ROOT));
            m.put("size", f.size());
            m.put("maxLength", f.maxLength());
            out.add(m);
        }
        return out;
    }

    private static List<FeatureField> features(Path folder, Object json) throws BundleException {
        if (!(json instanceof List<?> list)) {
            throw new BundleException(folder, MODEL_JSON + ": \"schema\".features must be a list, got " + show(json));
        }
        List<FeatureField> out = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof Map<?, ?> raw)) {
                throw new BundleException(folder, MODEL_JSON + ": each feature field must be an object, got " + show(o));
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) raw;
            try {
                out.add(new FeatureField(String.valueOf(m.get("name")),
                        FeatureField.Kind.valueOf(String.valueOf(m.get("kind")).toUpperCase(java.util.Locale.ROOT)),
                        FeatureField.Source.valueOf(String.valueOf(m.get("source")).toUpperCase(java.util.Locale.ROOT)),
                        (int) integer(folder, m, "size"), (int) integer(folder, m, "maxLength")));
            } catch (IllegalArgumentException e) {
                throw new BundleException(folder, MODEL_JSON + ": feature field " + show(o) + ": " + e.getMessage());
            }
        }
        return out;
    }

    private static Vocabulary vocabulary(Path folder, String file, String name, int expected) throws IOException {
        Path path = folder.resolve(file);
        if (!Files.isRegularFile(path)) {
            throw new BundleException(folder, "missing " + file + " (the " + name + " vocabulary); the bundle is incomplete, save it again");
        }
        Vocabulary v = Vocabulary.load(path, name);
        if (v.size() != expected) {
            throw new BundleException(folder, file + " holds " + v.size() + " ids but " + MODEL_JSON + " says the model has " + expected
                    + " " + name + "; the files come from different saves");
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Path folder, String file, Object v, String what) throws BundleException {
        if (!(v instanceof Map<?, ?>)) {
            throw new BundleException(folder, file + ": " + what + " must be a JSON object, got " + show(v));
        }
        return (Map<String, Object>) v;
    }

    private static String string(Path folder, Map<String, Object> m, String key) throws BundleException {
        Object v = m.get(key);
        if (!(v instanceof String s)) {
            throw new BundleException(folder, MODEL_JSON + ": \"" + key + "\" must be a string, got " + show(v));
        }
        return s;
    }

    private static long integer(Path folder, Map<String, Object> m, String key) throws BundleException {
        Object v = m.get(key);
        if (!(v instanceof Long l)) {
            throw new BundleException(folder, MODEL_JSON + ": \"" + key + "\" must be an integer, got " + show(v));
        }
        return l;
    }

    private static double number(Path folder, Map<String, Object> m, String key) throws BundleException {
        Object v = m.get(key);
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof Double d) {
            return d;
        }
        throw new BundleException(folder, MODEL_JSON + ": \"" + key + "\" must be a number, got " + show(v));
    }

    private static String show(Object v) {
        if (v == null) {
            return "missing";
        }
        if (v instanceof String s) {
            return "\"" + s + "\"";
        }
        return v instanceof Map<?, ?> ? "an object" : v instanceof List<?> ? "a list" : String.valueOf(v);
    }

    @Override
    public String toString() {
        return "Bundle[" + folder + ": " + model.settings() + ", " + users.size() + " users, " + items.size() + " items]";
    }
}
