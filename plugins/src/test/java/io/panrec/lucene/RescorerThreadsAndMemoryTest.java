package io.panrec.lucene;

import io.panrec.lucene.TestModels.DotModel;
import io.panrec.tensor.MemoryStats;
import org.apache.lucene.queries.function.FunctionScoreQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One shared model (real tensor ops, allocating in scopes), many search threads: the same results as
 * one thread, and no tensor memory left behind after thousands of reranks.
 */
class RescorerThreadsAndMemoryTest {
    private static final long SEED = 77L;
    private static TestCatalog catalog;
    private static DotModel model;

    @BeforeAll
    static void index() throws IOException {
        catalog = new TestCatalog(SEED, 500, 420, 3, 50, 4, null, 0);
        model = new DotModel(catalog.users.size(), catalog.items.size(), 16, SEED);
    }

    @AfterAll
    static void close() throws IOException {
        catalog.close();
    }

    /** One unit of work: a query for a user, reranked, or boosted by the model's scores. */
    private record Task(String text, String user, Combination combination, boolean functionQuery) {
    }

    private static List<Task> tasks(int n) {
        SplittableRandom r = new SplittableRandom(SEED);
        List<Combination> combos = List.of(Combination.replace(), Combination.blend(0.6), Combination.rrf());
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String user = r.nextInt(8) == 0 ? "stranger" : "u" + r.nextInt(50);
            tasks.add(new Task(TestCatalog.randomQuery(r), user, combos.get(r.nextInt(combos.size())), r.nextInt(4) == 0));
        }
        return tasks;
    }

    private static List<String> run(Task t, RerankModel base) throws IOException {
        RerankModel rm = base.withCombination(t.combination());
        TopDocs out;
        if (t.functionQuery()) {
            out = catalog.searcher.search(FunctionScoreQuery.boostByValue(CatalogQueries.text(t.text()), rm.valuesSource(UserContext.user(t.user()))), 20);
        } else {
            TopDocs fp = catalog.searcher.search(CatalogQueries.text(t.text()), 100);
            out = rm.rescorer(UserContext.user(t.user())).rescore(catalog.searcher, fp, 20);
        }
        List<String> result = new ArrayList<>();
        for (ScoreDoc sd : out.scoreDocs) {
            result.add(sd.doc + ":" + Float.floatToIntBits(sd.score));
        }
        return result;
    }

    @Test
    void manyThreadsGiveTheResultsOfOneThread() throws Exception {
        RerankModel base = RerankModel.builder(model, catalog.items).users(catalog.users).build();
        concurrentEqualsSequential(base, base);
    }

    /**
     * NeuMF and DeepFM score a user's candidates from item-side caches built on first use: threads that race to
     * build them on a fresh model give the results of an identical model (same seed) used by one thread.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"NeuMF", "DeepFM"})
    void cachedScoringPathsGiveTheResultsOfOneThread(String name) throws Exception {
        io.panrec.models.spi.ModelProvider p = io.panrec.models.spi.ModelRegistry.discover().get(name);
        io.panrec.models.spi.DatasetSchema schema = io.panrec.models.spi.DatasetSchema.implicit(catalog.users.size(), catalog.items.size());
        io.panrec.models.spi.Recommender one = p.create(p.defaultSettings(), schema);
        io.panrec.models.spi.Recommender shared = p.create(p.defaultSettings(), schema);
        one.setTraining(false);
        shared.setTraining(false);
        concurrentEqualsSequential(RerankModel.builder(one, catalog.items).users(catalog.users).build(),
                RerankModel.builder(shared, catalog.items).users(catalog.users).build());
    }

    private void concurrentEqualsSequential(RerankModel sequential, RerankModel base) throws Exception {
        List<Task> tasks = tasks(50);
        List<List<String>> expected = new ArrayList<>();
        for (Task t : tasks) {
            expected.add(run(t, sequential));
        }
        int threads = 6;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int th = 0; th < threads; th++) {
                List<Integer> order = new ArrayList<>();
                for (int i = 0; i < tasks.size(); i++) {
                    order.add(i);
                }
                Collections.shuffle(order, new Random(SEED + th));
                Callable<Integer> job = () -> {
                    int checked = 0;
                    for (int i : order) {
                        assertEquals(expected.get(i), run(tasks.get(i), base), "seed " + SEED + ", task " + tasks.get(i));
                        checked++;
                    }
                    return checked;
                };
                futures.add(pool.submit(job));
            }
            int total = 0;
            for (Future<Integer> f : futures) {
                total += f.get();
            }
            assertEquals(threads * tasks.size(), total);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void thousandsOfReranksLeaveNoTensorMemoryBehind() throws Exception {
        RerankModel rm = RerankModel.builder(model, catalog.items).users(catalog.users).combination(Combination.blend(0.5)).build();
        List<TopDocs> firstPasses = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(SEED);
        for (int q = 0; q < 20; q++) {
            firstPasses.add(catalog.searcher.search(CatalogQueries.text(TestCatalog.randomQuery(r)), 100));
        }
        rm.rescorer(UserContext.user("u1")).rescore(catalog.searcher, firstPasses.get(0), 10); // warm-up
        long before = MemoryStats.scopedLiveBytes();
        long allocatedBefore = MemoryStats.totalAllocatedBytes();
        int reranks = 0;
        for (int i = 0; i < 4000; i++) {
            TopDocs fp = firstPasses.get(i % firstPasses.size());
            TopDocs out = rm.rescorer(UserContext.user("u" + (i % 50))).rescore(catalog.searcher, fp, 10);
            assertTrue(out.scoreDocs.length > 0 || fp.scoreDocs.length == 0);
            reranks++;
        }
        for (int i = 0; i < 100; i++) {
            rm.valuesSource(UserContext.user("u" + i % 50));
        }
        // and from several threads at once
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                final int th = t;
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < 500; i++) {
                        rm.rescorer(UserContext.user("u" + (i + th) % 50)).rescore(catalog.searcher, firstPasses.get((i + th) % 20), 10);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        long grew = MemoryStats.totalAllocatedBytes() - allocatedBefore;
        assertTrue(grew > reranks * 100L * 4, "the reranks allocated tensors (" + grew + " bytes), so the check below means something");
        assertEquals(before, MemoryStats.scopedLiveBytes(), "scoped tensor bytes after " + (reranks + 2000) + " reranks");
    }
}
