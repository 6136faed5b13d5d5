package io.panrec.cli.search;

import io.panrec.lucene.CatalogItem;
import io.panrec.models.data.Dataset;
import io.panrec.models.data.Datasets;
import io.panrec.models.data.Interactions;
import io.panrec.models.data.ReadOptions;
import io.panrec.models.data.Vocabulary;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A catalogue and an interaction log, as the demo and {@code panrec index} use them: generated
 * ({@link SyntheticCatalog}) or read from MovieLens ({@code ml-100k:DIR}, {@code ml-1m:DIR}: titles and
 * genres from the movies file).
 *
 * @param name      what the data is, for display
 * @param about     one line describing it
 * @param log       the interactions, as implicit feedback; its vocabularies are the model's
 * @param catalogue one item per index of the log's item vocabulary, in index order, with the number of
 *                  interactions as popularity
 * @param kind      where it came from
 */
public record DemoData(String name, String about, Interactions log, List<CatalogItem> catalogue, Kind kind) {
    public enum Kind { SYNTHETIC, MOVIELENS }

    public DemoData {
        if (catalogue.size() != log.items().size()) {
            throw new IllegalArgumentException("the catalogue has " + catalogue.size() + " items but the log's vocabulary " + log.items().size());
        }
        catalogue = List.copyOf(catalogue);
    }

    /**
     * Reads {@code spec}: {@code synthetic} (the generator with {@code config}) or a MovieLens
     * {@code KIND:PATH} ({@code ml-100k}, {@code ml-1m}, {@code ml-latest}); every rating is a positive.
     */
    public static DemoData read(String spec, SyntheticCatalog.Config config) throws IOException {
        if (spec == null || spec.equalsIgnoreCase("synthetic")) {
            return SyntheticCatalog.generate(config);
        }
        int colon = spec.indexOf(':');
        String kind = colon < 0 ? spec : spec.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!kind.startsWith("ml-")) {
            throw new IllegalArgumentException("data '" + spec + "': the demo reads 'synthetic' or MovieLens with titles and genres "
                    + "(ml-100k:DIR, ml-1m:DIR, ml-latest:DIR); csv and tsv logs have no catalogue to search");
        }
        Dataset d = Datasets.read(spec, null, ReadOptions.STRICT);
        if (d.catalog().entries() == 0) {
            throw new IllegalArgumentException("data '" + spec + "' has no titles (the movies file is missing): nothing to search");
        }
        Interactions log = d.interactions().implicit(Float.NEGATIVE_INFINITY);
        int[] counts = log.itemCounts();
        double[] popularity = new double[counts.length];
        for (int i = 0; i < counts.length; i++) {
            popularity[i] = counts[i];
        }
        List<CatalogItem> items = CatalogItem.fromCatalog(d.catalog(), popularity);
        return new DemoData(d.name(), log.size() + " ratings (all as positives) of " + log.numUsers() + " users on " + log.numItems()
                + " movies; titles and genres from the movies file", log, items, Kind.MOVIELENS);
    }

    /** The share of each genre among the items of {@code user}'s history, largest first (an item of two genres counts for both). */
    public Map<String, Double> genreShares(int user) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        int total = 0;
        int[] users = log.userColumn();
        int[] items = log.itemColumn();
        for (int row = 0; row < users.length; row++) {
            if (users[row] == user) {
                total++;
                for (String g : catalogue.get(items[row]).genres()) {
                    counts.merge(g, 1, Integer::sum);
                }
            }
        }
        List<Map.Entry<String, Integer>> sorted = new ArrayList<>(counts.entrySet());
        sorted.sort(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()));
        Map<String, Double> shares = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : sorted) {
            shares.put(e.getKey(), total == 0 ? 0 : e.getValue() / (double) total);
        }
        return shares;
    }

    /** The user's favourite genres: the top two of {@link #genreShares}, fewer if the history has fewer. */
    public List<String> favouriteGenres(int user) {
        return genreShares(user).keySet().stream().limit(2).toList();
    }

    /**
     * Users to show: {@code count} users with at least 20 interactions whose favourite genres differ,
     * taken in vocabulary order (deterministic), so that their reranked lists differ visibly.
     */
    public List<String> pickUsers(int count) {
        Vocabulary users = log.users();
        int[] perUser = log.userCounts();
        List<String> picked = new ArrayList<>();
        List<String> usedTop = new ArrayList<>();
        for (int pass = 0; pass < 2 && picked.size() < count; pass++) {
            for (int u = 0; u < users.size() && picked.size() < count; u++) {
                if (picked.contains(users.id(u)) || perUser[u] < Math.min(20, maxCount(perUser))) {
                    continue;
                }
                List<String> fav = favouriteGenres(u);
                String top = fav.isEmpty() ? "" : fav.getFirst();
                if (pass == 1 || !usedTop.contains(top)) {
                    picked.add(users.id(u));
                    usedTop.add(top);
                }
            }
        }
        return picked;
    }

    private static int maxCount(int[] counts) {
        int m = 0;
        for (int c : counts) {
            m = Math.max(m, c);
        }
        return m;
    }

    /** Queries whose words match items of many genres, one per shown user (cycled). */
    public List<String> defaultQueries() {
        return kind == Kind.SYNTHETIC ? List.of("lost city", "night", "secret road") : List.of("love", "man", "night");
    }
}
