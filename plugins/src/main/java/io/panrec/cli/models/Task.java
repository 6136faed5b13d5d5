package io.panrec.cli.models;

import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.ModelProvider;

/**
 * What a model predicts, which decides the command line's defaults: a rating model (BiasedMF, the
 * AutoRecs) predicts explicit ratings and is measured by RMSE on the rating protocol; a ranking model
 * (everything else) orders items for a user, learns from implicit feedback and is measured by the
 * sampled ranking protocol; a CTR model (family context-aware) learns labelled rows with feature fields
 * and is measured by AUC and LogLoss.
 *
 * <p>The model SPI has no flag for this, so it is read from what the model accepts: a model that
 * refuses data without ratings but accepts data with them is a rating model (that refusal is what the
 * rating models document). The probe builds each model once on a 2 x 2 schema, which costs nothing.
 */
enum Task {
    RATING("rating", "RMSE"),
    RANKING("sampled", "NDCG@10"),
    /** Context-aware (CTR) models: labelled rows with feature fields, measured by AUC and LogLoss ({@link CtrExperiment}). */
    CTR("ctr", "AUC"),
    /**
     * A sequential model (GRU4Rec, SASRec): it predicts the next item of a session or history, measured by
     * the next-item protocol (each test item ranked against all items after everything before it).
     */
    SEQUENCE("next-item", "NDCG@10");

    /** The protocol {@code evaluate} uses when none is given. */
    final String defaultProtocol;
    /** The validation metric early stopping watches. */
    final String validationMetric;

    Task(String defaultProtocol, String validationMetric) {
        this.defaultProtocol = defaultProtocol;
        this.validationMetric = validationMetric;
    }

    static Task of(ModelProvider provider) {
        if (provider.family() == io.panrec.models.spi.Family.CONTEXT_AWARE) {
            return CTR;
        }
        if (provider.family() == io.panrec.models.spi.Family.SEQUENTIAL) {
            return SEQUENCE;
        }
        if (accepts(provider, DatasetSchema.implicit(2, 2))) {
            return RANKING;
        }
        return accepts(provider, DatasetSchema.explicit(2, 2, 1, 5)) ? RATING : RANKING;
    }

    private static boolean accepts(ModelProvider provider, DatasetSchema schema) {
        try {
            provider.create(provider.defaultSettings(), schema);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
