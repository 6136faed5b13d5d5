package io.panrec.lucene;

import io.panrec.lucene.TestModels.DotModel;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VectorRetrieverTest {
    private static final long SEED = 99L;
    private static DotModel model;
    private static TestCatalog catalog;
    private static VectorRetriever retriever;

    @BeforeAll
    static void index() throws IOException {
        // the model is sized from the vocabulary the catalogue will build: 350 known + 2 ghost ids
        model = new DotModel(30, 352, 12, SEED);
        catalog = new TestCatalog(SEED, 450, 350, 2, 30, 3, model.vectors(), 0);
        retriever = new VectorRetriever(model.vectors(), catalog.users);
    }

    @AfterAll
    static void close() throws IOException {
        catalog.close();
    }

    private static double dot(int user, int item) {
        double s = 0;
        for (int k = 0; k < model.userVectors[user].length; k++) {
            s += (double) model.userVectors[user][k] * model.itemVectors[item][k];
        }
        return s;
    }

    /** The ids of the k best indexed items (optionally of one genre) by exact dot product. */
    private static List<String> bruteForce(int user, int k, String genre) {
        List<CatalogItem> candidates = new ArrayList<>();
        for (CatalogItem item : catalog.catalog) {
            if (catalog.items.contains(item.id()) && (genre == null || item.genres().contains(genre))) {
                candidates.add(item);
            }
        }
        candidates.sort((a, b) -> Double.compare(dot(user, catalog.items.indexOf(b.id())), dot(user, catalog.items.indexOf(a.id()))));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < Math.min(k, candidates.size()); i++) {
            ids.add(candidates.get(i).id());
        }
        return ids;
    }

    private static List<String> ids(TopDocs td) throws IOException {
        List<String> ids = new ArrayList<>();
        for (ScoreDoc sd : td.scoreDocs) {
            ids.add(catalog.searcher.storedFields().document(sd.doc).get(CatalogIndexer.ID));
        }
        return ids;
    }

    @Test
    void findsTheUsersNearestItems() throws IOException {
        int agree = 0;
        int total = 0;
        for (int u = 0; u < 10; u++) {
            TopDocs td = retriever.retrieve(catalog.searcher, UserContext.user("u" + u), 10, null);
            assertEquals(10, td.scoreDocs.length);
            List<String> got = ids(td);
            for (int k = 0; k < got.size(); k++) {
                assertTrue(catalog.items.contains(got.get(k)), "only items with vectors: " + got.get(k));
                if (k > 0) {
                    assertTrue(td.scoreDocs[k - 1].score >= td.scoreDocs[k].score);
                    // maximum inner product keeps the dot-product order
                    assertTrue(dot(u, catalog.items.indexOf(got.get(k - 1))) >= dot(u, catalog.items.indexOf(got.get(k))) - 1e-5);
                }
            }
            Set<String> want = new HashSet<>(bruteForce(u, 10, null));
            for (String id : got) {
                agree += want.contains(id) ? 1 : 0;
            }
            total += 10;
        }
        assertTrue(agree >= 0.9 * total, "recall@10 of HNSW against brute force: " + agree + "/" + total + " (seed " + SEED + ")");
    }

    @Test
    void aFilterRestrictsTheCandidates() throws IOException {
        TopDocs td = retriever.retrieve(catalog.searcher, UserContext.user("u2"), 8, CatalogQueries.genre("Comedy"));
        List<String> got = ids(td);
        assertEquals(8, got.size());
        for (int k = 0; k < td.scoreDocs.length; k++) {
            assertTrue(CatalogQueries.read(catalog.searcher, td.scoreDocs[k].doc).genres().contains("Comedy"));
        }
        assertEquals(new HashSet<>(bruteForce(2, 8, "Comedy")), new HashSet<>(got), "a small filtered set is searched exactly");
    }

    @Test
    void unknownUsersRetrieveNothingAndRerankingKeepsToTheCandidates() throws IOException {
        assertEquals(0, retriever.retrieve(catalog.searcher, UserContext.user("stranger"), 10, null).scoreDocs.length);
        assertEquals(0, retriever.retrieve(catalog.searcher, UserContext.anonymous(), 10, null).scoreDocs.length);
        assertThrows(IllegalArgumentException.class, () -> retriever.query(UserContext.user("u1"), 0, null));

        TopDocs candidates = retriever.retrieve(catalog.searcher, UserContext.user("u5"), 30, null);
        RerankModel rm = RerankModel.builder(model, catalog.items).users(catalog.users).combination(Combination.replace()).build();
        TopDocs top = retriever.retrieveAndRerank(catalog.searcher, UserContext.user("u5"), 30, null, rm, 5);
        Set<Integer> docs = new HashSet<>();
        for (ScoreDoc sd : candidates.scoreDocs) {
            docs.add(sd.doc);
        }
        for (ScoreDoc sd : top.scoreDocs) {
            assertTrue(docs.contains(sd.doc));
        }
        // reranking kNN candidates of the same model by its own score keeps the best first
        assertEquals(candidates.scoreDocs[0].doc, top.scoreDocs[0].doc);
    }
}
