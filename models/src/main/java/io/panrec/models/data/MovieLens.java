package io.panrec.models.data;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Readers of the GroupLens MovieLens releases (Harper and Konstan, ACM TiiS 5(4):19, 2015), from the
 * unpacked folder of each:
 * <ul>
 *   <li><b>100K</b> ({@code ml-100k}): {@code u.data}, tab-separated {@code user item rating timestamp},
 *       no header; {@code u.item}, '|'-separated {@code id|title|release date|video release date|IMDb
 *       URL|} then 19 genre flags, in ISO-8859-1 (titles such as "Misérables" are Latin-1, not UTF-8);
 *       genre names from {@code u.genre}. The official 80/20 five-fold cross-validation files
 *       {@code u1.base}/{@code u1.test} .. {@code u5.*} (disjoint test sets whose union is {@code u.data})
 *       and the {@code ua}/{@code ub} splits (10 test ratings per user) have {@code u.data}'s layout.</li>
 *   <li><b>1M</b> ({@code ml-1m}): {@code ratings.dat} {@code UserID::MovieID::Rating::Timestamp};
 *       {@code movies.dat} {@code MovieID::Title::Genres} with genres separated by '|', ISO-8859-1.</li>
 *   <li><b>latest</b> ({@code ml-latest}, {@code ml-latest-small}, {@code ml-25m}, ...): {@code ratings.csv}
 *       with header {@code userId,movieId,rating,timestamp} (half-star ratings), {@code movies.csv} with
 *       header {@code movieId,title,genres}, UTF-8, titles quoted when they contain commas; CRLF line ends
 *       are accepted; "(no genres listed)" means no genres.</li>
 * </ul>
 * Item catalogs are optional: when the movies file is absent the dataset has an empty catalog. Ids are
 * kept as the strings of the files and indexed in order of first appearance ({@link Vocabulary}).
 */
public final class MovieLens {
    private static final Charset LATIN_1 = StandardCharsets.ISO_8859_1;

    /** The genre columns of {@code u.item}, in order, as listed in the 100K README and {@code u.genre}. */
    static final List<String> GENRES_100K = List.of("unknown", "Action", "Adventure", "Animation", "Children's", "Comedy",
            "Crime", "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi",
            "Thriller", "War", "Western");

    private static final DelimitedFormat U_DATA = new DelimitedFormat("\t", false, false, LATIN_1,
            new DelimitedFormat.Columns("0", "1", "2", "3"));
    private static final DelimitedFormat RATINGS_DAT = new DelimitedFormat("::", false, false, LATIN_1,
            new DelimitedFormat.Columns("0", "1", "2", "3"));
    private static final DelimitedFormat RATINGS_CSV = DelimitedFormat.csv(
            new DelimitedFormat.Columns("userId", "movieId", "rating", "timestamp"));

    private MovieLens() {
    }

    /** A dataset with its official train/test split. */
    public record Fold(Dataset dataset, Split split) {
    }

    /** MovieLens 100K: all of {@code u.data}, with titles and genres from {@code u.item} if present. */
    public static Dataset read100k(Path dir, ReadOptions options) throws IOException {
        Interactions.Builder b = builder();
        ReadReport.FileReport data = DelimitedReader.readInto(dir.resolve("u.data"), U_DATA, options, b, 4);
        Interactions all = b.build();
        List<ReadReport.FileReport> reports = new ArrayList<>(List.of(data));
        ItemCatalog catalog = read100kItems(dir, all.items(), options, reports);
        return new Dataset("ml-100k", all, catalog, new ReadReport(reports));
    }

    /**
     * One official fold of MovieLens 100K: {@code fold} 1..5 reads {@code u<fold>.base} as training and
     * {@code u<fold>.test} as test data (no validation part).
     */
    public static Fold read100kFold(Path dir, int fold, ReadOptions options) throws IOException {
        if (fold < 1 || fold > 5) {
            throw new IllegalArgumentException("MovieLens 100K has folds 1 to 5, not " + fold);
        }
        return read100kSplit(dir, "u" + fold, options);
    }

    /**
     * An official split of MovieLens 100K by file prefix: {@code u1} .. {@code u5} (five-fold cross
     * validation) or {@code ua}, {@code ub} (ten test ratings per user). Training ids are indexed first,
     * so ids seen only in the test file get the last indices (a model has never trained them).
     */
    public static Fold read100kSplit(Path dir, String prefix, ReadOptions options) throws IOException {
        if (!prefix.matches("u[1-5ab]")) {
            throw new IllegalArgumentException("MovieLens 100K splits are u1..u5, ua and ub, not '" + prefix + "'");
        }
        Interactions.Builder b = builder();
        ReadReport.FileReport base = DelimitedReader.readInto(dir.resolve(prefix + ".base"), U_DATA, options, b, 4);
        int nBase = b.size();
        ReadReport.FileReport test = DelimitedReader.readInto(dir.resolve(prefix + ".test"), U_DATA, options, b, 4);
        Interactions all = b.build();
        List<ReadReport.FileReport> reports = new ArrayList<>(List.of(base, test));
        ItemCatalog catalog = read100kItems(dir, all.items(), options, reports);
        Dataset ds = new Dataset("ml-100k/" + prefix, all, catalog, new ReadReport(reports));
        Split split = new Split(all.select(range(0, nBase)), all.select(new int[0]), all.select(range(nBase, all.size())));
        return new Fold(ds, split);
    }

    /** MovieLens 1M: {@code ratings.dat}, with {@code movies.dat} if present. */
    public static Dataset read1m(Path dir, ReadOptions options) throws IOException {
        Interactions.Builder b = builder();
        ReadReport.FileReport data = DelimitedReader.readInto(dir.resolve("ratings.dat"), RATINGS_DAT, options, b, 4);
        Interactions all = b.build();
        List<ReadReport.FileReport> reports = new ArrayList<>(List.of(data));
        ItemCatalog catalog = ItemCatalog.empty(all.items());
        Path movies = dir.resolve("movies.dat");
        if (Files.exists(movies)) {
            ItemCatalog.Builder cb = ItemCatalog.builder(all.items());
            RecordSource src = new RecordSource(movies, options);
            src.forEach(LATIN_1, false, ':', (text, line) -> {
                String[] f = Csv.splitPlain(text, "::");
                if (f.length != 3) {
                    src.malformed(line, "expected 3 fields MovieID::Title::Genres, found " + f.length);
                    return;
                }
                movie(src, line, cb, f[0], f[1], f[2]);
            });
            reports.add(src.report());
            catalog = cb.build();
        }
        return new Dataset("ml-1m", all, catalog, new ReadReport(reports));
    }

    /** MovieLens latest (and 20M/25M/32M, same layout): {@code ratings.csv}, with {@code movies.csv} if present. */
    public static Dataset readLatest(Path dir, ReadOptions options) throws IOException {
        Interactions.Builder b = builder();
        ReadReport.FileReport data = DelimitedReader.readInto(dir.resolve("ratings.csv"), RATINGS_CSV, options, b);
        Interactions all = b.build();
        List<ReadReport.FileReport> reports = new ArrayList<>(List.of(data));
        ItemCatalog catalog = ItemCatalog.empty(all.items());
        Path movies = dir.resolve("movies.csv");
        if (Files.exists(movies)) {
            ItemCatalog.Builder cb = ItemCatalog.builder(all.items());
            RecordSource src = new RecordSource(movies, options);
            boolean[] header = {false};
            src.forEach(StandardCharsets.UTF_8, true, ',', (text, line) -> {
                String[] f;
                try {
                    f = Csv.split(text, ",", true);
                } catch (Csv.SplitException e) {
                    if (!header[0]) {
                        throw src.fatal(line, "header: " + e.getMessage());
                    }
                    src.malformed(line, e.getMessage());
                    return;
                }
                if (!header[0]) {
                    header[0] = true;
                    if (f.length != 3 || !f[0].strip().equals("movieId") || !f[1].strip().equals("title") || !f[2].strip().equals("genres")) {
                        throw src.fatal(line, "expected the header movieId,title,genres, found " + String.join(",", f));
                    }
                    return;
                }
                if (f.length != 3) {
                    src.malformed(line, "expected 3 fields movieId,title,genres, found " + f.length
                            + " (a title with a comma must be quoted)");
                    return;
                }
                movie(src, line, cb, f[0], f[1], f[2]);
            });
            reports.add(src.report());
            catalog = cb.build();
        }
        return new Dataset("ml-latest", all, catalog, new ReadReport(reports));
    }

    // ------------------------------------------------------------------ catalogs

    private static void movie(RecordSource src, long line, ItemCatalog.Builder cb, String id, String title, String genres)
            throws DataFormatException {
        String mid = id.strip();
        if (mid.isEmpty()) {
            src.malformed(line, "empty movie id");
            return;
        }
        List<String> g = new ArrayList<>();
        String gs = genres.strip();
        if (!gs.isEmpty() && !gs.equals("(no genres listed)")) {
            for (String x : gs.split("\\|")) {
                if (!x.isBlank()) {
                    g.add(x.strip());
                }
            }
        }
        cb.put(mid, title.strip(), g);
        src.accepted();
    }

    private static ItemCatalog read100kItems(Path dir, Vocabulary items, ReadOptions options, List<ReadReport.FileReport> reports)
            throws IOException {
        Path file = dir.resolve("u.item");
        if (!Files.exists(file)) {
            return ItemCatalog.empty(items);
        }
        List<String> genreNames = read100kGenres(dir.resolve("u.genre"));
        int fields = 5 + genreNames.size();
        ItemCatalog.Builder cb = ItemCatalog.builder(items);
        RecordSource src = new RecordSource(file, options);
        src.forEach(LATIN_1, false, '|', (text, line) -> {
            String[] f = Csv.splitPlain(text, "|");
            if (f.length != fields) {
                src.malformed(line, "expected " + fields + " fields separated by '|' (id|title|release date|video release date|URL|"
                        + genreNames.size() + " genre flags), found " + f.length);
                return;
            }
            List<String> g = new ArrayList<>();
            for (int k = 0; k < genreNames.size(); k++) {
                String flag = f[5 + k].strip();
                if (flag.equals("1")) {
                    g.add(genreNames.get(k));
                } else if (!flag.equals("0")) {
                    src.malformed(line, "genre flag " + (k + 1) + " (" + genreNames.get(k) + ") is '" + flag + "', not 0 or 1");
                    return;
                }
            }
            String id = f[0].strip();
            if (id.isEmpty()) {
                src.malformed(line, "empty movie id");
                return;
            }
            cb.put(id, f[1].strip(), g);
            src.accepted();
        });
        reports.add(src.report());
        return cb.build();
    }

    /** Genre names from {@code u.genre} ({@code name|index}, indices 0, 1, 2, ... in order), or the README's list. */
    private static List<String> read100kGenres(Path file) throws IOException {
        if (!Files.exists(file)) {
            return GENRES_100K;
        }
        List<String> names = new ArrayList<>();
        RecordSource src = new RecordSource(file, ReadOptions.STRICT);
        src.forEach(LATIN_1, false, '|', (text, line) -> {
            String[] f = Csv.splitPlain(text, "|");
            if (f.length != 2 || !f[1].strip().equals(Integer.toString(names.size())) || f[0].isBlank()) {
                throw src.fatal(line, "expected 'name|" + names.size() + "', found '" + text + "'");
            }
            names.add(f[0].strip());
        });
        if (names.isEmpty()) {
            throw new DataFormatException(file, 0, "no genres");
        }
        return List.copyOf(names);
    }

    private static Interactions.Builder builder() {
        return Interactions.builder(new Vocabulary("users"), new Vocabulary("items"), true, true);
    }

    static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }
}
