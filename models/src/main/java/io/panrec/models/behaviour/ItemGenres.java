package io.panrec.models.behaviour;

import io.panrec.models.data.ItemCatalog;
import io.panrec.tensor.DType;
import io.panrec.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * Each item's genres as indices into a genre vocabulary (the catalog's genre names, sorted, numbered
 * from 0), as compressed rows: item {@code i}'s genres are {@code ids[offsets[i] .. offsets[i+1])}.
 * Kept in the model state (so a loaded model needs no catalog); without a catalog every item has none.
 */
final class ItemGenres {
    private final int numItems;
    private final long[] offsets;
    private final long[] ids;

    private ItemGenres(int numItems, long[] offsets, long[] ids) {
        this.numItems = numItems;
        this.offsets = offsets;
        this.ids = ids;
    }

    static ItemGenres empty(int numItems) {
        return new ItemGenres(numItems, new long[numItems + 1], new long[0]);
    }

    /**
     * The genres of {@code catalog}'s items, numbered by sorted genre name.
     *
     * @throws IllegalArgumentException if the catalog has another number of items, or more distinct genres
     *                                  than {@code vocabulary} (the model's {@code genreVocabulary} setting)
     */
    static ItemGenres of(ItemCatalog catalog, int numItems, int vocabulary, String model) {
        if (catalog.items().size() != numItems) {
            throw new IllegalArgumentException(model + ": the item catalog has " + catalog.items().size() + " items but the model was built for "
                    + numItems + "; pass the catalog of the data the model is trained on");
        }
        TreeSet<String> names = new TreeSet<>();
        for (int i = 0; i < numItems; i++) {
            names.addAll(catalog.genres(i));
        }
        if (names.size() > vocabulary) {
            throw new IllegalArgumentException(model + ": the catalog has " + names.size() + " genres but setting 'genreVocabulary' is "
                    + vocabulary + "; raise it to at least " + names.size());
        }
        List<String> sorted = new ArrayList<>(names);
        long[] offsets = new long[numItems + 1];
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < numItems; i++) {
            for (String g : new TreeSet<>(catalog.genres(i))) {
                ids.add((long) sorted.indexOf(g));
            }
            offsets[i + 1] = ids.size();
        }
        return new ItemGenres(numItems, offsets, ids.stream().mapToLong(Long::longValue).toArray());
    }

    Tensor offsetsTensor() {
        return UserHistories.global(offsets);
    }

    Tensor idsTensor() {
        return UserHistories.global(ids);
    }

    static ItemGenres fromState(Tensor offsetsT, Tensor idsT, int numItems, int vocabulary, String model) {
        String what = model + ".loadState: genres";
        if (offsetsT.dtype() != DType.I64 || offsetsT.rank() != 1 || offsetsT.shape(0) != numItems + 1) {
            throw new IllegalArgumentException(what + " offsets are " + offsetsT.describe() + ", need I64[" + (numItems + 1) + "]");
        }
        if (idsT.dtype() != DType.I64 || idsT.rank() != 1) {
            throw new IllegalArgumentException(what + " ids are " + idsT.describe() + ", need I64[nnz]");
        }
        long[] offsets = offsetsT.contiguous().toLongArray();
        long[] ids = idsT.numel() == 0 ? new long[0] : idsT.contiguous().toLongArray();
        if (offsets[0] != 0 || offsets[numItems] != ids.length) {
            throw new IllegalArgumentException(what + " offsets must run from 0 to " + ids.length);
        }
        for (int i = 0; i < numItems; i++) {
            if (offsets[i + 1] < offsets[i]) {
                throw new IllegalArgumentException(what + " offsets decrease at item " + i);
            }
        }
        for (long g : ids) {
            if (g < 0 || g >= vocabulary) {
                throw new IllegalArgumentException(what + " hold genre " + g + " outside [0, " + vocabulary + ") (setting 'genreVocabulary')");
            }
        }
        return new ItemGenres(numItems, offsets, ids);
    }

    long[] of(int item) {
        return Arrays.copyOfRange(ids, (int) offsets[item], (int) offsets[item + 1]);
    }

    /** The genre bag of each item. */
    Bag ofItems(long[] items) {
        long[][] bags = new long[items.length][];
        for (int r = 0; r < items.length; r++) {
            bags[r] = of((int) items[r]);
        }
        return Bag.of(bags);
    }

    /** For each row of {@code history}: the genres of all its items together (a genre counted once per item). */
    Bag ofHistories(Bag history) {
        long[][] bags = new long[history.rows()][];
        for (int r = 0; r < history.rows(); r++) {
            int n = 0;
            long[] items = history.row(r);
            for (long i : items) {
                n += (int) (offsets[(int) i + 1] - offsets[(int) i]);
            }
            long[] bag = new long[n];
            int w = 0;
            for (long i : items) {
                for (long k = offsets[(int) i]; k < offsets[(int) i + 1]; k++) {
                    bag[w++] = ids[(int) k];
                }
            }
            bags[r] = bag;
        }
        return Bag.of(bags);
    }

    /** {@code [items.length, vocabulary] F32}: 1 where the item has the genre (the rows of the item feature map). */
    Tensor multiHot(long[] items, int vocabulary) {
        float[] m = new float[items.length * vocabulary];
        for (int r = 0; r < items.length; r++) {
            for (long k = offsets[(int) items[r]]; k < offsets[(int) items[r] + 1]; k++) {
                m[r * vocabulary + (int) ids[(int) k]] = 1f;
            }
        }
        return Tensor.of(m, items.length, vocabulary);
    }

    /**
     * {@code [N, vocabulary] F32}: row i holds 1/k at each of item i's k genres (zeros for an item without
     * genres), so that {@code rows @ genreTable} is every item's mean genre embedding in one product.
     */
    Tensor meanMatrix(int vocabulary) {
        float[] m = new float[numItems * vocabulary];
        for (int i = 0; i < numItems; i++) {
            long k = offsets[i + 1] - offsets[i];
            for (long j = offsets[i]; j < offsets[i + 1]; j++) {
                m[i * vocabulary + (int) ids[(int) j]] += 1f / k;
            }
        }
        return Tensor.of(m, numItems, vocabulary);
    }

    /**
     * For each row of {@code history}: how often each genre occurs among its items' genres, {@code [B, vocabulary]}
     * (the multiset bag of {@link #ofHistories} as counts).
     */
    float[] historyCounts(Bag history, int vocabulary) {
        float[] c = new float[history.rows() * vocabulary];
        for (int r = 0; r < history.rows(); r++) {
            for (int t = 0; t < history.lengths()[r]; t++) {
                int item = (int) history.ids()[r * history.width() + t];
                for (long k = offsets[item]; k < offsets[item + 1]; k++) {
                    c[r * vocabulary + (int) ids[(int) k]] += 1f;
                }
            }
        }
        return c;
    }
}
