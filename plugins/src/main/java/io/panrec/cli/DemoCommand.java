package io.panrec.cli;

import io.panrec.backend.Backends;
import io.panrec.cli.search.DemoData;
import io.panrec.cli.search.SearchSteps;
import io.panrec.cli.search.SyntheticCatalog;
import io.panrec.lucene.CatalogItem;
import io.panrec.lucene.CatalogQueries;
import io.panrec.lucene.Combination;
import io.panrec.lucene.RerankModel;
import io.panrec.lucene.Reranking;
import io.panrec.lucene.UserContext;
import io.panrec.lucene.VectorModel;
import io.panrec.lucene.VectorRetriever;
import io.panrec.models.bundle.Bundle;
import io.panrec.models.spi.ModelRegistry;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * The main job, {@code ./panrec demo}: search a catalogue with Lucene and let a recommender personalise
 * the results. Without arguments and without network it generates a catalogue and an interaction log
 * ({@link SyntheticCatalog}), trains a model on the log (BPR matrix factorisation by default), indexes
 * the items with their vectors, then for a few users with different tastes prints, side by side, the
 * BM25 top 10 of a query, the same hits reranked by the model, and the items retrieved by the user's
 * vector among those matching the query (Lucene kNN), with the time of every step. With
 * {@code --data ml-100k:DIR} it does the same on MovieLens.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Search a catalogue with Lucene BM25, rerank the hits with a recommender and retrieve by the user's vector, side by side.",
                "Generated data by default (no network); --data ml-100k:DIR for MovieLens."})
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--data", paramLabel = "SPEC", defaultValue = "synthetic",
            description = "'synthetic' (default) or MovieLens with titles: ml-100k:DIR, ml-1m:DIR.")
    String data;
    @Option(names = "--seed", defaultValue = "42", description = "Seed of the generated data and of training (default ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--users", defaultValue = "3", description = "How many users to show (default ${DEFAULT-VALUE}); picked with different favourite genres.")
    int shownUsers;
    @Option(names = "--user", paramLabel = "ID", description = "Show this user (repeatable) instead of picking.")
    List<String> userIds;
    @Option(names = "--query", paramLabel = "TEXT", description = "The query (repeatable: one per user, cycled); default: words that match every genre.")
    List<String> queries;
    @Option(names = "--model", defaultValue = "BPRMF", description = "The model, by registry name (default ${DEFAULT-VALUE}); kNN needs one with "
            + "user and item vectors (BPRMF, iALS).")
    String modelName;
    @Option(names = "--epochs", defaultValue = "15", description = "Training epochs (default ${DEFAULT-VALUE}).")
    int epochs;
    @Option(names = "--depth", defaultValue = "200", description = "BM25 hits reranked per query (default ${DEFAULT-VALUE}).")
    int depth;
    @Option(names = {"-k", "--top"}, defaultValue = "10", description = "Results shown per list (default ${DEFAULT-VALUE}).")
    int k;
    @Option(names = "--combine", defaultValue = "blend:0.85", description = "How the model score combines with BM25: replace, blend:W, rrf[:K] "
            + "(default ${DEFAULT-VALUE}).")
    String combine;
    @Option(names = "--work", paramLabel = "DIR", description = "Keep the index (DIR/index) and the model bundle (DIR/model) here, for "
            + "'panrec search'; default: a temporary folder, removed at the end.")
    Path work;
    @Option(names = "--items", defaultValue = "3000", description = "Generated items (default ${DEFAULT-VALUE}).")
    int items;
    @Option(names = "--synthetic-users", defaultValue = "1500", description = "Generated users (default ${DEFAULT-VALUE}).")
    int syntheticUsers;
    @Option(names = "--per-user", defaultValue = "40", description = "Generated interactions per user (default ${DEFAULT-VALUE}).")
    int perUser;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    static final int WIDTH = 44;

    /** What was shown for one user: item ids of the three lists and how many of each are of a favourite genre. */
    public record Shown(String user, String query, List<String> favourites, List<String> bm25, List<String> reranked, List<String> knn,
                        int bm25Favourite, int rerankedFavourite, int knnFavourite) {
    }

    @Override
    public Integer call() throws IOException {
        run(spec.commandLine().getOut());
        return 0;
    }

    List<Shown> run(PrintWriter out) throws IOException {
        if (shownUsers < 1 || epochs < 1 || depth < 1 || k < 1 || k > depth) {
            throw new IllegalArgumentException("demo: need --users, --epochs, --depth >= 1 and 1 <= -k <= --depth");
        }
        Combination combination = Combination.parse(combine);
        ModelRegistry registry = ModelRegistry.discover();
        registry.get(modelName); // fail before generating anything

        long t0 = System.nanoTime();
        DemoData d = DemoData.read(data, new SyntheticCatalog.Config(items, syntheticUsers, perUser, seed));
        double generateMs = ms(t0);
        out.printf(Locale.ROOT, "panrec demo: %s%n  %s%n", d.name(), d.about());
        out.printf(Locale.ROOT, "backend: %s (./panrec backends lists them; PANREC_JAVA_OPTS=-Dpanrec.backend=NAME picks one)%n", Backends.current().name());
        out.printf(Locale.ROOT, "  %-66s %10s%n", d.kind() == DemoData.Kind.SYNTHETIC ? "generate catalogue and interaction log" : "read " + data,
                SearchSteps.millis(generateMs));
        out.flush();

        t0 = System.nanoTime();
        SearchSteps.Trained trained = SearchSteps.train(registry, modelName, d, epochs, seed, null);
        out.printf(Locale.ROOT, "  %-66s %10s%n", String.format(Locale.ROOT, "train %s on %d interactions (%d epochs, last loss %.4f)",
                trained.model().settings().owner(), d.log().size(), trained.result().epochs(), trained.lastLoss()), SearchSteps.millis(ms(t0)));
        out.flush();

        VectorModel vectors = null;
        String noKnn = null;
        try {
            vectors = VectorModel.of(trained.model());
        } catch (IllegalArgumentException e) {
            noKnn = e.getMessage();
        }

        Path tmp = work == null ? Files.createTempDirectory("panrec-demo") : null;
        Path root = work != null ? work : tmp;
        try {
            Path indexDir = root.resolve("index");
            t0 = System.nanoTime();
            int withVectors;
            try (Directory dir = FSDirectory.open(indexDir)) {
                withVectors = SearchSteps.index(dir, d.catalogue(), vectors, d.log().items());
            }
            out.printf(Locale.ROOT, "  %-66s %10s%n", "index " + d.catalogue().size() + " items" + (vectors == null ? "" : ", " + withVectors
                    + " with a " + vectors.dimension() + "-d vector") + " (Lucene " + org.apache.lucene.util.Version.LATEST + ")", SearchSteps.millis(ms(t0)));
            if (work != null) {
                t0 = System.nanoTime();
                Bundle.save(root.resolve("model"), trained.model(), d.log().users(), d.log().items());
                out.printf(Locale.ROOT, "  %-66s %10s%n", "save the model bundle to " + root.resolve("model"), SearchSteps.millis(ms(t0)));
            }
            out.flush();
            try (Directory dir = FSDirectory.open(indexDir); DirectoryReader reader = DirectoryReader.open(dir)) {
                return show(out, d, trained, combination, new IndexSearcher(reader), vectors, noKnn);
            }
        } finally {
            if (tmp != null) {
                deleteTree(tmp);
            }
        }
    }

    private List<Shown> show(PrintWriter out, DemoData d, SearchSteps.Trained trained, Combination combination, IndexSearcher searcher,
                             VectorModel vectors, String noKnn) throws IOException {
        RerankModel reranker = RerankModel.builder(trained.model(), d.log().items()).users(d.log().users()).combination(combination).build();
        VectorRetriever retriever = vectors == null ? null : new VectorRetriever(vectors, d.log().users());
        List<String> users = userIds != null && !userIds.isEmpty() ? userIds : d.pickUsers(shownUsers);
        List<String> qs = queries != null && !queries.isEmpty() ? queries : d.defaultQueries();
        String model = trained.model().settings().owner();
        List<Shown> shown = new ArrayList<>();
        for (int n = 0; n < users.size(); n++) {
            String user = users.get(n);
            int u = d.log().users().indexOf(user);
            if (u < 0) {
                throw new IllegalArgumentException("user '" + user + "' is not in the data (ids look like '" + d.log().users().id(0) + "')");
            }
            String query = qs.get(n % qs.size());
            Map<String, Double> shares = d.genreShares(u);
            List<String> favourites = d.favouriteGenres(u);
            out.println();
            out.printf(Locale.ROOT, "user %s — favourite genres: %s (share of the %d items in their history); query \"%s\"%n", user,
                    String.join(", ", shares.entrySet().stream().limit(3).map(e -> String.format(Locale.ROOT, "%s %.0f%%", e.getKey(), 100 * e.getValue()))
                            .toList()), d.log().userCounts()[u], query);

            Query text = CatalogQueries.text(query);
            UserContext who = UserContext.user(user);
            TopDocs bm25 = searcher.search(text, depth);
            Reranking reranking = reranker.rescorer(who).rerank(searcher, bm25);
            TopDocs reranked = reranking.top(k);
            TopDocs knn = retriever == null ? null : retriever.retrieve(searcher, who, k, text);
            // the first calls include class loading and compilation: time what a running service sees
            double bm25Ms = medianMs(() -> searcher.search(text, depth));
            double rerankMs = medianMs(() -> reranker.rescorer(who).rescore(searcher, bm25, k));
            double knnMs = retriever == null ? Double.NaN : medianMs(() -> retriever.retrieve(searcher, who, k, text));
            List<CatalogItem> a = items(searcher, bm25, k);
            List<CatalogItem> b = items(searcher, reranked, k);
            List<CatalogItem> c = knn == null ? List.of() : items(searcher, knn, k);
            out.println("   " + SearchSteps.fit(String.format(Locale.ROOT, "BM25 top %d of %d hits", a.size(), bm25.totalHits.value()), WIDTH) + " | "
                    + SearchSteps.fit(String.format(Locale.ROOT, "those %d hits reranked: %s, %s", bm25.scoreDocs.length, model, combination), WIDTH) + " | "
                    + (knn == null ? "kNN: not available" : "kNN by the user's vector, matching the query"));
            int rows = Math.max(a.size(), Math.max(b.size(), c.size()));
            for (int r = 0; r < rows; r++) {
                out.printf(Locale.ROOT, "%2d %s | %s | %s%n", r + 1, cell(a, r, favourites), cell(b, r, favourites),
                        c.isEmpty() ? "" : cell(c, r, favourites).stripTrailing());
            }
            int fa = favouriteCount(a, favourites);
            int fb = favouriteCount(b, favourites);
            int fc = favouriteCount(c, favourites);
            out.println("   " + SearchSteps.fit(String.format(Locale.ROOT, "* favourite genre: %d of %d", fa, a.size()), WIDTH) + " | "
                    + SearchSteps.fit(String.format(Locale.ROOT, "* favourite genre: %d of %d", fb, b.size()), WIDTH) + " | "
                    + (knn == null ? noKnn : String.format(Locale.ROOT, "* favourite genre: %d of %d", fc, c.size())));
            out.printf(Locale.ROOT, "   time (median of %d runs after the first): BM25 search %s, rerank %d hits %s%s%n", REPEATS,
                    SearchSteps.millis(bm25Ms), bm25.scoreDocs.length, SearchSteps.millis(rerankMs), knn == null ? "" : ", kNN " + SearchSteps.millis(knnMs));
            out.flush();
            shown.add(new Shown(user, query, favourites, ids(a), ids(b), ids(c), fa, fb, fc));
        }
        out.println();
        out.println("* marks an item of one of the user's two favourite genres. The same BM25 hits, reranked, move the user's genres up;");
        out.println("kNN finds them directly among all items matching the query. Step by step: panrec index, panrec search (see --help).");
        out.flush();
        return shown;
    }

    static final int REPEATS = 21;

    private interface Step {
        Object run() throws IOException;
    }

    private static double medianMs(Step step) throws IOException {
        double[] t = new double[REPEATS];
        for (int i = 0; i < REPEATS; i++) {
            long t0 = System.nanoTime();
            step.run();
            t[i] = ms(t0);
        }
        java.util.Arrays.sort(t);
        return t[REPEATS / 2];
    }

    private static String cell(List<CatalogItem> list, int r, List<String> favourites) {
        return r < list.size() ? SearchSteps.cell(list.get(r), favourites, WIDTH) : " ".repeat(WIDTH);
    }

    private static List<CatalogItem> items(IndexSearcher searcher, TopDocs docs, int k) throws IOException {
        List<CatalogItem> out = new ArrayList<>();
        for (ScoreDoc sd : docs.scoreDocs) {
            if (out.size() == k) {
                break;
            }
            out.add(CatalogQueries.read(searcher, sd.doc));
        }
        return out;
    }

    private static int favouriteCount(List<CatalogItem> items, List<String> favourites) {
        int n = 0;
        for (CatalogItem item : items) {
            if (item.genres().stream().anyMatch(favourites::contains)) {
                n++;
            }
        }
        return n;
    }

    private static List<String> ids(List<CatalogItem> items) {
        return items.stream().map(CatalogItem::id).toList();
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
