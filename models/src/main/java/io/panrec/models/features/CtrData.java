package io.panrec.models.features;

import io.panrec.models.data.Interactions;
import io.panrec.models.data.ReadReport;
import io.panrec.models.data.Vocabulary;
import io.panrec.models.spi.Batch;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.FeatureField;
import io.panrec.models.train.BatchSource;
import io.panrec.tensor.Tensor;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * Encoded CTR data: per row a label, its user and item indices (0 when the data names none) and the
 * global feature ids of its row fields, plus the {@link SideFeatures} tables of the user and item
 * fields. Rows of one split share the encoder, vocabularies and tables ({@link #select}).
 *
 * <p>Data without users and items (Criteo, Avazu) has one pseudo user and one pseudo item, "*", so
 * that the trainer's and bundles' vocabularies keep their meaning.
 */
public final class CtrData {
    private final FeatureEncoder encoder;
    private final DatasetSchema schema;
    private final FieldLayout layout;
    private final Vocabulary users;
    private final Vocabulary items;
    private final SideFeatures side;
    private final int n;
    private final int[] userCol;
    private final int[] itemCol;
    private final float[] labels;
    private final long[] rowIds;     // [n, Fr]
    private final float[] rowValues; // [n, Fr]
    private final long[] bagIds;     // [n, Mr, Lr]
    private final long[] bagLengths; // [n, Mr]
    private final ReadReport report;
    private final int droppedRows;

    private CtrData(FeatureEncoder encoder, DatasetSchema schema, Vocabulary users, Vocabulary items, SideFeatures side, int[] userCol,
                    int[] itemCol, float[] labels, long[] rowIds, float[] rowValues, long[] bagIds, long[] bagLengths, ReadReport report,
                    int droppedRows) {
        this.encoder = encoder;
        this.schema = schema;
        this.layout = encoder.layout();
        this.users = users;
        this.items = items;
        this.side = side;
        this.n = labels.length;
        this.userCol = userCol;
        this.itemCol = itemCol;
        this.labels = labels;
        this.rowIds = rowIds;
        this.rowValues = rowValues;
        this.bagIds = bagIds;
        this.bagLengths = bagLengths;
        this.report = report;
        this.droppedRows = droppedRows;
    }

    static CtrData encode(FeatureEncoder enc, RawCtrData raw, DatasetSchema base) {
        FieldLayout layout = enc.layout();
        int[] rowSpecs = raw.specsOf(FeatureField.Source.ROW);
        int[] rowScalars = layout.scalars(FeatureField.Source.ROW);
        int[] rowBags = layout.bags(FeatureField.Source.ROW);
        int lr = layout.bagLength(FeatureField.Source.ROW);
        // where each row field sits among the raw row values
        int[] scalarPos = positions(rowScalars, rowSpecs);
        int[] bagPos = positions(rowBags, rowSpecs);
        Vocabulary users = enc.users() != null ? enc.users() : Vocabulary.of("users", java.util.List.of("*"));
        Vocabulary items = enc.items() != null ? enc.items() : Vocabulary.of("items", java.util.List.of("*"));
        int size = raw.size();
        int[] u = new int[size];
        int[] it = new int[size];
        float[] labels = new float[size];
        long[] ids = new long[size * rowScalars.length];
        float[] values = new float[size * rowScalars.length];
        long[] bags = new long[size * rowBags.length * lr];
        long[] lens = new long[size * rowBags.length];
        int k = 0;
        for (int r = 0; r < size; r++) {
            if (raw.hasEntities()) {
                u[k] = users.indexOf(raw.user(r));
                it[k] = items.indexOf(raw.item(r));
                if (u[k] < 0 || it[k] < 0) {
                    continue; // a user or item the model was not built for
                }
            }
            labels[k] = raw.label(r);
            String[] v = raw.row(r);
            for (int j = 0; j < rowScalars.length; j++) {
                ids[k * rowScalars.length + j] = enc.id(rowScalars[j], v[scalarPos[j]]);
                values[k * rowScalars.length + j] = enc.value(rowScalars[j], v[scalarPos[j]]);
            }
            for (int j = 0; j < rowBags.length; j++) {
                long[] b = enc.bag(rowBags[j], v[bagPos[j]]);
                int at = (k * rowBags.length + j);
                lens[at] = b.length;
                Arrays.fill(bags, at * lr, (at + 1) * lr, layout.offset(rowBags[j]) + layout.fields().get(rowBags[j]).size() - 1);
                System.arraycopy(b, 0, bags, at * lr, b.length);
            }
            k++;
        }
        SideFeatures side = sideTables(enc, raw, users, items);
        DatasetSchema schema = new DatasetSchema(users.size(), items.size(), false, Float.NaN, Float.NaN, enc.fields());
        if (base != null && (base.numUsers() != schema.numUsers() || base.numItems() != schema.numItems()
                || !base.features().equals(schema.features()))) {
            throw new IllegalArgumentException("the encoded data's schema " + schema + " differs from the model's " + base);
        }
        return new CtrData(enc, schema, users, items, side, Arrays.copyOf(u, k), Arrays.copyOf(it, k), Arrays.copyOf(labels, k),
                Arrays.copyOf(ids, k * rowScalars.length), Arrays.copyOf(values, k * rowScalars.length),
                Arrays.copyOf(bags, k * rowBags.length * lr), Arrays.copyOf(lens, k * rowBags.length), raw.report(), size - k);
    }

    private static int[] positions(int[] fields, int[] sourceSpecs) {
        int[] out = new int[fields.length];
        for (int j = 0; j < fields.length; j++) {
            out[j] = -1;
            for (int p = 0; p < sourceSpecs.length; p++) {
                if (sourceSpecs[p] == fields[j]) {
                    out[j] = p;
                }
            }
        }
        return out;
    }

    private static SideFeatures sideTables(FeatureEncoder enc, RawCtrData raw, Vocabulary users, Vocabulary items) {
        long[][] u = table(enc, FeatureField.Source.USER, raw.specsOf(FeatureField.Source.USER), users, raw.users());
        long[][] i = table(enc, FeatureField.Source.ITEM, raw.specsOf(FeatureField.Source.ITEM), items, raw.items());
        return new SideFeatures(users.size(), items.size(), u[0], u[1], u[2], i[0], i[1], i[2]);
    }

    private static long[][] table(FeatureEncoder enc, FeatureField.Source source, int[] specs, Vocabulary ids,
                                  java.util.Map<String, String[]> records) {
        FieldLayout layout = enc.layout();
        int[] sc = layout.scalars(source);
        int[] bg = layout.bags(source);
        int l = layout.bagLength(source);
        int n = ids.size();
        int[] scalarPos = positions(sc, specs);
        int[] bagPos = positions(bg, specs);
        long[] fields = new long[n * sc.length];
        long[] bags = new long[n * bg.length * l];
        long[] lens = new long[n * bg.length];
        String[] missing = new String[specs.length];
        for (int e = 0; e < n; e++) {
            String[] v = records.getOrDefault(ids.id(e), missing);
            for (int j = 0; j < sc.length; j++) {
                fields[e * sc.length + j] = enc.id(sc[j], v[scalarPos[j]]);
            }
            for (int j = 0; j < bg.length; j++) {
                long[] b = enc.bag(bg[j], v[bagPos[j]]);
                int at = e * bg.length + j;
                lens[at] = b.length;
                Arrays.fill(bags, at * l, (at + 1) * l, layout.offset(bg[j]) + layout.fields().get(bg[j]).size() - 1);
                System.arraycopy(b, 0, bags, at * l, b.length);
            }
        }
        return new long[][] {fields, bags, lens};
    }

    /** The rows {@code rows}, in that order, sharing everything else. */
    public CtrData select(int[] rows) {
        int fr = layout.scalars(FeatureField.Source.ROW).length;
        int mr = layout.bags(FeatureField.Source.ROW).length;
        int lr = layout.bagLength(FeatureField.Source.ROW);
        int m = rows.length;
        int[] u = new int[m];
        int[] it = new int[m];
        float[] lab = new float[m];
        long[] ids = new long[m * fr];
        float[] vals = new float[m * fr];
        long[] bags = new long[m * mr * lr];
        long[] lens = new long[m * mr];
        for (int k = 0; k < m; k++) {
            int r = rows[k];
            if (r < 0 || r >= n) {
                throw new IndexOutOfBoundsException("row " + r + " of " + n);
            }
            u[k] = userCol[r];
            it[k] = itemCol[r];
            lab[k] = labels[r];
            System.arraycopy(rowIds, r * fr, ids, k * fr, fr);
            System.arraycopy(rowValues, r * fr, vals, k * fr, fr);
            System.arraycopy(bagIds, r * mr * lr, bags, k * mr * lr, mr * lr);
            System.arraycopy(bagLengths, r * mr, lens, k * mr, mr);
        }
        return new CtrData(encoder, schema, users, items, side, u, it, lab, ids, vals, bags, lens, report, 0);
    }

    public FeatureEncoder encoder() {
        return encoder;
    }

    /** Users, items and feature fields: what a model is built for. */
    public DatasetSchema schema() {
        return schema;
    }

    public FieldLayout layout() {
        return layout;
    }

    public SideFeatures side() {
        return side;
    }

    public Vocabulary users() {
        return users;
    }

    public Vocabulary items() {
        return items;
    }

    public int size() {
        return n;
    }

    public boolean isEmpty() {
        return n == 0;
    }

    public float label(int row) {
        return labels[row];
    }

    /** Labels of every row (a copy). */
    public float[] labels() {
        return labels.clone();
    }

    /** The share of rows labelled 1. */
    public double positiveRate() {
        double s = 0;
        for (float l : labels) {
            s += l;
        }
        return n == 0 ? Double.NaN : s / n;
    }

    public ReadReport report() {
        return report;
    }

    /** Rows dropped when encoding because their user or item is unknown to the encoder. */
    public int droppedRows() {
        return droppedRows;
    }

    /**
     * The rows as interactions (user, item, no ratings), for the trainer's bookkeeping (sizes,
     * vocabularies of checkpoints); CTR training reads its batches from {@link #batches}.
     */
    public Interactions interactions() {
        return Interactions.of(users, items, userCol.clone(), itemCol.clone(), null, null);
    }

    /** The batch of rows {@code rows}: labels, users, items and the row fields the schema has. */
    public Batch batch(int[] rows, int from, int to) {
        int fr = layout.scalars(FeatureField.Source.ROW).length;
        int mr = layout.bags(FeatureField.Source.ROW).length;
        int lr = layout.bagLength(FeatureField.Source.ROW);
        int b = to - from;
        long[] u = new long[b];
        long[] it = new long[b];
        float[] lab = new float[b];
        long[] ids = new long[b * fr];
        float[] vals = new float[b * fr];
        long[] bags = new long[b * mr * lr];
        long[] lens = new long[b * mr];
        for (int k = 0; k < b; k++) {
            int r = rows == null ? from + k : rows[from + k];
            u[k] = userCol[r];
            it[k] = itemCol[r];
            lab[k] = labels[r];
            System.arraycopy(rowIds, r * fr, ids, k * fr, fr);
            System.arraycopy(rowValues, r * fr, vals, k * fr, fr);
            System.arraycopy(bagIds, r * mr * lr, bags, k * mr * lr, mr * lr);
            System.arraycopy(bagLengths, r * mr, lens, k * mr, mr);
        }
        Batch batch = new Batch().put(Batch.USERS, Tensor.ofLongs(u)).put(Batch.ITEMS, Tensor.ofLongs(it))
                .put(Batch.LABELS, Tensor.of(lab, b));
        if (fr > 0) {
            batch.put(Batch.FEATURES, Tensor.ofLongs(ids, b, fr)).put(Batch.FEATURE_VALUES, Tensor.of(vals, b, fr));
        }
        if (mr > 0) {
            batch.put(Batch.BAG_IDS, Tensor.ofLongs(bags, b, mr, lr)).put(Batch.BAG_LENGTHS, Tensor.ofLongs(lens, b, mr));
        }
        return batch;
    }

    /** Shuffled training batches of {@code batchSize} rows (epoch {@code e}'s order depends only on {@code seed} and e). */
    public BatchSource batches(int batchSize, long seed) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size " + batchSize + " < 1");
        }
        return new BatchSource() {
            @Override
            public int batchesPerEpoch() {
                return (n + batchSize - 1) / batchSize;
            }

            @Override
            public Iterator<Batch> epoch(int epoch) {
                int[] order = new int[n];
                for (int i = 0; i < n; i++) {
                    order[i] = i;
                }
                SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + 29);
                for (int i = n - 1; i > 0; i--) {
                    int j = random.nextInt(i + 1);
                    int t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                }
                int count = batchesPerEpoch();
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < count;
                    }

                    @Override
                    public Batch next() {
                        if (!hasNext()) {
                            throw new NoSuchElementException();
                        }
                        int from = next * batchSize;
                        next++;
                        return batch(order, from, Math.min(n, from + batchSize));
                    }
                };
            }
        };
    }

    @Override
    public String toString() {
        return "CtrData[" + n + " rows, " + schema.features().size() + " fields, " + layout.totalFeatures() + " features, positive rate "
                + String.format(java.util.Locale.ROOT, "%.3f", positiveRate()) + "]";
    }
}
