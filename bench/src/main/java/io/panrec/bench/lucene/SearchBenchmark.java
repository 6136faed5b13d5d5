package io.panrec.bench.lucene;

import io.panrec.cli.search.DemoData;
import io.panrec.cli.search.SearchSteps;
import io.panrec.cli.search.SyntheticCatalog;
import io.panrec.lucene.CatalogQueries;
import io.panrec.lucene.RerankModel;
import io.panrec.lucene.UserContext;
import io.panrec.lucene.VectorModel;
import io.panrec.lucene.VectorRetriever;
import io.panrec.models.spi.ModelRegistry;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Query latency over the demo's index (the default generated catalogue of {@code panrec demo}: 3000
 * items, 1500 users, 60000 interactions, seed 42), on one thread:
 * <ul>
 *   <li>{@code bm25}: the top 10 of a query, and {@code bm25Rerank}: the top {@code depth} BM25 hits
 *       reranked to a top 10 by the model (the ratio of their p50s is the cost of personalisation);</li>
 *   <li>{@code knn}: the 10 items nearest to a user's vector through Lucene's HNSW graph
 *       ({@code KnnFloatVectorQuery}), and {@code bruteForce}: the same by a dot product with every item
 *       vector, held in Java arrays.</li>
 * </ul>
 * The model is trained for a few epochs in the setup (its weights do not change the work per query).
 * Queries cycle through the generator's shared words, users through the first 500.
 */
@State(org.openjdk.jmh.annotations.Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class SearchBenchmark {
    @Param({"BPRMF", "NeuMF"})
    public String model;

    @Param({"100"})
    public int depth;

    private ByteBuffersDirectory dir;
    private DirectoryReader reader;
    private IndexSearcher searcher;
    private RerankModel reranker;
    private VectorRetriever retriever;
    private float[][] itemVectors;
    private float[][] userVectors;
    private Query[] queries;
    private UserContext[] users;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        DemoData data = SyntheticCatalog.generate(SyntheticCatalog.Config.defaults(42));
        ModelRegistry registry = ModelRegistry.discover();
        SearchSteps.Trained trained = SearchSteps.train(registry, model, data, 2, 42, null);
        // the vectors for kNN come from the demo's model, BPRMF, whatever model reranks
        SearchSteps.Trained vectorModel = model.equals("BPRMF") ? trained : SearchSteps.train(registry, "BPRMF", data, 2, 42, null);
        VectorModel vectors = VectorModel.of(vectorModel.model());
        dir = new ByteBuffersDirectory();
        SearchSteps.index(dir, data.catalogue(), vectors, data.log().items());
        reader = DirectoryReader.open(dir);
        searcher = new IndexSearcher(reader);
        reranker = RerankModel.builder(trained.model(), data.log().items()).users(data.log().users()).build();
        retriever = new VectorRetriever(vectors, data.log().users());
        int n = data.log().items().size();
        itemVectors = new float[n][];
        for (int i = 0; i < n; i++) {
            itemVectors[i] = vectors.itemVector(i);
        }
        queries = new Query[SyntheticCatalog.SHARED.size()];
        for (int q = 0; q < queries.length; q++) {
            queries[q] = CatalogQueries.text(SyntheticCatalog.SHARED.get(q).toLowerCase(java.util.Locale.ROOT));
        }
        SplittableRandom r = new SplittableRandom(7);
        users = new UserContext[64];
        userVectors = new float[64][];
        for (int u = 0; u < users.length; u++) {
            int index = r.nextInt(500);
            users[u] = UserContext.user(data.log().users().id(index));
            userVectors[u] = vectors.userVector(index);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        reader.close();
        dir.close();
    }

    @Benchmark
    public TopDocs bm25() throws IOException {
        int i = next++;
        return searcher.search(queries[i % queries.length], 10);
    }

    @Benchmark
    public TopDocs bm25Rerank() throws IOException {
        int i = next++;
        TopDocs first = searcher.search(queries[i % queries.length], depth);
        return reranker.rescorer(users[i & 63]).rescore(searcher, first, 10);
    }

    @Benchmark
    public TopDocs knn() throws IOException {
        int i = next++;
        return retriever.retrieve(searcher, users[i & 63], 10, null);
    }

    /** The indices of the 10 items with the largest dot product with the user's vector, best first. */
    @Benchmark
    public int[] bruteForce() {
        float[] u = userVectors[next++ & 63];
        int k = 10;
        int[] best = new int[k];
        float[] score = new float[k];
        java.util.Arrays.fill(score, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < itemVectors.length; i++) {
            float[] v = itemVectors[i];
            float s = 0;
            for (int j = 0; j < v.length; j++) {
                s += u[j] * v[j];
            }
            if (s > score[k - 1]) {
                int p = k - 1;
                while (p > 0 && score[p - 1] < s) {
                    score[p] = score[p - 1];
                    best[p] = best[p - 1];
                    p--;
                }
                score[p] = s;
                best[p] = i;
            }
        }
        return best;
    }
}
