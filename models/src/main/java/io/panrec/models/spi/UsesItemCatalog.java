package io.panrec.models.spi;

import io.panrec.models.data.ItemCatalog;

/**
 * Implemented by models that read item side information (genres) from the dataset's
 * {@link ItemCatalog}. Whoever trains such a model hands it the catalog after {@link ModelProvider#create}
 * and before training ({@code panrec train/evaluate} do when the data has one); a model trained without
 * it sees every item with no genres. What the model takes from the catalog must be part of its
 * {@link Recommender#stateDict() state}, so that a loaded bundle needs no catalog.
 */
public interface UsesItemCatalog {
    /**
     * Takes the side information of {@code catalog}, keyed by the same item vocabulary as the training data.
     *
     * @throws IllegalArgumentException if the catalog's items differ in number from the model's, or the
     *                                  catalog does not fit the model's settings (too many genres)
     */
    void useItemCatalog(ItemCatalog catalog);
}
