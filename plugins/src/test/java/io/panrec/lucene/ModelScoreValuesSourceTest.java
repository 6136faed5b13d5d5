package io.panrec.lucene;

import io.panrec.autograd.Autograd;
import io.panrec.lucene.ModelScoreValuesSource.Transform;
import io.panrec.lucene.TestModels.DotModel;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import org.apache.lucene.queries.function.FunctionScoreQuery;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelScoreValuesSourceTest {
    private static final long SEED = 4242L;
    private static TestCatalog catalog;
    private static DotModel model;
    private static RerankModel reranker;

    @BeforeAll
    static void index() throws IOException {
        catalog = new TestCatalog(SEED, 300, 250, 2, 10, 3, null, 2);
        model = new DotModel(catalog.users.size(), catalog.items.size(), 8, SEED);
        reranker = RerankModel.builder(model, catalog.items).users(catalog.users).build();
    }

    @AfterAll
    static void close() throws IOException {
        catalog.close();
    }

    private static float[] allScores(int user) {
        try (var _ = Autograd.noGrad(); var _ = Scope.open("test")) {
            return model.fullSortPredict(Tensor.ofLongs(new long[] {user})).toFloatArray();
        }
    }

    @Test
    void transformsOfEveryItemScore() {
        float[] s = allScores(4);
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (float v : s) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        ModelScoreValuesSource minMax = reranker.valuesSource(UserContext.user("u4"));
        ModelScoreValuesSource raw = reranker.valuesSource(UserContext.user("u4"), Transform.RAW, 1);
        ModelScoreValuesSource sigmoid = reranker.valuesSource(UserContext.user("u4"), Transform.SIGMOID, 1);
        for (int i = 0; i < s.length; i++) {
            assertEquals(s[i], raw.valueOfItem(i), 0);
            assertEquals((float) ((s[i] - lo) / (hi - lo)), minMax.valueOfItem(i), 0, "item " + i);
            assertEquals((float) (1 / (1 + Math.exp(-s[i]))), sigmoid.valueOfItem(i), 0);
        }
        assertEquals(0, minMax.valueOfItem(-1), 0, "unknown items get the lowest value");
        assertEquals((float) lo, raw.valueOfItem(-1), 0);
    }

    @Test
    void boostsAFunctionScoreQuery() throws IOException {
        Query text = CatalogQueries.text("night city love");
        TopDocs bm25 = catalog.searcher.search(text, 1000);
        Map<Integer, Float> firstPass = new HashMap<>();
        for (ScoreDoc sd : bm25.scoreDocs) {
            firstPass.put(sd.doc, sd.score);
        }
        ModelScoreValuesSource vs = reranker.valuesSource(UserContext.user("u7"));
        Query boosted = FunctionScoreQuery.boostByValue(text, vs);
        TopDocs out = catalog.searcher.search(boosted, 1000);
        assertEquals(bm25.scoreDocs.length, out.scoreDocs.length, "boosting changes scores, not the matches");
        int unknown = 0;
        for (ScoreDoc sd : out.scoreDocs) {
            String id = catalog.searcher.storedFields().document(sd.doc).get(CatalogIndexer.ID);
            int item = id == null ? -1 : catalog.items.indexOf(id);
            unknown += item < 0 ? 1 : 0;
            double expect = firstPass.get(sd.doc) * vs.valueOfItem(item);
            assertEquals(expect, sd.score, 1e-5 * Math.max(1, Math.abs(expect)), "doc " + sd.doc);
            Explanation e = catalog.searcher.explain(boosted, sd.doc);
            assertEquals(sd.score, e.getValue().floatValue(), 1e-5f);
            assertTrue(e.toString().contains(item >= 0 ? "model score of DotModel" : "unknown to DotModel"), e.toString());
        }
        assertTrue(unknown > 0, "the query should reach some items the model does not know");
    }

    @Test
    void unknownUsersGetAConstant() throws IOException {
        Query text = CatalogQueries.text("storm river");
        TopDocs bm25 = catalog.searcher.search(text, 50);
        ModelScoreValuesSource vs = reranker.valuesSource(UserContext.user("stranger"));
        assertTrue(vs.isConstant());
        TopDocs out = catalog.searcher.search(FunctionScoreQuery.boostByValue(text, vs), 50);
        for (int k = 0; k < bm25.scoreDocs.length; k++) {
            assertEquals(bm25.scoreDocs[k].doc, out.scoreDocs[k].doc);
            assertEquals(bm25.scoreDocs[k].score, out.scoreDocs[k].score, 1e-6f);
        }
        assertEquals(0.25, reranker.valuesSource(UserContext.anonymous(), Transform.RAW, 0.25).valueOfItem(3), 0);
    }

    @Test
    void equalityFollowsModelUserAndTransform() {
        ModelScoreValuesSource a = reranker.valuesSource(UserContext.user("u1"));
        ModelScoreValuesSource b = reranker.valuesSource(UserContext.user("u1"));
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertTrue(!a.equals(reranker.valuesSource(UserContext.user("u2"))));
        assertTrue(!a.equals(reranker.valuesSource(UserContext.user("u1"), Transform.RAW, 1)));
    }
}
