package io.panrec.cli.models;

import io.panrec.io.SafeTensors;
import io.panrec.io.SafeTensorsFile;
import io.panrec.models.data.UserItemIndex;
import io.panrec.tensor.DType;
import io.panrec.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The items each user interacted with in the data a model was trained on (training and validation
 * parts), saved beside the model in its bundle as {@value #FILE}, so that {@code panrec recommend} can
 * leave them out without reading the data again. Two I32 tensors in compressed rows:
 * {@code seen.offsets [numUsers + 1]} and {@code seen.items [nnz]}, user {@code u}'s items being
 * {@code items[offsets[u] .. offsets[u+1])}, sorted. The bundle loader ignores the file; a bundle without
 * it (written by other code) simply has no record of what was seen.
 */
final class SeenItems {
    static final String FILE = "seen.safetensors";

    private final int[] offsets;
    private final int[] items;
    private final int numItems;

    private SeenItems(int[] offsets, int[] items, int numItems) {
        this.offsets = offsets;
        this.items = items;
        this.numItems = numItems;
    }

    /** Writes {@code index} (in the model's vocabularies) into a bundle folder being written. */
    static void write(Path folder, UserItemIndex index) throws IOException {
        int nu = index.numUsers();
        int[] offsets = new int[nu + 1];
        for (int u = 0; u < nu; u++) {
            offsets[u + 1] = offsets[u] + index.count(u);
        }
        int[] items = new int[offsets[nu]];
        for (int u = 0; u < nu; u++) {
            int[] its = index.items(u);
            System.arraycopy(its, 0, items, offsets[u], its.length);
        }
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("seen.offsets", Tensor.ofInts(offsets, offsets.length));
        t.put("seen.items", Tensor.ofInts(items, items.length));
        SafeTensors.write(folder.resolve(FILE), t, Map.of("format", "panrec-seen-items", "numItems", Integer.toString(index.numItems())));
    }

    /**
     * The record of a bundle, or null when it has none.
     *
     * @throws IllegalArgumentException if the file does not fit the model's numbers of users and items
     */
    static SeenItems read(Path bundle, int numUsers, int numItems) throws IOException {
        Path file = bundle.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try (SafeTensorsFile f = SafeTensors.open(file)) {
            Tensor o = f.tensor("seen.offsets");
            Tensor i = f.tensor("seen.items");
            if (o.dtype() != DType.I32 || i.dtype() != DType.I32 || o.rank() != 1 || i.rank() != 1 || o.shape(0) != numUsers + 1) {
                throw new IllegalArgumentException(file + ": expected I32 seen.offsets [" + (numUsers + 1) + "] and seen.items [n], found "
                        + o.describe() + " and " + i.describe() + "; the file belongs to another model");
            }
            int[] offsets = o.toIntArray();
            int[] items = i.toIntArray();
            if (offsets[0] != 0 || offsets[numUsers] != items.length) {
                throw new IllegalArgumentException(file + ": offsets do not span the items; the file is damaged, train again");
            }
            for (int u = 0; u < numUsers; u++) {
                if (offsets[u + 1] < offsets[u]) {
                    throw new IllegalArgumentException(file + ": offsets decrease at user " + u + "; the file is damaged, train again");
                }
            }
            for (int item : items) {
                if (item < 0 || item >= numItems) {
                    throw new IllegalArgumentException(file + ": item index " + item + " outside the model's " + numItems
                            + " items; the file belongs to another model");
                }
            }
            return new SeenItems(offsets, items, numItems);
        }
    }

    /** A mask of {@code user}'s seen items over all items. */
    boolean[] mask(int user) {
        boolean[] m = new boolean[numItems];
        for (int k = offsets[user]; k < offsets[user + 1]; k++) {
            m[items[k]] = true;
        }
        return m;
    }

    int count(int user) {
        return offsets[user + 1] - offsets[user];
    }
}
