package io.panrec.models.data;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Titles and genres of items, by item index of an item {@link Vocabulary}: what {@code panrec recommend}
 * shows beside the ids. Items of the catalog file that never occur in the interactions are left out
 * (they have no index); items without an entry have no title and no genres.
 */
public final class ItemCatalog {
    private final Vocabulary items;
    private final String[] titles;
    private final List<String>[] genres;

    private ItemCatalog(Vocabulary items, String[] titles, List<String>[] genres) {
        this.items = items;
        this.titles = titles;
        this.genres = genres;
    }

    /** A catalog without any entry. */
    public static ItemCatalog empty(Vocabulary items) {
        return new Builder(items).build();
    }

    public static Builder builder(Vocabulary items) {
        return new Builder(items);
    }

    /** Collects entries for the items the vocabulary holds when the builder is made. */
    public static final class Builder {
        private final Vocabulary items;
        private final String[] titles;
        private final List<String>[] genres;
        private int entries;

        @SuppressWarnings("unchecked")
        private Builder(Vocabulary items) {
            this.items = Objects.requireNonNull(items, "items");
            this.titles = new String[items.size()];
            this.genres = (List<String>[]) new List<?>[items.size()];
        }

        /**
         * Sets the entry of raw item id {@code id}; returns false (and does nothing) if the id is not in the
         * vocabulary.
         */
        public boolean put(String id, String title, List<String> itemGenres) {
            int i = items.indexOf(id);
            if (i < 0 || i >= titles.length) {
                return false;
            }
            if (titles[i] == null && genres[i] == null) {
                entries++;
            }
            titles[i] = title;
            genres[i] = List.copyOf(itemGenres);
            return true;
        }

        public int entries() {
            return entries;
        }

        public ItemCatalog build() {
            return new ItemCatalog(items, titles.clone(), genres.clone());
        }
    }

    public Vocabulary items() {
        return items;
    }

    /** The title of item index {@code item}, if the catalog has one. */
    public Optional<String> title(int item) {
        return item >= 0 && item < titles.length ? Optional.ofNullable(titles[item]) : Optional.empty();
    }

    /** The genres of item index {@code item} (empty if unknown). */
    public List<String> genres(int item) {
        if (item < 0 || item >= genres.length || genres[item] == null) {
            return List.of();
        }
        return genres[item];
    }

    /** Items with an entry. */
    public int entries() {
        return (int) Arrays.stream(titles).filter(Objects::nonNull).count();
    }

    @Override
    public String toString() {
        return "ItemCatalog[" + entries() + " of " + titles.length + " items]";
    }
}
