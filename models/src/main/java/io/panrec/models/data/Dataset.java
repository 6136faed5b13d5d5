package io.panrec.models.data;

import java.util.Objects;

/**
 * What a reader returns: the interactions, the item catalog (titles and genres; empty when the data has
 * none) and the report of what was read and skipped.
 *
 * @param name         a short name for logs and result files ("ml-100k", "ratings.csv")
 * @param interactions every interaction read, in file order
 * @param catalog      titles and genres by item index
 * @param report       records and malformed lines per file
 */
public record Dataset(String name, Interactions interactions, ItemCatalog catalog, ReadReport report) {
    public Dataset {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(interactions, "interactions");
        Objects.requireNonNull(catalog, "catalog");
        Objects.requireNonNull(report, "report");
        if (catalog.items() != interactions.items()) {
            throw new IllegalArgumentException("Dataset: the catalog is keyed by another item vocabulary than the interactions");
        }
    }
}
