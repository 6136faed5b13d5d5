package io.panrec.cli.search;

import io.panrec.lucene.CatalogIndexer;
import io.panrec.lucene.CatalogItem;
import io.panrec.lucene.CatalogQueries;
import io.panrec.lucene.Combination;
import io.panrec.lucene.RecommenderRescorer;
import io.panrec.lucene.RerankModel;
import io.panrec.lucene.Reranking;
import io.panrec.lucene.UserContext;
import io.panrec.lucene.VectorModel;
import io.panrec.lucene.VectorRetriever;
import io.panrec.models.bundle.Bundle;
import io.panrec.models.spi.ModelRegistry;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FieldInfos;
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
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code panrec search}: the demo's search steps alone, over an index written by {@code panrec index}
 * (or {@code panrec demo --work DIR}): BM25 for a query; with a user and a model bundle, the BM25 hits
 * reranked by the model; with {@code --knn}, the items nearest to the user's vector (among those
 * matching the query, if one is given).
 */
@Command(name = "search", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Search an index: BM25 for --query; reranked for --user with --rerank MODEL_DIR; retrieval by the user's vector with --knn."})
public final class SearchCommand implements Callable<Integer> {
    @Option(names = "--index", required = true, paramLabel = "DIR", description = "An index written by 'panrec index' or 'panrec demo --work'.")
    Path index;
    @Option(names = "--query", paramLabel = "TEXT", description = "Words searched with BM25 in titles, text and genres.")
    String query;
    @Option(names = "--user", paramLabel = "ID", description = "The user to personalise for (an id of the model's data).")
    String user;
    @Option(names = "--rerank", paramLabel = "MODEL_DIR", description = "A model bundle ('panrec train', 'panrec demo --work'): reranks the "
            + "BM25 hits for --user; with --knn, its user vector is the kNN query.")
    Path rerank;
    @Option(names = "--knn", description = "Retrieve the items nearest to the user's vector (needs --user, --rerank and an index with vectors); "
            + "with --query, among the items matching it.")
    boolean knn;
    @Option(names = {"-k", "--top"}, defaultValue = "10", description = "Results per list (default ${DEFAULT-VALUE}).")
    int k;
    @Option(names = "--depth", defaultValue = "100", description = "BM25 hits reranked (default ${DEFAULT-VALUE}).")
    int depth;
    @Option(names = "--combine", defaultValue = "blend:0.85", description = "replace, blend:W or rrf[:K] (default ${DEFAULT-VALUE}).")
    String combine;
    @Option(names = "--explain", description = "Print Lucene's explanation of each reranked score.")
    boolean explain;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (k < 1 || depth < k) {
            throw new IllegalArgumentException("need 1 <= -k <= --depth, got -k " + k + " and --depth " + depth);
        }
        if (query == null && !knn) {
            throw new IllegalArgumentException("nothing to search: give --query TEXT, or --knn with --user and --rerank MODEL_DIR");
        }
        if ((user == null) != (rerank == null)) {
            throw new IllegalArgumentException("--user and --rerank MODEL_DIR go together: the model scores items for that user");
        }
        if (knn && user == null) {
            throw new IllegalArgumentException("--knn needs --user ID and --rerank MODEL_DIR (the bundle whose user vectors match the indexed items)");
        }
        if (!Files.isDirectory(index)) {
            throw new IllegalArgumentException("--index " + index + " is not a folder; write one with 'panrec index --out DIR'");
        }
        Combination combination = Combination.parse(combine);
        PrintWriter out = spec.commandLine().getOut();
        try (Directory dir = FSDirectory.open(index)) {
            if (!DirectoryReader.indexExists(dir)) {
                throw new IllegalArgumentException("--index " + index + " holds no Lucene index; write one with 'panrec index --out DIR'");
            }
            try (DirectoryReader reader = DirectoryReader.open(dir)) {
                IndexSearcher searcher = new IndexSearcher(reader);
                Bundle bundle = rerank == null ? null : Bundle.load(rerank, ModelRegistry.discover());
                if (bundle != null && !bundle.users().contains(user)) {
                    out.printf(Locale.ROOT, "note: user '%s' is unknown to %s: the reranked list keeps the BM25 order (cold start)%n", user,
                            bundle.model().settings().owner());
                }
                Query text = query == null ? null : CatalogQueries.text(query);
                if (text != null) {
                    long t0 = System.nanoTime();
                    TopDocs bm25 = searcher.search(text, bundle == null ? k : depth);
                    double ms = (System.nanoTime() - t0) / 1e6;
                    out.printf(Locale.ROOT, "BM25 \"%s\": %d hits (%s)%n", query, bm25.totalHits.value(), SearchSteps.millis(ms));
                    print(out, searcher, bm25, k);
                    if (bundle != null) {
                        RerankModel reranker = RerankModel.builder(bundle.model(), bundle.items()).users(bundle.users()).combination(combination).build();
                        RecommenderRescorer rescorer = reranker.rescorer(UserContext.user(user));
                        t0 = System.nanoTime();
                        Reranking r = rescorer.rerank(searcher, bm25);
                        TopDocs top = r.top(k);
                        ms = (System.nanoTime() - t0) / 1e6;
                        out.printf(Locale.ROOT, "%nreranked for user %s by %s (%s), %d hits (%s)%s%n", user, bundle.model().settings().owner(),
                                combination, r.size(), SearchSteps.millis(ms), r.fallback() == null ? "" : ": " + r.fallback());
                        print(out, searcher, top, k);
                        if (explain) {
                            for (ScoreDoc sd : top.scoreDocs) {
                                out.printf(Locale.ROOT, "%ndoc %d:%n%s", sd.doc, rescorer.explain(searcher, null, sd.doc));
                            }
                        }
                    }
                }
                if (knn) {
                    requireVectors(reader);
                    VectorRetriever retriever = new VectorRetriever(VectorModel.of(bundle.model()), bundle.users());
                    long t0 = System.nanoTime();
                    TopDocs hits = retriever.retrieve(searcher, UserContext.user(user), k, text);
                    double ms = (System.nanoTime() - t0) / 1e6;
                    out.printf(Locale.ROOT, "%nkNN by the vector of user %s%s: %d items (%s)%n", user, text == null ? "" : ", among items matching \""
                            + query + "\"", hits.scoreDocs.length, SearchSteps.millis(ms));
                    print(out, searcher, hits, k);
                }
            }
        }
        out.flush();
        return 0;
    }

    private static void requireVectors(DirectoryReader reader) {
        FieldInfo f = FieldInfos.getMergedFieldInfos(reader).fieldInfo(CatalogIndexer.VECTOR);
        if (f == null || f.getVectorDimension() == 0) {
            throw new IllegalArgumentException("this index has no item vectors; index with 'panrec index --model BUNDLE_DIR' (or 'panrec demo --work DIR')");
        }
    }

    private static void print(PrintWriter out, IndexSearcher searcher, TopDocs docs, int k) throws IOException {
        List<ScoreDoc> list = List.of(docs.scoreDocs);
        for (int r = 0; r < Math.min(k, list.size()); r++) {
            ScoreDoc sd = list.get(r);
            CatalogItem item = CatalogQueries.read(searcher, sd.doc);
            out.printf(Locale.ROOT, "%3d  %9.4f  %-8s %s%n", r + 1, sd.score, item.id(), SearchSteps.cell(item, List.of(), 90).strip());
        }
    }
}
