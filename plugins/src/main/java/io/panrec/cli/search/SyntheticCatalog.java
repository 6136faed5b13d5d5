package io.panrec.cli.search;

import io.panrec.models.data.Interactions;
import io.panrec.models.data.Vocabulary;
import io.panrec.lucene.CatalogItem;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A small, documented, generated catalogue and interaction log for the demo: no download, the same
 * data for the same seed.
 *
 * <h2>Items</h2>
 * Each item has a main genre (uniform over {@link #GENRES}) and, for 30% of the items, a second one.
 * Its title joins one word shared by all genres ({@link #SHARED}: "lost", "night", "city", ...) with one
 * or two words of its main genre's vocabulary, e.g. "The Lost Nebula", "Night of the Vampire",
 * "Outlaw Honeymoon" (a Western-Romance). A query made of shared words therefore matches items of every
 * genre about equally: BM25 alone cannot know which of them a user wants. Its year is drawn around the
 * genre's era; its popularity (a hidden quality) from a normal distribution.
 *
 * <h2>Users and the log</h2>
 * Each user has hidden tastes over genres: two favourite genres drawn at random, with weights 2.0 and
 * 1.5 on a base of 0. A user interacts with {@code perUser} distinct items drawn by a Gumbel-top-k draw
 * from {@code softmax(2 * taste(main genre) + 0.8 * taste(second genre) + popularity)}, one timestamp a
 * day apart each. So the log is dominated by the users' genres, and a recommender that learns it ranks
 * those genres higher: that is the effect the demo makes visible.
 */
public final class SyntheticCatalog {
    /** The genres, each with its vocabulary (the first word is the genre's usual noun). */
    public static final List<String> GENRES = List.of("Sci-Fi", "Fantasy", "Horror", "Romance", "Comedy", "Crime", "Western", "Documentary");

    static final Map<String, List<String>> VOCABULARY = Map.of(
            "Sci-Fi", List.of("Galaxy", "Robot", "Nebula", "Starship", "Android", "Mars", "Orbit", "Quantum", "Cyborg", "Planet", "Alien", "Laser"),
            "Fantasy", List.of("Dragon", "Wizard", "Kingdom", "Sword", "Elf", "Sorcerer", "Throne", "Enchanted", "Quest", "Spell", "Knight", "Giant"),
            "Horror", List.of("Vampire", "Ghost", "Haunting", "Zombie", "Curse", "Scream", "Crypt", "Demon", "Blood", "Witch", "Nightmare", "Graveyard"),
            "Romance", List.of("Love", "Wedding", "Kiss", "Valentine", "Sweetheart", "Romance", "Honeymoon", "Darling", "Promise", "Affair", "Letters", "Summer"),
            "Comedy", List.of("Party", "Roommates", "Vacation", "Dude", "Crazy", "Prank", "Goofballs", "Bachelor", "Hangover", "Mayhem", "Nerds", "Office"),
            "Crime", List.of("Heist", "Detective", "Mob", "Murder", "Gangster", "Cop", "Alibi", "Ransom", "Witness", "Verdict", "Hitman", "Cartel"),
            "Western", List.of("Outlaw", "Sheriff", "Frontier", "Cowboy", "Saloon", "Gunfight", "Ranch", "Stagecoach", "Bandit", "Prairie", "Rider", "Canyon"),
            "Documentary", List.of("Story", "Life", "Journey", "Ocean", "Nature", "Voices", "Portrait", "Inside", "Wildlife", "Truth", "Makers", "Earth"));

    /** Words of every genre, so that a query of them matches items of all genres. */
    public static final List<String> SHARED = List.of("Lost", "Night", "City", "Last", "Secret", "Return", "Shadow", "Road", "World", "House",
            "River", "Dark");

    /** The middle year of each genre's items (years are drawn +- 25 around it). */
    private static final Map<String, Integer> ERA = Map.of("Sci-Fi", 1995, "Fantasy", 2000, "Horror", 1985, "Romance", 1990, "Comedy", 2003,
            "Crime", 1980, "Western", 1965, "Documentary", 2008);

    private SyntheticCatalog() {
    }

    /** The sizes and seed of a generated dataset. */
    public record Config(int items, int users, int perUser, long seed) {
        public Config {
            if (items < 20 || users < 2 || perUser < 2 || perUser > items / 4) {
                throw new IllegalArgumentException("synthetic data: need items >= 20, users >= 2 and 2 <= interactions per user <= items / 4; got "
                        + items + " items, " + users + " users, " + perUser + " per user");
            }
        }

        /** The demo's defaults: generated and trained in a few seconds. */
        public static Config defaults(long seed) {
            return new Config(3000, 1500, 40, seed);
        }
    }

    /** Generates the catalogue and log of {@code config}. */
    public static DemoData generate(Config config) {
        SplittableRandom r = new SplittableRandom(config.seed());
        int n = config.items();
        int g = GENRES.size();
        int[] main = new int[n];
        int[] second = new int[n];
        double[] quality = new double[n];
        List<CatalogItem> items = new ArrayList<>(n);
        Vocabulary itemIds = new Vocabulary("items");
        for (int i = 0; i < n; i++) {
            main[i] = r.nextInt(g);
            second[i] = r.nextDouble() < 0.3 ? (main[i] + 1 + r.nextInt(g - 1)) % g : -1;
            quality[i] = r.nextGaussian() * 0.7;
            String genre = GENRES.get(main[i]);
            List<String> genres = second[i] < 0 ? List.of(genre) : List.of(genre, GENRES.get(second[i]));
            String id = "m" + i;
            itemIds.add(id);
            String title = title(r, genre, second[i] < 0 ? null : GENRES.get(second[i]));
            int year = Math.min(2025, ERA.get(genre) - 25 + r.nextInt(51));
            items.add(new CatalogItem(id, title, Map.of(), genres, year, Double.NaN));
        }

        Vocabulary userIds = new Vocabulary("users");
        Interactions.Builder log = Interactions.builder(userIds, itemIds, false, true);
        long day = 86_400L;
        long start = 1_600_000_000L;
        double[] key = new double[n];
        int[] top = new int[config.perUser()];
        int[] count = new int[n];
        for (int u = 0; u < config.users(); u++) {
            double[] taste = new double[g];
            int first = r.nextInt(g);
            int other = (first + 1 + r.nextInt(g - 1)) % g;
            taste[first] = 2.0;
            taste[other] = 1.5;
            for (int i = 0; i < n; i++) {
                double s = 2 * taste[main[i]] + (second[i] >= 0 ? 0.8 * taste[second[i]] : 0) + quality[i];
                key[i] = s - Math.log(-Math.log(r.nextDouble(1e-12, 1))); // Gumbel: the top k keys are a draw without replacement
            }
            topK(key, top);
            String user = "u" + u;
            for (int k = 0; k < top.length; k++) {
                int i = top[k];
                log.add(user, itemIds.id(i), 1f, start + (long) u * 37 + k * day);
                count[i]++;
            }
        }
        List<CatalogItem> withPopularity = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            withPopularity.add(items.get(i).withPopularity(count[i]));
        }
        String name = "synthetic (seed " + config.seed() + ")";
        String about = config.items() + " items of " + g + " genres with titles from genre words and shared words, " + config.users() + " users with two "
                + "favourite genres each, " + config.perUser() + " interactions per user";
        return new DemoData(name, about, log.build(), withPopularity, DemoData.Kind.SYNTHETIC);
    }

    /** The indices of the {@code out.length} largest keys, best first: a min-heap of the best so far, O(n log k). */
    static void topK(double[] key, int[] out) {
        int k = out.length;
        int size = 0;
        for (int i = 0; i < key.length; i++) {
            if (size < k) {
                out[size] = i;
                int c = size++;
                while (c > 0 && key[out[(c - 1) / 2]] > key[out[c]]) {
                    swap(out, c, (c - 1) / 2);
                    c = (c - 1) / 2;
                }
            } else if (key[i] > key[out[0]]) {
                out[0] = i;
                int c = 0;
                while (true) {
                    int l = 2 * c + 1;
                    int m = l + 1 < k && key[out[l + 1]] < key[out[l]] ? l + 1 : l;
                    if (l >= k || key[out[c]] <= key[out[m]]) {
                        break;
                    }
                    swap(out, c, m);
                    c = m;
                }
            }
        }
        // heap order to best first
        Integer[] sorted = new Integer[size];
        for (int j = 0; j < size; j++) {
            sorted[j] = out[j];
        }
        java.util.Arrays.sort(sorted, (a, b) -> Double.compare(key[b], key[a]));
        for (int j = 0; j < size; j++) {
            out[j] = sorted[j];
        }
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }

    private static String title(SplittableRandom r, String genre, String secondGenre) {
        List<String> words = VOCABULARY.get(genre);
        String shared = SHARED.get(r.nextInt(SHARED.size()));
        String a = words.get(r.nextInt(words.size()));
        String b = secondGenre != null ? VOCABULARY.get(secondGenre).get(r.nextInt(12)) : words.get(r.nextInt(words.size()));
        return switch (r.nextInt(5)) {
            case 0 -> "The " + shared + " " + a;
            case 1 -> a + " of the " + shared + " " + b;
            case 2 -> shared + " " + a + " " + b;
            case 3 -> shared + " " + a;
            default -> a + " " + b + ": " + shared;
        };
    }
}
