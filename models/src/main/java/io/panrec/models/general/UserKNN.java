package io.panrec.models.general;

import io.panrec.models.spi.AbstractModelProvider;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.Family;
import io.panrec.models.spi.Setting;
import io.panrec.models.spi.Settings;

import java.util.List;

/**
 * User-based k-nearest-neighbour collaborative filtering: J. Herlocker, J. Konstan, A. Borchers, J. Riedl,
 * "An algorithmic framework for performing collaborative filtering", SIGIR 1999 (after P. Resnick et
 * al., "GroupLens", CSCW 1994), for implicit top-N recommendation.
 *
 * <p>Users are compared by the items they interacted with (binary, ratings ignored) under cosine
 * similarity with shrinkage ({@link Neighbours}); each user keeps the {@code neighbours} most similar
 * users. Score of (u, i): the sum of the similarities of u's neighbours who have i in training,
 * {@code sum_{v in N_k(u), i in I(v)} sim(u, v)}. Fitted in one epoch.
 *
 * <p>Defaults: {@code neighbours} 100, {@code shrink} 10.
 */
public final class UserKNN extends NeighbourhoodModel {
    public static final String NAME = "UserKNN";

    UserKNN(Settings settings, DatasetSchema schema) {
        super(NAME, settings, schema);
    }

    /** Registered in {@code META-INF/services}. */
    public static final class Provider extends AbstractModelProvider {
        public Provider() {
            super(NAME, Family.GENERAL, "user-based k-nearest neighbours with cosine similarity and shrinkage (Herlocker et al. 1999)",
                    UserKNN::new);
        }

        @Override
        public List<Setting> defaults() {
            return NeighbourhoodModel.defaults(100, 10.0, "users");
        }
    }

    @Override
    int rows() {
        return schema.numUsers();
    }

    @Override
    boolean itemBased() {
        return false;
    }

    @Override
    float score(int user, int item) {
        Neighbours nb = neighbours;
        Csr h = history;
        float s = 0;
        for (int t = user * k; t < user * k + k; t++) {
            int v = nb.ids[t];
            if (v < 0) {
                break;
            }
            if (h.contains(v, item)) {
                s += nb.sims[t];
            }
        }
        return s;
    }

    @Override
    void scoreAll(int user, float[] out) {
        Neighbours nb = neighbours;
        Csr h = history;
        for (int t = user * k; t < user * k + k; t++) {
            int v = nb.ids[t];
            if (v < 0) {
                break;
            }
            float sim = nb.sims[t];
            for (int a = h.offsets[v]; a < h.offsets[v + 1]; a++) {
                out[h.cols[a]] += sim;
            }
        }
    }
}
