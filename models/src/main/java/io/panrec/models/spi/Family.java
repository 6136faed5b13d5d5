package io.panrec.models.spi;

/**
 * The family of a model, as RecBole groups them: what a model consumes decides which data, batches and
 * evaluation protocols fit it.
 */
public enum Family {
    /** User-item interactions only (matrix factorisation, neighbourhood models, NCF, AutoRec). */
    GENERAL,
    /** Interactions with user, item and context features (CTR models: FM, DeepFM, DCN, ...). */
    CONTEXT_AWARE,
    /** Ordered histories: the next item of a session or sequence (GRU4Rec, SASRec, ...). */
    SEQUENTIAL,
    /** Two-tower models whose item vectors are indexed for nearest-neighbour search. */
    RETRIEVAL
}
