package io.panrec.models.general;

import io.panrec.models.spi.AbstractModelProvider;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.Family;
import io.panrec.models.spi.Setting;
import io.panrec.models.spi.Settings;

import java.util.List;

/**
 * Item-based k-nearest-neighbour top-N recommendation: B. Sarwar, G. Karypis, J. Konstan, J. Riedl,
 * "Item-based collaborative filtering recommendation algorithms", WWW 2001; for implicit feedback as in
 * M. Deshpande, G. Karypis, "Item-based top-N recommendation algorithms", ACM TOIS 22(1), 2004.
 *
 * <p>Items are compared by the users who interacted with them (binary, ratings ignored) under cosine
 * similarity with shrinkage ({@link Neighbours}); each item keeps its {@code neighbours} most similar
 * items. Score of (u, i): the sum of the similarities between i and those of its neighbours that u has
 * in training, {@code sum_{j in N_k(i) & I(u)} sim(i, j)}, as RecBole's ItemKNN. Fitted in one epoch.
 *
 * <p>Defaults: {@code neighbours} 100 (RecBole's default k), {@code shrink} 10.
 */
public final class ItemKNN extends NeighbourhoodModel {
    public static final String NAME = "ItemKNN";

    ItemKNN(Settings settings, DatasetSchema schema) {
        super(NAME, settings, schema);
    }

    /** Registered in {@code META-INF/services}. */
    public static final class Provider extends AbstractModelProvider {
        public Provider() {
            super(NAME, Family.GENERAL, "item-based k-nearest neighbours with cosine similarity and shrinkage (Sarwar et al. 2001, Deshpande & Karypis 2004)",
                    ItemKNN::new);
        }

        @Override
        public List<Setting> defaults() {
            return NeighbourhoodModel.defaults(100, 10.0, "items");
        }
    }

    @Override
    int rows() {
        return schema.numItems();
    }

    @Override
    boolean itemBased() {
        return true;
    }

    @Override
    float score(int user, int item) {
        Neighbours nb = neighbours;
        Csr h = history;
        float s = 0;
        for (int t = item * k; t < item * k + k; t++) {
            int j = nb.ids[t];
            if (j < 0) {
                break;
            }
            if (h.contains(user, j)) {
                s += nb.sims[t];
            }
        }
        return s;
    }

    @Override
    void scoreAll(int user, float[] out) {
        Neighbours nb = neighbours;
        Csr h = history;
        boolean[] mine = new boolean[schema.numItems()];
        for (int a = h.offsets[user]; a < h.offsets[user + 1]; a++) {
            mine[h.cols[a]] = true;
        }
        for (int i = 0; i < out.length; i++) {
            float s = 0;
            for (int t = i * k; t < i * k + k; t++) {
                int j = nb.ids[t];
                if (j < 0) {
                    break;
                }
                if (mine[j]) {
                    s += nb.sims[t];
                }
            }
            out[i] = s;
        }
    }
}
