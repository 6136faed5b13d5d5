package io.panrec.models.general;

import io.panrec.models.spi.Batch;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.Settings;
import io.panrec.ops.Checks;
import io.panrec.tensor.DType;
import io.panrec.tensor.Shape;
import io.panrec.tensor.Tensor;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Checks and conversions shared by the models of this package. */
final class Models {
    private Models() {
    }

    /** {@code settings}, after checking they belong to {@code name}. */
    static Settings checkOwner(String name, Settings settings) {
        java.util.Objects.requireNonNull(settings, "settings");
        if (!settings.owner().equals(name)) {
            throw new IllegalArgumentException(name + " cannot be built from the settings of " + settings.owner()
                    + "; start from " + name + "'s defaults (ModelProvider.defaultSettings())");
        }
        return settings;
    }

    /** A positive int setting. */
    static int positive(Settings s, String key) {
        int v = s.getInt(key);
        if (v < 1) {
            throw new IllegalArgumentException(s.owner() + " setting '" + key + "' must be at least 1, got " + v);
        }
        return v;
    }

    /** A double setting that must be finite and at least 0. */
    static double nonNegative(Settings s, String key) {
        double v = s.getDouble(key);
        if (!(v >= 0)) {
            throw new IllegalArgumentException(s.owner() + " setting '" + key + "' must be at least 0, got " + v);
        }
        return v;
    }

    /** Fails for a schema without ratings: the model predicts ratings. */
    static void requireRatings(String name, DatasetSchema schema) {
        if (!schema.hasRatings()) {
            throw new IllegalArgumentException(name + " predicts ratings, but the data has none (implicit feedback); "
                    + "use a ranking model (BPRMF, NeuMF, iALS, ...) or data with ratings");
        }
    }

    /** The user indices of a batch, each checked against the schema. */
    static long[] users(String model, Batch batch, DatasetSchema schema) {
        return Checks.indexRange(model + " users", batch.get(Batch.USERS), schema.numUsers());
    }

    /** The item indices of a batch, each checked against the schema. */
    static long[] items(String model, Batch batch, DatasetSchema schema) {
        return Checks.indexRange(model + " items", batch.get(Batch.ITEMS), schema.numItems());
    }

    /** User indices given to fullSortPredict: I32/I64, rank 1, each in range. */
    static long[] fullSortUsers(String model, Tensor users, DatasetSchema schema) {
        Checks.indices(model + ".fullSortPredict", users);
        Checks.rank(model + ".fullSortPredict", "users", users, 1);
        return Checks.indexRange(model + ".fullSortPredict", users, schema.numUsers());
    }

    /** Checks that {@code state} has exactly {@code names} (a message lists what is missing and unexpected). */
    static void expectKeys(String model, Map<String, Tensor> state, Set<String> names) {
        Set<String> missing = new TreeSet<>(names);
        missing.removeAll(state.keySet());
        Set<String> unexpected = new TreeSet<>(state.keySet());
        unexpected.removeAll(names);
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new IllegalArgumentException(model + ".loadState: " + (missing.isEmpty() ? "" : "missing " + missing + " ")
                    + (unexpected.isEmpty() ? "" : "unexpected " + unexpected));
        }
    }

    /** The tensor {@code name} of {@code state}, checked for dtype and shape (a dimension of -1 matches any size). */
    static Tensor expect(String model, Map<String, Tensor> state, String name, DType dtype, int... shape) {
        Tensor t = state.get(name);
        if (t == null) {
            throw new IllegalArgumentException(model + ".loadState: missing '" + name + "'");
        }
        boolean ok = t.dtype() == dtype && t.rank() == shape.length;
        for (int d = 0; ok && d < shape.length; d++) {
            ok = shape[d] < 0 || shape[d] == t.shape(d);
        }
        if (!ok) {
            throw new IllegalArgumentException(model + ".loadState: '" + name + "' is " + t.describe() + " but the model needs "
                    + dtype + Shape.format(shape).replace("-1", "*") + " (was it saved from another model or data?)");
        }
        return t;
    }

    /** {@code long[]} as {@code int[]} (indices already checked to fit). */
    static int[] toInts(long[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (int) v[i];
        }
        return out;
    }

    /** {@code rows.length} copies of {@code row}, as one [rows, n] tensor (the same scores for every user). */
    static Tensor repeatRows(float[] row, int rows) {
        float[] out = new float[Math.multiplyExact(rows, row.length)];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(row, 0, out, r * row.length, row.length);
        }
        return Tensor.of(out, rows, row.length);
    }

    static float[] copyOf(float[] a) {
        return Arrays.copyOf(a, a.length);
    }
}
