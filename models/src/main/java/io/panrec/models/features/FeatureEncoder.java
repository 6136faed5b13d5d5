package io.panrec.models.features;

import io.panrec.io.Json;
import io.panrec.models.bundle.AtomicFolder;
import io.panrec.models.bundle.JsonWriter;
import io.panrec.models.data.Vocabulary;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.FeatureField;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fitted encoding of every field ({@link FieldSpec}): vocabularies counted on the training rows
 * (tokens below the minimum count share the out-of-vocabulary id, the field's last), hash sizes and
 * bucket boundaries. It gives the {@link FeatureField}s of the model's schema and turns raw data into
 * {@link CtrData}; saved beside a model ({@value #FILE} in its bundle) it encodes new data exactly as the
 * training data was.
 *
 * <p>A missing value is the empty token: in a vocabulary field it is counted like any other token (a
 * field that is often missing gets its own id), in a numeric field it is 0, in a bucketed field it has
 * a bucket of its own, and a missing bag is empty.
 */
public final class FeatureEncoder {
    /** The file name in a model bundle. */
    public static final String FILE = "features.json";
    static final String FORMAT = "panrec-features";

    private final List<FieldSpec> specs;
    /** Per spec: the tokens with an id (vocabulary encodings), else null. */
    private final List<List<String>> vocabularies;
    private final List<Map<String, Integer>> index = new ArrayList<>();
    private final Vocabulary users;
    private final Vocabulary items;
    private final FieldLayout layout;

    FeatureEncoder(List<FieldSpec> specs, List<List<String>> vocabularies, Vocabulary users, Vocabulary items) {
        this.specs = List.copyOf(specs);
        this.vocabularies = vocabularies;
        this.users = users;
        this.items = items;
        List<FeatureField> fields = new ArrayList<>();
        for (int f = 0; f < specs.size(); f++) {
            FieldSpec s = specs.get(f);
            List<String> v = vocabularies.get(f);
            Map<String, Integer> m = null;
            if (v != null) {
                m = new HashMap<>(v.size() * 2);
                for (int i = 0; i < v.size(); i++) {
                    m.put(v.get(i), i);
                }
            }
            index.add(m);
            int size = switch (s.encoding()) {
                case VOCABULARY, LOG_BUCKET, BAG -> v.size() + 1;
                case HASH -> s.buckets();
                case LOG -> 1;
                case BUCKETS -> s.boundaries().length + 2;
            };
            fields.add(new FeatureField(s.name(), s.kind(), s.source(), size, s.kind() == FeatureField.Kind.BAG ? s.maxLength() : 1));
        }
        this.layout = new FieldLayout(fields);
    }

    /**
     * Fits the vocabularies: row fields on the rows {@code trainRows} of {@code raw} (all rows when null),
     * user and item fields on every user and item record (each counted once). Users and items are
     * numbered in the order rows first name them (as {@link io.panrec.models.data.Interactions} does).
     */
    public static FeatureEncoder fit(RawCtrData raw, int[] trainRows) {
        List<FieldSpec> specs = raw.specs();
        List<Map<String, int[]>> counts = new ArrayList<>();
        for (int f = 0; f < specs.size(); f++) {
            counts.add(specs.get(f).usesVocabulary() ? new LinkedHashMap<>() : null);
        }
        int[] rowSpecs = raw.specsOf(FeatureField.Source.ROW);
        int n = trainRows == null ? raw.size() : trainRows.length;
        for (int k = 0; k < n; k++) {
            String[] values = raw.row(trainRows == null ? k : trainRows[k]);
            for (int j = 0; j < rowSpecs.length; j++) {
                count(specs.get(rowSpecs[j]), counts.get(rowSpecs[j]), values[j]);
            }
        }
        countEntities(raw.users(), raw.specsOf(FeatureField.Source.USER), specs, counts);
        countEntities(raw.items(), raw.specsOf(FeatureField.Source.ITEM), specs, counts);
        List<List<String>> vocabularies = new ArrayList<>();
        for (int f = 0; f < specs.size(); f++) {
            Map<String, int[]> c = counts.get(f);
            if (c == null) {
                vocabularies.add(null);
                continue;
            }
            List<String> kept = new ArrayList<>();
            for (Map.Entry<String, int[]> e : c.entrySet()) {
                if (e.getValue()[0] >= specs.get(f).minCount()) {
                    kept.add(e.getKey());
                }
            }
            vocabularies.add(kept);
        }
        Vocabulary u = null;
        Vocabulary it = null;
        if (raw.hasEntities()) {
            u = new Vocabulary("users");
            it = new Vocabulary("items");
            for (int r = 0; r < raw.size(); r++) {
                u.add(raw.user(r));
                it.add(raw.item(r));
            }
        }
        return new FeatureEncoder(specs, vocabularies, u, it);
    }

    private static void countEntities(Map<String, String[]> records, int[] positions, List<FieldSpec> specs, List<Map<String, int[]>> counts) {
        for (String[] values : records.values()) {
            for (int j = 0; j < positions.length; j++) {
                count(specs.get(positions[j]), counts.get(positions[j]), values[j]);
            }
        }
    }

    private static void count(FieldSpec spec, Map<String, int[]> counts, String value) {
        if (counts == null) {
            return;
        }
        if (spec.encoding() == FieldSpec.Encoding.BAG) {
            for (String t : bagTokens(value, spec.maxLength())) {
                counts.computeIfAbsent(t, k -> new int[1])[0]++;
            }
        } else {
            counts.computeIfAbsent(token(spec, value), k -> new int[1])[0]++;
        }
    }

    /** The vocabulary token of a raw value (LOG_BUCKET: its bucket), "" for a missing value. */
    static String token(FieldSpec spec, String value) {
        if (value == null || value.isEmpty()) {
            return "";
        }
        if (spec.encoding() == FieldSpec.Encoding.LOG_BUCKET) {
            double x = Double.parseDouble(value);
            if (x > 2) {
                return "b" + (long) Math.floor(Math.log(x) * Math.log(x));
            }
            return Long.toString((long) Math.floor(x));
        }
        return value;
    }

    static List<String> bagTokens(String value, int maxLength) {
        List<String> out = new ArrayList<>();
        if (value == null || value.isEmpty()) {
            return out;
        }
        for (String t : value.split("\\|", -1)) {
            if (!t.isEmpty() && out.size() < maxLength) {
                out.add(t);
            }
        }
        return out;
    }

    /** The specs this encoder was fitted for. */
    public List<FieldSpec> specs() {
        return specs;
    }

    /** The fitted fields, in spec order: what {@link DatasetSchema#features()} holds. */
    public List<FeatureField> fields() {
        return layout.fields();
    }

    public FieldLayout layout() {
        return layout;
    }

    /** The vocabulary of field {@code f} (the tokens with an id, in id order), or null when it has none. */
    public List<String> vocabulary(int f) {
        List<String> v = vocabularies.get(f);
        return v == null ? null : List.copyOf(v);
    }

    /** The user vocabulary (null when rows name no users). */
    public Vocabulary users() {
        return users;
    }

    public Vocabulary items() {
        return items;
    }

    /** The global id (offset included) of a single-valued field's raw value. */
    public long id(int f, String value) {
        FieldSpec s = specs.get(f);
        int size = layout.fields().get(f).size();
        long local = switch (s.encoding()) {
            case VOCABULARY, LOG_BUCKET -> index.get(f).getOrDefault(token(s, value), size - 1);
            case HASH -> Math.floorMod(hash(value == null ? "" : value), (long) s.buckets());
            case LOG -> 0;
            case BUCKETS -> {
                if (value == null || value.isEmpty()) {
                    yield size - 1;
                }
                double x = Double.parseDouble(value);
                int b = Arrays.binarySearch(s.boundaries(), x);
                yield b >= 0 ? b + 1 : -b - 1;
            }
            case BAG -> throw new IllegalArgumentException("field '" + s.name() + "' is a bag: use bag()");
        };
        return layout.offset(f) + local;
    }

    /** The value of a single-valued field: 1 for categorical fields, the transformed number for LOG. */
    public float value(int f, String value) {
        FieldSpec s = specs.get(f);
        if (s.encoding() != FieldSpec.Encoding.LOG) {
            return 1f;
        }
        if (value == null || value.isEmpty()) {
            return 0f;
        }
        double x = Double.parseDouble(value);
        return (float) (Math.signum(x) * Math.log1p(Math.abs(x)));
    }

    /** The global ids of a bag field's raw value ('|'-separated tokens; unknown ones become the OOV id). */
    public long[] bag(int f, String value) {
        FieldSpec s = specs.get(f);
        List<String> tokens = bagTokens(value, s.maxLength());
        long[] out = new long[tokens.size()];
        int oov = layout.fields().get(f).size() - 1;
        for (int i = 0; i < out.length; i++) {
            out[i] = layout.offset(f) + index.get(f).getOrDefault(tokens.get(i), oov);
        }
        return out;
    }

    /** A stable 64-bit FNV-1a hash of the UTF-16 units (String.hashCode spreads too little for small tables). */
    static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        return h ^ (h >>> 29);
    }

    /** Encodes every row of {@code raw} (read with the same specs) into {@link CtrData}. */
    public CtrData encode(RawCtrData raw, DatasetSchema base) {
        if (!raw.specs().equals(specs)) {
            throw new IllegalArgumentException("the data's fields " + raw.specs() + " differ from those the encoder was fitted on " + specs);
        }
        return CtrData.encode(this, raw, base);
    }

    // ------------------------------------------------------------------ saving

    /** Writes {@value #FILE} into {@code folder} (atomically). */
    public void save(Path folder) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("format", FORMAT);
        root.put("version", 1);
        List<Object> fs = new ArrayList<>();
        for (int f = 0; f < specs.size(); f++) {
            FieldSpec s = specs.get(f);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", s.name());
            m.put("source", s.source().name().toLowerCase(java.util.Locale.ROOT));
            m.put("encoding", s.encoding().name());
            m.put("minCount", s.minCount());
            m.put("buckets", s.buckets());
            List<Object> b = new ArrayList<>();
            for (double d : s.boundaries()) {
                b.add(d);
            }
            m.put("boundaries", b);
            m.put("maxLength", s.maxLength());
            m.put("vocabulary", vocabularies.get(f));
            fs.add(m);
        }
        root.put("fields", fs);
        root.put("users", users == null ? null : users.ids());
        root.put("items", items == null ? null : items.ids());
        AtomicFolder.writeFile(folder.resolve(FILE), JsonWriter.compact(root).getBytes(StandardCharsets.UTF_8));
    }

    /** Whether {@code folder} holds a saved encoder. */
    public static boolean exists(Path folder) {
        return Files.isRegularFile(folder.resolve(FILE));
    }

    /** Reads {@value #FILE} from {@code folder}. */
    @SuppressWarnings("unchecked")
    public static FeatureEncoder load(Path folder) throws IOException {
        Path file = folder.resolve(FILE);
        Object parsed;
        try {
            parsed = Json.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (Json.ParseException e) {
            throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
        }
        try {
            Map<String, Object> root = (Map<String, Object>) parsed;
            if (!FORMAT.equals(root.get("format"))) {
                throw new IOException(file + ": not a panrec feature encoder (format " + root.get("format") + ")");
            }
            List<FieldSpec> specs = new ArrayList<>();
            List<List<String>> vocabularies = new ArrayList<>();
            for (Object o : (List<Object>) root.get("fields")) {
                Map<String, Object> m = (Map<String, Object>) o;
                List<Object> b = (List<Object>) m.get("boundaries");
                double[] boundaries = new double[b.size()];
                for (int i = 0; i < boundaries.length; i++) {
                    boundaries[i] = ((Number) b.get(i)).doubleValue();
                }
                specs.add(new FieldSpec((String) m.get("name"),
                        FeatureField.Source.valueOf(((String) m.get("source")).toUpperCase(java.util.Locale.ROOT)),
                        FieldSpec.Encoding.valueOf((String) m.get("encoding")), ((Number) m.get("minCount")).intValue(),
                        ((Number) m.get("buckets")).intValue(), boundaries, ((Number) m.get("maxLength")).intValue()));
                Object v = m.get("vocabulary");
                vocabularies.add(v instanceof List<?> l ? (List<String>) l : null);
            }
            Object u = root.get("users");
            Object i = root.get("items");
            return new FeatureEncoder(specs, vocabularies, u instanceof List<?> ul ? Vocabulary.of("users", (List<String>) ul) : null,
                    i instanceof List<?> il ? Vocabulary.of("items", (List<String>) il) : null);
        } catch (ClassCastException | NullPointerException | IllegalArgumentException e) {
            throw new IOException(file + ": malformed feature encoder (" + e + "); was it written by panrec?", e);
        }
    }
}
