package io.panrec.models.context;

import io.panrec.autograd.Autograd;
import io.panrec.models.features.FieldLayout;
import io.panrec.models.features.SideFeatures;
import io.panrec.models.spi.Batch;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.FeatureField;
import io.panrec.models.spi.Recommender;
import io.panrec.models.spi.Setting;
import io.panrec.models.spi.Settings;
import io.panrec.models.train.Trainable;
import io.panrec.models.train.TrainingPlan;
import io.panrec.models.train.TrainingSettings;
import io.panrec.nn.Embedding;
import io.panrec.nn.Module;
import io.panrec.ops.Losses;
import io.panrec.ops.Pooling;
import io.panrec.ops.Reductions;
import io.panrec.ops.Shapes;
import io.panrec.tensor.DType;
import io.panrec.tensor.Device;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the CTR models share: the field layout of the schema, the user and item tables, and the
 * assembly of a batch into field embeddings {@code [B, F, k]} and first-order terms {@code [B]}.
 *
 * <p><b>Fields.</b> The fields are the schema's {@link DatasetSchema#features()}; data without feature
 * fields (plain interactions) gets two, the user id and the item id (an FM over them is biased matrix
 * factorisation). Every field is one vector: a single-valued field its row of the shared feature table
 * (times its value for a numeric field), a bag the mean of its ids' rows. Fields appear in the order
 * single-valued row fields, user fields, item fields, then the bags of rows, users and items.
 *
 * <p><b>Pairs.</b> User and item fields are looked up in tables kept in the state
 * ({@code userFields [U, Fu]}, {@code userBags [U, Mu, Lu]}, {@code userBagLengths [U, Mu]}, the same
 * for items; set by {@link #setSideFeatures} before training and saved in a bundle), so that a model
 * whose fields are all user or item fields (MovieLens as CTR) scores plain pairs: {@link #predict}
 * with only {@code users [B]} and {@code items [B]}, and {@link #fullSortPredict}, as any
 * {@link Recommender} (what a Lucene reranker calls). A model with row fields (Criteo, Avazu) needs
 * the row fields in the batch ({@code features [B, F]}, {@code featureValues [B, F]}, {@code bagIds},
 * {@code bagLengths}) and has no {@code fullSortPredict}.
 *
 * <p><b>Training.</b> {@link #calculateLoss} is the mean binary cross-entropy of the logits against
 * {@code labels [B]}. CTR data brings its own batches (every row with its label); on plain implicit
 * interactions the plan samples {@code negatives} label-0 rows per positive (pointwise).
 *
 * <p>{@link #predict} returns logits; their sigmoid is the click probability.
 */
public abstract class CtrModel extends Module implements Recommender, Trainable {
    protected final Settings settings;
    protected final DatasetSchema schema;
    protected final FieldLayout layout;
    private final Tensor[] tables = new Tensor[6];
    private volatile long[][] cached = new long[6][];
    private final io.panrec.models.train.ParameterDevice parameterDevice = new io.panrec.models.train.ParameterDevice(this);
    private static final String[] TABLE_NAMES = {"userFields", "userBags", "userBagLengths", "itemFields", "itemBags", "itemBagLengths"};

    protected CtrModel(String name, Settings settings, DatasetSchema schema) {
        this.settings = checkOwner(name, settings);
        this.schema = Objects.requireNonNull(schema, "schema");
        this.layout = new FieldLayout(fieldsOf(schema));
        SideFeatures side = schema.hasFeatures() ? null : SideFeatures.identity(schema.numUsers(), schema.numItems());
        int[] sizes = tableSizes();
        int[][] shapes = tableShapes();
        for (int t = 0; t < 6; t++) {
            if (sizes[t] > 0) {
                tables[t] = registerBuffer(TABLE_NAMES[t], Tensor.zeros(Scope.global(), DType.I64, shapes[t]));
            }
        }
        if (side != null) {
            setSideFeatures(side);
        } else {
            // until setSideFeatures: every user and item has its fields' first ids (valid, if meaningless)
            fillDefaults();
        }
    }

    /** The schema's fields, or the user and item ids when it has none. */
    public static List<FeatureField> fieldsOf(DatasetSchema schema) {
        if (schema.hasFeatures()) {
            return schema.features();
        }
        return List.of(FeatureField.categorical("user", FeatureField.Source.USER, schema.numUsers()),
                FeatureField.categorical("item", FeatureField.Source.ITEM, schema.numItems()));
    }

    static Settings checkOwner(String name, Settings settings) {
        Objects.requireNonNull(settings, "settings");
        if (!settings.owner().equals(name)) {
            throw new IllegalArgumentException(name + " cannot be built from the settings of " + settings.owner()
                    + "; start from " + name + "'s defaults (ModelProvider.defaultSettings())");
        }
        return settings;
    }

    static int positive(Settings s, String key) {
        int v = s.getInt(key);
        if (v < 1) {
            throw new IllegalArgumentException(s.owner() + " setting '" + key + "' must be at least 1, got " + v);
        }
        return v;
    }

    static float dropout(Settings s) {
        double p = s.getDouble("dropout");
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException(s.owner() + " setting 'dropout' must be in [0, 1), got " + p);
        }
        return (float) p;
    }

    static int[] hidden(Settings s) {
        int[] h = s.getInts("layers");
        if (h.length < 1) {
            throw new IllegalArgumentException(s.owner() + " setting 'layers' must list at least one hidden width");
        }
        for (int w : h) {
            if (w < 1) {
                throw new IllegalArgumentException(s.owner() + " setting 'layers' must be positive widths, got " + java.util.Arrays.toString(h));
            }
        }
        return h;
    }

    /** The settings every CTR model has: training (Adam, log loss), negatives for implicit data, seed. */
    static List<Setting> trainingDefaults(int epochs, double learningRate, long seed) {
        List<Setting> s = new ArrayList<>();
        s.add(TrainingSettings.negatives(4, "only when trained on plain implicit interactions; CTR data has its own labelled rows"));
        s.addAll(TrainingSettings.gradient(epochs, 1024, "adam", learningRate, 0.0));
        s.add(TrainingSettings.seed(seed));
        return s;
    }

    static Setting embeddingSetting() {
        return Setting.of("embeddingSize", 16, "k: width of every field's embedding (the shared table of all features)");
    }

    static Setting layersSetting() {
        return Setting.ofInts("layers", List.of(256, 128, 64), "hidden widths of the deep part (ReLU after each), over the "
                + "concatenated field embeddings");
    }

    static Setting dropoutSetting() {
        return Setting.of("dropout", 0.0, "dropout after each hidden layer of the deep part in training (0: none)");
    }

    static Setting initStdSetting() {
        return Setting.of("initStd", 0.01, "standard deviation of the normal initialisation of the feature embeddings");
    }

    /** A shared feature table of {@code dim} columns, sparse gradients (only the rows of the batch are touched). */
    protected Embedding featureTable(int dim, double std, java.util.SplittableRandom random) {
        Embedding e = new Embedding(layout.totalFeatures(), dim, -1, true, random);
        io.panrec.nn.Init.normal(e.weight(), 0, std, random);
        return e;
    }

    // ------------------------------------------------------------------ side tables

    private int[] tableSizes() {
        int[][] s = tableShapes();
        int[] out = new int[6];
        for (int t = 0; t < 6; t++) {
            long n = 1;
            for (int d : s[t]) {
                n *= d;
            }
            out[t] = (int) n;
        }
        return out;
    }

    private int[][] tableShapes() {
        int u = schema.numUsers();
        int i = schema.numItems();
        FeatureField.Source us = FeatureField.Source.USER;
        FeatureField.Source is = FeatureField.Source.ITEM;
        return new int[][] {
                {u, layout.scalars(us).length}, {u, layout.bags(us).length, layout.bagLength(us)}, {u, layout.bags(us).length},
                {i, layout.scalars(is).length}, {i, layout.bags(is).length, layout.bagLength(is)}, {i, layout.bags(is).length}};
    }

    private void fillDefaults() {
        FieldLayout l = layout;
        long[][] v = new long[6][];
        int[][] shapes = tableShapes();
        FeatureField.Source[] src = {FeatureField.Source.USER, FeatureField.Source.ITEM};
        for (int g = 0; g < 2; g++) {
            int n = shapes[g * 3][0];
            int[] sc = l.scalars(src[g]);
            int[] bg = l.bags(src[g]);
            int len = l.bagLength(src[g]);
            v[g * 3] = new long[n * sc.length];
            v[g * 3 + 1] = new long[n * bg.length * len];
            v[g * 3 + 2] = new long[n * bg.length];
            for (int e = 0; e < n; e++) {
                for (int j = 0; j < sc.length; j++) {
                    v[g * 3][e * sc.length + j] = l.offset(sc[j]);
                }
                for (int j = 0; j < bg.length; j++) {
                    java.util.Arrays.fill(v[g * 3 + 1], (e * bg.length + j) * len, (e * bg.length + j + 1) * len, l.offset(bg[j]));
                }
            }
        }
        write(v);
    }

    /**
     * Installs the user and item tables of the data (its encoded user and item fields); they become
     * part of the state, so a saved model keeps them.
     *
     * @throws IllegalArgumentException if their sizes or ids do not fit the schema
     */
    public void setSideFeatures(SideFeatures side) {
        if (side.numUsers() != schema.numUsers() || side.numItems() != schema.numItems()) {
            throw new IllegalArgumentException(settings.owner() + ": side features for " + side.numUsers() + " users and "
                    + side.numItems() + " items, but the model was built for " + schema.numUsers() + " and " + schema.numItems());
        }
        side.check(layout);
        write(new long[][] {side.userFields(), side.userBags(), side.userBagLengths(), side.itemFields(), side.itemBags(),
                side.itemBagLengths()});
    }

    private void write(long[][] values) {
        try (var _ = Autograd.noGrad()) {
            for (int t = 0; t < 6; t++) {
                if (tables[t] != null) {
                    MemorySegment.copy(values[t], 0, tables[t].dataSegment(), ValueLayout.JAVA_LONG, 0, values[t].length);
                }
            }
        }
        refresh();
    }

    private void refresh() {
        long[][] c = new long[6][];
        for (int t = 0; t < 6; t++) {
            c[t] = tables[t] == null ? new long[0] : tables[t].toLongArray();
        }
        cached = c;
    }

    // ------------------------------------------------------------------ inputs

    /**
     * The inputs of a batch: single-valued ids {@code [B, Fs]} and their values (null when all are 1),
     * and per bag field its ids {@code [B, L]} and lengths {@code [B]}.
     */
    protected record Inputs(int batch, Tensor ids, Tensor values, List<Tensor[]> bags) {
        int numFields() {
            return ids.shape(1) + bags.size();
        }
    }

    protected Inputs inputs(Batch batch) {
        String name = settings.owner();
        long[][] c = cached;
        FeatureField.Source row = FeatureField.Source.ROW;
        FeatureField.Source us = FeatureField.Source.USER;
        FeatureField.Source is = FeatureField.Source.ITEM;
        int[] rs = layout.scalars(row);
        int[] usc = layout.scalars(us);
        int[] isc = layout.scalars(is);
        int[] rb = layout.bags(row);
        int[] ub = layout.bags(us);
        int[] ib = layout.bags(is);
        int b = batch.size();
        long[] users = null;
        long[] items = null;
        if (usc.length + ub.length > 0) {
            users = io.panrec.ops.Checks.indexRange(name + " users", batch.get(Batch.USERS), schema.numUsers());
        }
        if (isc.length + ib.length > 0) {
            items = io.panrec.ops.Checks.indexRange(name + " items", batch.get(Batch.ITEMS), schema.numItems());
        }
        long[] rowIds = null;
        float[] rowValues = null;
        if (rs.length > 0) {
            if (!batch.has(Batch.FEATURES)) {
                throw new IllegalArgumentException(name + " reads " + rs.length + " row fields (" + layout.fields().get(rs[0]).name()
                        + ", ...) from " + Batch.FEATURES + ", which the batch lacks (" + batch + "); a model trained on per-row "
                        + "features cannot score plain (user, item) pairs");
            }
            Tensor f = batch.get(Batch.FEATURES);
            if (f.shape(1) != rs.length) {
                throw new IllegalArgumentException(name + ": " + Batch.FEATURES.name() + " has " + f.shape(1) + " columns, the schema "
                        + rs.length + " single-valued row fields");
            }
            rowIds = io.panrec.ops.Checks.onHost(f).contiguous().toLongArray(); // read in Java: a device batch comes back once
            for (int r = 0; r < b; r++) {
                for (int j = 0; j < rs.length; j++) {
                    long id = rowIds[r * rs.length + j];
                    long lo = layout.offset(rs[j]);
                    if (id < lo || id >= lo + layout.fields().get(rs[j]).size()) {
                        throw new IllegalArgumentException(name + ": feature id " + id + " of row " + r + " is outside field '"
                                + layout.fields().get(rs[j]).name() + "' [" + lo + ", " + (lo + layout.fields().get(rs[j]).size()) + ")");
                    }
                }
            }
            if (layout.hasNumericRowFields()) {
                rowValues = io.panrec.ops.Checks.onHost(batch.get(Batch.FEATURE_VALUES)).contiguous().toFloatArray();
                if (rowValues.length != rowIds.length) {
                    throw new IllegalArgumentException(name + ": featureValues must have the shape of features [B, F]");
                }
            }
        }
        int fs = rs.length + usc.length + isc.length;
        long[] ids = new long[b * fs];
        float[] values = rowValues == null ? null : new float[b * fs];
        for (int r = 0; r < b; r++) {
            int at = r * fs;
            for (int j = 0; j < rs.length; j++) {
                ids[at] = rowIds[r * rs.length + j];
                if (values != null) {
                    values[at] = rowValues[r * rs.length + j];
                }
                at++;
            }
            for (int j = 0; j < usc.length; j++) {
                ids[at] = c[0][(int) users[r] * usc.length + j];
                if (values != null) {
                    values[at] = 1f;
                }
                at++;
            }
            for (int j = 0; j < isc.length; j++) {
                ids[at] = c[3][(int) items[r] * isc.length + j];
                if (values != null) {
                    values[at] = 1f;
                }
                at++;
            }
        }
        List<Tensor[]> bags = new ArrayList<>();
        if (rb.length > 0) {
            if (!batch.has(Batch.BAG_IDS) || !batch.has(Batch.BAG_LENGTHS)) {
                throw new IllegalArgumentException(name + " reads " + rb.length + " row bags from " + Batch.BAG_IDS + " and "
                        + Batch.BAG_LENGTHS + ", which the batch lacks (" + batch + ")");
            }
            Tensor bi = batch.get(Batch.BAG_IDS);
            int l = bi.shape(2);
            if (bi.shape(1) != rb.length || batch.get(Batch.BAG_LENGTHS).shape(1) != rb.length) {
                throw new IllegalArgumentException(name + ": bagIds must be [B, " + rb.length + ", L] and bagLengths [B, " + rb.length + "]");
            }
            long[] all = io.panrec.ops.Checks.onHost(bi).contiguous().toLongArray();
            long[] lens = io.panrec.ops.Checks.indexRange(name + " bagLengths", batch.get(Batch.BAG_LENGTHS), l + 1L);
            for (int j = 0; j < rb.length; j++) {
                long[] one = new long[b * l];
                long[] len = new long[b];
                for (int r = 0; r < b; r++) {
                    System.arraycopy(all, (r * rb.length + j) * l, one, r * l, l);
                    len[r] = lens[r * rb.length + j];
                }
                checkBag(rb[j], one, len, l);
                bags.add(new Tensor[] {Tensor.ofLongs(one, b, l), Tensor.ofLongs(len, b)});
            }
        }
        addTableBags(bags, ub, c[1], c[2], users, layout.bagLength(us), b);
        addTableBags(bags, ib, c[4], c[5], items, layout.bagLength(is), b);
        // The ids are assembled in Java from the batch and the host side tables, then go where the tables they
        // index are (one explicit copy each when the model is on a device; none on the host): the ops never move
        // data themselves, so a host index tensor against a device table would be the mixed-device error.
        Device device = parameterDevice.get();
        Tensor idT = Tensor.ofLongs(ids, b, fs).to(device);
        Tensor valT = values == null ? null : Tensor.of(values, b, fs).to(device);
        for (Tensor[] bag : bags) {
            bag[0] = bag[0].to(device);
            bag[1] = bag[1].to(device);
        }
        return new Inputs(b, idT, valT, bags);
    }

    private void checkBag(int f, long[] ids, long[] len, int l) {
        long lo = layout.offset(f);
        long hi = lo + layout.fields().get(f).size();
        for (int r = 0; r < len.length; r++) {
            for (int p = 0; p < len[r]; p++) {
                long id = ids[r * l + p];
                if (id < lo || id >= hi) {
                    throw new IllegalArgumentException(settings.owner() + ": bag id " + id + " of row " + r + " is outside field '"
                            + layout.fields().get(f).name() + "' [" + lo + ", " + hi + ")");
                }
            }
            for (int p = (int) len[r]; p < l; p++) {
                ids[r * l + p] = lo; // padding: any valid id; masked out of the pooling
            }
        }
    }

    private static void addTableBags(List<Tensor[]> out, int[] fields, long[] table, long[] lengths, long[] entities, int l, int b) {
        for (int j = 0; j < fields.length; j++) {
            long[] one = new long[b * l];
            long[] len = new long[b];
            for (int r = 0; r < b; r++) {
                int e = (int) entities[r];
                System.arraycopy(table, (e * fields.length + j) * l, one, r * l, l);
                len[r] = lengths[e * fields.length + j];
            }
            out.add(new Tensor[] {Tensor.ofLongs(one, b, l), Tensor.ofLongs(len, b)});
        }
    }

    /** Field embeddings {@code [B, F, dim]} from a shared table {@code [features, dim]}: scalars, then bags (mean). */
    protected static Tensor fieldEmbeddings(Embedding table, Inputs in) {
        Tensor e = table.forward(in.ids());                                   // [B, Fs, dim]
        if (in.values() != null) {
            e = e.mul(in.values().unsqueeze(2));
        }
        if (in.bags().isEmpty()) {
            return e;
        }
        List<Tensor> parts = new ArrayList<>();
        parts.add(e);
        for (Tensor[] bag : in.bags()) {
            Tensor rows = table.forward(bag[0]);                              // [B, L, dim]
            parts.add(Pooling.maskedPool(rows, bag[1], Pooling.Mode.MEAN, 2f).unsqueeze(1));
        }
        return Shapes.concat(1, parts.toArray(Tensor[]::new));
    }

    /** The first-order term {@code sum_f w_f x_f} {@code [B]} from a table {@code [features, 1]}. */
    protected static Tensor firstOrder(Embedding weights, Inputs in) {
        Tensor w = fieldEmbeddings(weights, in);                              // [B, F, 1]
        return w.reshape(in.batch(), in.numFields()).sum(1, false);
    }

    /** The logits {@code [B]} of the batch. */
    protected abstract Tensor logits(Inputs in);

    // ------------------------------------------------------------------ ONNX export

    /**
     * The field ids of an exported CTR model as graph values, built once by {@link #onnxFieldIds} and read
     * by every table: the single-valued groups in field order, then the bags.
     */
    protected record OnnxFieldIds(List<OnnxScalars> scalars, List<OnnxBag> bags) {
    }

    /** Global ids {@code [B, n]} of n single-valued fields (or a numeric field's one row, {@code [1]}, with its values {@code [B, 1, 1]}). */
    protected record OnnxScalars(String ids, String values) {
    }

    /** A bag field: safe global ids {@code [B, T]}, their mask {@code bool [B, T]} and lengths {@code [B]}. */
    protected record OnnxBag(String ids, String mask, String lengths) {
    }

    /**
     * Declares the graph inputs of {@link #predict}, named per field, and turns them into the rows of the
     * shared feature table, in the field order of {@link #fieldEmbeddings} (single-valued row, user, item
     * fields, then row, user, item bags):
     * <ul>
     *   <li>a categorical row field {@code NAME}: {@code int64 [batch]}, the field's local id in [0, size)
     *       (the last id is the out-of-vocabulary bucket of a field with a vocabulary);</li>
     *   <li>a numeric row field {@code NAME}: {@code float [batch]}, the transformed value;</li>
     *   <li>a row bag {@code NAME}: local ids right-padded, {@code int64 [batch, NAME_slots]}, and
     *       {@code NAME_lengths int64 [batch]} (each in [0, NAME_slots]; the padding is never read; an empty
     *       bag pools to zeros);</li>
     *   <li>{@code users}, {@code items int64 [batch]} when the schema has user or item fields: the model's
     *       user and item tables ({@code userFields}, {@code userBags}, ...) are initializers of the graph,
     *       so plain pairs are scored as {@code predict} scores them.</li>
     * </ul>
     */
    protected OnnxFieldIds onnxFieldIds(io.panrec.models.onnx.OnnxGraph g) {
        String B = io.panrec.models.onnx.OnnxGraph.BATCH;
        FeatureField.Source row = FeatureField.Source.ROW;
        List<OnnxScalars> scalars = new ArrayList<>();
        List<OnnxBag> bags = new ArrayList<>();
        for (int f : layout.scalars(row)) {
            FeatureField field = layout.fields().get(f);
            long offset = layout.offset(f);
            if (field.kind() == FeatureField.Kind.NUMERIC) {
                String v = g.input(field.name(), io.panrec.models.onnx.OnnxGraph.FLOAT, B);
                scalars.add(new OnnxScalars(g.longs(offset), g.unsqueeze(v, 1, 2)));
            } else {
                String id = g.input(field.name(), io.panrec.models.onnx.OnnxGraph.INT64, B);
                scalars.add(new OnnxScalars(g.unsqueeze(g.add(id, g.scalar(offset)), 1), null));
            }
        }
        for (int f : layout.bags(row)) {
            FeatureField field = layout.fields().get(f);
            String ids = g.input(field.name(), io.panrec.models.onnx.OnnxGraph.INT64, B, field.name() + "_slots");
            String lengths = g.input(field.name() + "_lengths", io.panrec.models.onnx.OnnxGraph.INT64, B);
            io.panrec.models.onnx.OnnxGraph.BagIds safe = g.bagIds(ids, lengths, layout.offset(f));
            bags.add(new OnnxBag(safe.ids(), safe.mask(), lengths));
        }
        FeatureField.Source[] sources = {FeatureField.Source.USER, FeatureField.Source.ITEM};
        String[] inputNames = {"users", "items"};
        List<OnnxBag> tableBags = new ArrayList<>();
        for (int s = 0; s < 2; s++) {
            int[] sc = layout.scalars(sources[s]);
            int[] bg = layout.bags(sources[s]);
            if (sc.length + bg.length == 0) {
                continue;
            }
            String entity = g.input(inputNames[s], io.panrec.models.onnx.OnnxGraph.INT64, B);
            if (sc.length > 0) {
                scalars.add(new OnnxScalars(g.gather(g.initializer(TABLE_NAMES[3 * s], tables[3 * s]), entity, 0), null));
            }
            if (bg.length > 0) {
                String ids = g.gather(g.initializer(TABLE_NAMES[3 * s + 1], tables[3 * s + 1]), entity, 0);             // [B, M, L]
                String lengths = g.gather(g.initializer(TABLE_NAMES[3 * s + 2], tables[3 * s + 2]), entity, 0);         // [B, M]
                for (int j = 0; j < bg.length; j++) {
                    String len = g.gather(lengths, g.scalar(j), 1);
                    io.panrec.models.onnx.OnnxGraph.BagIds safe = g.bagIds(g.gather(ids, g.scalar(j), 1), len, 0);
                    tableBags.add(new OnnxBag(safe.ids(), safe.mask(), len));
                }
            }
        }
        bags.addAll(tableBags); // row bags, then user bags, then item bags, as inputs() orders them
        return new OnnxFieldIds(scalars, bags);
    }

    /**
     * {@link #fieldEmbeddings} as ONNX nodes: the rows of {@code table} ({@code prefix.weight}) for the
     * fields of {@code ids} -> {@code [B, F, dim]} (a numeric field's row times its value, a bag the masked
     * mean of its rows).
     */
    protected static String onnxFieldEmbeddings(io.panrec.models.onnx.OnnxGraph g, OnnxFieldIds ids, String prefix, Embedding table) {
        String t = g.table(prefix, table);
        List<String> parts = new ArrayList<>();
        for (OnnxScalars s : ids.scalars()) {
            String rows = g.gather(t, s.ids(), 0);
            parts.add(s.values() == null ? rows : g.mul(s.values(), rows));            // [B, n, dim] or [B, 1, 1] * [1, dim]
        }
        for (OnnxBag b : ids.bags()) {
            parts.add(g.unsqueeze(g.maskedPool(g.gather(t, b.ids(), 0), b.mask(), b.lengths(), Pooling.Mode.MEAN, 2f), 1));
        }
        return parts.size() == 1 ? parts.getFirst() : g.concat(1, parts.toArray(String[]::new));
    }

    /** {@link #firstOrder} as ONNX nodes: {@code [B]}. */
    protected static String onnxFirstOrder(io.panrec.models.onnx.OnnxGraph g, OnnxFieldIds ids, String prefix, Embedding weights) {
        return g.reduceSum(onnxFieldEmbeddings(g, ids, prefix, weights), false, 1, 2);
    }

    /** {@link FM#pairwise} as ONNX nodes: {@code e [B, F, k]} -> {@code [B]}. */
    protected static String onnxPairwise(io.panrec.models.onnx.OnnxGraph g, String e) {
        String s = g.reduceSum(e, false, 1);
        String squares = g.reduceSum(g.mul(e, e), false, 1);
        return g.mul(g.reduceSum(g.sub(g.mul(s, s), squares), false, 1), g.constant(0.5f));
    }

    // ------------------------------------------------------------------ Recommender

    @Override
    public Tensor calculateLoss(Batch batch) {
        return Losses.bceWithLogits(logits(inputs(batch)), batch.get(Batch.LABELS));
    }

    /**
     * {@code users [B]}, {@code items [B]} (and the row fields, if the schema has them) -> logits {@code [B]}.
     * One user's candidates (a rerank: B > 1 pairs of one user, eval mode, no row fields) go to
     * {@link #oneUserLogits} first.
     */
    @Override
    public Tensor predict(Batch batch) {
        if (!layout.hasRowFields() && !isTraining() && batch.has(Batch.USERS) && batch.has(Batch.ITEMS)) {
            Tensor users = batch.get(Batch.USERS);
            Tensor items = batch.get(Batch.ITEMS);
            if (users.rank() == 1 && items.rank() == 1 && users.shape(0) == items.shape(0) && items.shape(0) > 1) {
                String name = settings.owner();
                long[] u = io.panrec.ops.Checks.indexRange(name + " users", users, schema.numUsers());
                if (java.util.Arrays.stream(u).allMatch(x -> x == u[0])) {
                    io.panrec.ops.Checks.indexRange(name + " items", items, schema.numItems());
                    Tensor scores = oneUserLogits(u[0], items);
                    if (scores != null) {
                        return scores;
                    }
                }
            }
        }
        return logits(inputs(batch));
    }

    // ------------------------------------------------------------------ one user's candidates

    /**
     * The logits {@code [B]} of one user against items {@code [B]} (ids checked), in eval mode, for a schema
     * whose fields are all user or item fields: a model may answer from what it caches of its item side (see
     * {@link DeepFM}); null (the default) takes the ordinary path.
     */
    protected Tensor oneUserLogits(long user, Tensor items) {
        return null;
    }

    /** The inputs of plain (user, item) pairs, for a schema without row fields. */
    protected final Inputs pairs(long[] users, long[] items) {
        return inputs(new Batch().put(Batch.USERS, Tensor.ofLongs(users)).put(Batch.ITEMS, Tensor.ofLongs(items)));
    }

    /** Every item paired with user 0: the inputs whose item fields are each item's (the user fields are ignored). */
    protected final Inputs allItems() {
        int n = schema.numItems();
        return pairs(new long[n], java.util.stream.LongStream.range(0, n).toArray());
    }

    /** Every user paired with item 0: the inputs whose user fields are each user's (the item fields are ignored). */
    protected final Inputs allUsers() {
        int n = schema.numUsers();
        return pairs(java.util.stream.LongStream.range(0, n).toArray(), new long[n]);
    }

    /**
     * {@code [1, F, 1]}: 1 at the fields that come from {@code source}, 0 elsewhere, in the order of the field
     * axis of {@link #fieldEmbeddings} (scalars of rows, users, items, then bags of rows, users, items).
     */
    protected final Tensor fieldMask(FeatureField.Source source) {
        FeatureField.Source[] order = {FeatureField.Source.ROW, FeatureField.Source.USER, FeatureField.Source.ITEM};
        float[] mask = new float[layout.numFields()];
        int at = 0;
        for (boolean bags : new boolean[] {false, true}) {
            for (FeatureField.Source s : order) {
                int count = bags ? layout.bags(s).length : layout.scalars(s).length;
                for (int j = 0; j < count; j++) {
                    mask[at++] = s == source ? 1f : 0f;
                }
            }
        }
        return Tensor.of(mask, 1, mask.length, 1);
    }

    /** {@code users [U]} -> logits {@code [U, N]} of every item; only for schemas without row fields. */
    @Override
    public Tensor fullSortPredict(Tensor users) {
        String name = settings.owner();
        if (layout.hasRowFields()) {
            throw new UnsupportedOperationException(name + " was trained on per-row features (" + layout.fields().getFirst().name()
                    + ", ...): a (user, item) pair alone does not determine them, so it cannot rank all items; score rows with predict");
        }
        io.panrec.ops.Checks.indices(name + ".fullSortPredict", users);
        io.panrec.ops.Checks.rank(name + ".fullSortPredict", "users", users, 1);
        long[] u = io.panrec.ops.Checks.indexRange(name + ".fullSortPredict", users, schema.numUsers());
        int n = schema.numItems();
        long[] uu = new long[u.length * n];
        long[] ii = new long[u.length * n];
        for (int r = 0; r < u.length; r++) {
            for (int i = 0; i < n; i++) {
                uu[r * n + i] = u[r];
                ii[r * n + i] = i;
            }
        }
        Batch b = new Batch().put(Batch.USERS, Tensor.ofLongs(uu)).put(Batch.ITEMS, Tensor.ofLongs(ii));
        return predict(b).reshape(u.length, n);
    }

    /** Every field but the labels: {@link #inputs} reads them in Java to assemble the field ids. */
    @Override
    public java.util.Set<Batch.Key> hostBatchFields() {
        return java.util.Set.of(Batch.USERS, Batch.ITEMS, Batch.FEATURES, Batch.FEATURE_VALUES, Batch.BAG_IDS, Batch.BAG_LENGTHS);
    }

    @Override
    public TrainingPlan trainingPlan() {
        return TrainingSettings.plan(settings, TrainingPlan.Sampling.POINTWISE);
    }

    @Override
    public Settings settings() {
        return settings;
    }

    @Override
    public DatasetSchema schema() {
        return schema;
    }

    @Override
    public void setTraining(boolean training) {
        train(training);
    }

    @Override
    public void loadState(Map<String, Tensor> state) {
        loadStateDict(state);
        refresh();
    }

    @Override
    public String toString() {
        return settings + "\n" + super.toString();
    }
}
