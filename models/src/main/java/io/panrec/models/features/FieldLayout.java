package io.panrec.models.features;

import io.panrec.models.spi.FeatureField;

import java.util.ArrayList;
import java.util.List;

/**
 * Where each feature field sits: its offset in the shared feature table (the sum of the sizes of the
 * fields before it, in schema order), and the groups in which its values travel. Single-valued row
 * fields are the columns of {@code Batch.FEATURES}, row bags the second axis of {@code Batch.BAG_IDS};
 * user (item) fields are the columns of the user (item) tables a model keeps, scalars and bags apart.
 * The groups keep schema order, so data and model agree on every column.
 */
public final class FieldLayout {
    private final List<FeatureField> fields;
    private final long[] offsets;
    private final long total;
    private final int[][] scalars = new int[3][];
    private final int[][] bags = new int[3][];
    private final int[] bagLength = new int[3];

    public FieldLayout(List<FeatureField> fields) {
        this.fields = List.copyOf(fields);
        this.offsets = new long[fields.size()];
        long o = 0;
        for (int f = 0; f < fields.size(); f++) {
            offsets[f] = o;
            o += fields.get(f).size();
        }
        this.total = o;
        for (FeatureField.Source s : FeatureField.Source.values()) {
            List<Integer> sc = new ArrayList<>();
            List<Integer> bg = new ArrayList<>();
            int longest = 0;
            for (int f = 0; f < fields.size(); f++) {
                FeatureField ff = fields.get(f);
                if (ff.source() != s) {
                    continue;
                }
                if (ff.kind() == FeatureField.Kind.BAG) {
                    bg.add(f);
                    longest = Math.max(longest, ff.maxLength());
                } else {
                    sc.add(f);
                }
            }
            scalars[s.ordinal()] = sc.stream().mapToInt(Integer::intValue).toArray();
            bags[s.ordinal()] = bg.stream().mapToInt(Integer::intValue).toArray();
            bagLength[s.ordinal()] = longest;
        }
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the feature fields have " + total + " features in all, more than an embedding table "
                    + "holds; hash the large fields into fewer buckets or raise their minimum count");
        }
    }

    public List<FeatureField> fields() {
        return fields;
    }

    /** The first row of field {@code f} in the shared table. */
    public long offset(int f) {
        return offsets[f];
    }

    /** Rows of the shared feature table: the sum of the field sizes. */
    public int totalFeatures() {
        return (int) total;
    }

    /** Positions (in the schema) of the single-valued fields of {@code source}, in order. */
    public int[] scalars(FeatureField.Source source) {
        return scalars[source.ordinal()].clone();
    }

    /** Positions (in the schema) of the bag fields of {@code source}, in order. */
    public int[] bags(FeatureField.Source source) {
        return bags[source.ordinal()].clone();
    }

    /** The padded length L of the bags of {@code source}: the longest maxLength among them (0 without bags). */
    public int bagLength(FeatureField.Source source) {
        return bagLength[source.ordinal()];
    }

    /** Whether any field comes with the rows (then batches must carry them, and pairs alone cannot be scored). */
    public boolean hasRowFields() {
        return scalars[0].length + bags[0].length > 0;
    }

    /** Fields in all: every field is one vector of the models' field embeddings. */
    public int numFields() {
        return fields.size();
    }

    /** Whether any single-valued row field is numeric (then {@code Batch.FEATURE_VALUES} is required). */
    public boolean hasNumericRowFields() {
        for (int f : scalars[0]) {
            if (fields.get(f).kind() == FeatureField.Kind.NUMERIC) {
                return true;
            }
        }
        return false;
    }
}
