package io.panrec.lucene;

import io.panrec.models.data.ItemCatalog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One item of a catalogue, as {@link CatalogIndexer} indexes it.
 *
 * @param id         the raw item id, the same string the model's item {@link io.panrec.models.data.Vocabulary}
 *                   holds (that is how a search hit finds its model index); not empty
 * @param title      the title (searched and stored); may be empty
 * @param text       further text fields by name (description, plot, ...), searched and stored; names must
 *                   not be one of {@link CatalogIndexer}'s reserved field names
 * @param genres     genres, indexed as exact terms for filtering and searched as text
 * @param year       the year, or {@link #NO_YEAR}
 * @param popularity a prior such as the number of interactions in the training data (used by the
 *                   rescorer's popularity fallback), or {@code NaN} if unknown
 */
public record CatalogItem(String id, String title, Map<String, String> text, List<String> genres, int year, double popularity) {
    /** The year of an item whose year is unknown. */
    public static final int NO_YEAR = Integer.MIN_VALUE;

    private static final Pattern TRAILING_YEAR = Pattern.compile("\\((\\d{4})\\)\\s*$");

    public CatalogItem {
        Objects.requireNonNull(id, "id");
        if (id.isEmpty()) {
            throw new IllegalArgumentException("catalog item id is empty");
        }
        title = title == null ? "" : title;
        text = text == null ? Map.of() : Map.copyOf(text);
        genres = genres == null ? List.of() : List.copyOf(genres);
        if (!Double.isNaN(popularity) && !Double.isFinite(popularity)) {
            throw new IllegalArgumentException("catalog item '" + id + "': popularity " + popularity + " is not finite (use NaN for unknown)");
        }
    }

    /** An item with a title and genres only. */
    public static CatalogItem of(String id, String title, List<String> genres) {
        return new CatalogItem(id, title, Map.of(), genres, NO_YEAR, Double.NaN);
    }

    public boolean hasYear() {
        return year != NO_YEAR;
    }

    public CatalogItem withYear(int newYear) {
        return new CatalogItem(id, title, text, genres, newYear, popularity);
    }

    public CatalogItem withPopularity(double newPopularity) {
        return new CatalogItem(id, title, text, genres, year, newPopularity);
    }

    /** A copy with one more text field. */
    public CatalogItem withText(String field, String value) {
        Map<String, String> m = new LinkedHashMap<>(text);
        m.put(field, value);
        return new CatalogItem(id, title, m, genres, year, popularity);
    }

    /**
     * The items of a models {@link ItemCatalog} (titles and genres by item index), in index order. The
     * year is taken from a title ending in {@code "(1995)"}, MovieLens' convention, and left in the title.
     *
     * @param popularity a prior by item index (e.g. interaction counts), or null
     */
    public static List<CatalogItem> fromCatalog(ItemCatalog catalog, double[] popularity) {
        int n = catalog.items().size();
        if (popularity != null && popularity.length != n) {
            throw new IllegalArgumentException("popularity has " + popularity.length + " entries but the catalog's vocabulary has " + n + " items");
        }
        List<CatalogItem> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String title = catalog.title(i).orElse("");
            out.add(new CatalogItem(catalog.items().id(i), title, Map.of(), catalog.genres(i), yearOf(title),
                    popularity == null ? Double.NaN : popularity[i]));
        }
        return out;
    }

    /** The year of a title ending in {@code "(YYYY)"}, else {@link #NO_YEAR}. */
    static int yearOf(String title) {
        Matcher m = TRAILING_YEAR.matcher(title);
        return m.find() ? Integer.parseInt(m.group(1)) : NO_YEAR;
    }
}
