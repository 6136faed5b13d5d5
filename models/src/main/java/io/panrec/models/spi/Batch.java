package io.panrec.models.spi;

import io.panrec.tensor.DType;
import io.panrec.tensor.Device;
import io.panrec.tensor.Shape;
import io.panrec.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A mini-batch: named tensors whose first dimension is the batch size {@code B}, as RecBole's
 * {@code Interaction}. The standard fields are the {@link Key} constants below; a model family may
 * define more keys of its own. Each key fixes its dtype and rank, and {@link #put} checks both, and that
 * the first dimension agrees with the tensors already present, so a model can rely on the shapes it
 * documents.
 *
 * <p>Which keys are present depends on the data and the training mode: a rating model gets
 * {@link #USERS}, {@link #ITEMS}, {@link #RATINGS}; a pairwise (BPR) model gets {@link #USERS},
 * {@link #ITEMS} (the positives) and {@link #NEGATIVES}; a pointwise (log loss) model gets
 * {@link #USERS}, {@link #ITEMS} and {@link #LABELS}. Evaluation batches carry {@link #USERS} and
 * {@link #ITEMS} only.
 *
 * <p>The tensors belong to whatever scope was current when they were made (the trainer opens one per
 * step); a batch does not own or close them.
 */
public final class Batch {
    /**
     * A field of a batch: its name, element type, rank and meaning.
     *
     * @param name    unique among the keys used together
     * @param dtype   the element type every tensor of this field has
     * @param rank    the number of dimensions, the first being the batch size
     * @param meaning shape and meaning for documentation, e.g. {@code "[B, S] sampled negative items"}
     */
    public record Key(String name, DType dtype, int rank, String meaning) {
        public Key {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(dtype, "dtype");
            Objects.requireNonNull(meaning, "meaning");
            if (rank < 1) {
                throw new IllegalArgumentException("batch key '" + name + "': rank " + rank + " < 1 (the first dimension is the batch)");
            }
        }

        @Override
        public String toString() {
            return name + " " + dtype + " " + meaning;
        }
    }

    /** {@code [B] I64}: user indices in {@code [0, numUsers)}. */
    public static final Key USERS = new Key("users", DType.I64, 1, "[B] user indices");
    /** {@code [B] I64}: item indices in {@code [0, numItems)} (the positive item in pairwise training). */
    public static final Key ITEMS = new Key("items", DType.I64, 1, "[B] item indices");
    /** {@code [B] F32}: 1 for an observed interaction, 0 for a sampled negative (pointwise training). */
    public static final Key LABELS = new Key("labels", DType.F32, 1, "[B] labels, 1 positive / 0 negative");
    /** {@code [B] F32}: explicit ratings of the (user, item) pairs. */
    public static final Key RATINGS = new Key("ratings", DType.F32, 1, "[B] explicit ratings");
    /** {@code [B, S] I64}: S sampled negative items per row, none a training positive of the row's user. */
    public static final Key NEGATIVES = new Key("negatives", DType.I64, 2, "[B, S] sampled negative items");
    /**
     * {@code [B, L] I64}: item histories, oldest first, right-padded to length L with index 0; the real
     * length of each row is in {@link #LENGTHS}. (Sequential models reserve item index 0 for padding.)
     */
    public static final Key SEQUENCES = new Key("sequences", DType.I64, 2, "[B, L] item histories, right-padded");
    /** {@code [B] I64}: the number of real entries of each row of {@link #SEQUENCES}, each in {@code [1, L]}. */
    public static final Key LENGTHS = new Key("lengths", DType.I64, 1, "[B] history lengths");
    /**
     * {@code [B, F] I64}: the ids of the {@code F} single-valued row fields ({@link FeatureField.Source#ROW},
     * categorical or numeric, in schema order), each already offset into the shared feature table (field
     * {@code f}'s local id plus the sizes of the fields before it), as FM and DeepFM index features.
     */
    public static final Key FEATURES = new Key("features", DType.I64, 2, "[B, F] feature ids of the single-valued row fields");
    /**
     * {@code [B, F] F32}: the value of each entry of {@link #FEATURES}: 1 for a categorical field, the
     * transformed number for a numeric one (0 when missing). Optional when every row field is categorical.
     */
    public static final Key FEATURE_VALUES = new Key("featureValues", DType.F32, 2, "[B, F] values of the row fields' features");
    /**
     * {@code [B, M, L] I64}: the ids of the {@code M} multi-valued row fields (bags, in schema order), each
     * bag right-padded to {@code L} with any valid id; the real lengths are in {@link #BAG_LENGTHS}.
     */
    public static final Key BAG_IDS = new Key("bagIds", DType.I64, 3, "[B, M, L] feature ids of the row bags, right-padded");
    /** {@code [B, M] I64}: the number of real ids of each bag of {@link #BAG_IDS}, each in {@code [0, L]}. */
    public static final Key BAG_LENGTHS = new Key("bagLengths", DType.I64, 2, "[B, M] lengths of the row bags");

    private final Map<String, Key> keys = new LinkedHashMap<>();
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();
    private int size = -1;

    /** An empty batch; add fields with {@link #put}. */
    public Batch() {
    }

    /**
     * Adds (or replaces) a field.
     *
     * @throws IllegalArgumentException if the tensor's dtype or rank differs from the key's, if its first
     *                                  dimension differs from the batch size of the fields already present,
     *                                  or if another key of the same name but another dtype/rank is present
     */
    public Batch put(Key key, Tensor tensor) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(tensor, () -> "batch field '" + key.name() + "' is null");
        Key existing = keys.get(key.name());
        if (existing != null && !existing.equals(key)) {
            throw new IllegalArgumentException("batch field '" + key.name() + "' already holds a different key (" + existing
                    + "); cannot put " + key);
        }
        if (tensor.dtype() != key.dtype()) {
            throw new IllegalArgumentException("batch field '" + key.name() + "' must be " + key.dtype() + " (" + key.meaning()
                    + "), got " + tensor.describe());
        }
        if (tensor.rank() != key.rank()) {
            throw new IllegalArgumentException("batch field '" + key.name() + "' must have rank " + key.rank() + " ("
                    + key.meaning() + "), got " + tensor.describe());
        }
        int b = tensor.shape(0);
        boolean othersPresent = tensors.size() > (tensors.containsKey(key.name()) ? 1 : 0);
        if (othersPresent && b != size) {
            throw new IllegalArgumentException("batch field '" + key.name() + "' has " + b + " rows (" + Shape.format(tensor.shape())
                    + ") but the batch has " + size + " (fields " + tensors.keySet() + ")");
        }
        size = b;
        keys.put(key.name(), key);
        tensors.put(key.name(), tensor);
        return this;
    }

    /**
     * This batch with every field on {@code device} ({@code Tensor.to}): itself when they are all there already,
     * else a new batch of copies in the current scope. The trainer moves each batch to its model's device.
     */
    public Batch to(Device device) {
        boolean there = true;
        for (Tensor t : tensors.values()) {
            there &= t.device().equals(device);
        }
        if (there) {
            return this;
        }
        Batch out = new Batch();
        for (var e : tensors.entrySet()) {
            out.put(keys.get(e.getKey()), e.getValue().to(device));
        }
        return out;
    }

    /**
     * The tensor of {@code key}.
     *
     * @throws IllegalArgumentException if the batch has no such field (the message lists the fields present)
     */
    public Tensor get(Key key) {
        Tensor t = tensors.get(key.name());
        if (t == null || !keys.get(key.name()).equals(key)) {
            throw new IllegalArgumentException("batch has no field " + key + "; present: "
                    + (keys.isEmpty() ? "(none)" : keys.values()));
        }
        return t;
    }

    /** The tensor of {@code key}, if present. */
    public Optional<Tensor> find(Key key) {
        return has(key) ? Optional.of(tensors.get(key.name())) : Optional.empty();
    }

    public boolean has(Key key) {
        return key.equals(keys.get(key.name()));
    }

    /** The batch size B (0 for an empty batch without fields). */
    public int size() {
        return Math.max(size, 0);
    }

    /** The keys present, in insertion order. */
    public List<Key> keys() {
        return Collections.unmodifiableList(new ArrayList<>(keys.values()));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Batch[B=").append(size()).append(']');
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            sb.append(' ').append(e.getKey()).append('=').append(e.getValue().dtype()).append(Shape.format(e.getValue().shape()));
        }
        return sb.toString();
    }
}
