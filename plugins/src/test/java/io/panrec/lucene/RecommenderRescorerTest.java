package io.panrec.lucene;

import io.panrec.lucene.RerankModel.UnknownItem;
import io.panrec.lucene.RerankModel.UnknownUser;
import io.panrec.lucene.TestModels.FunctionModel;
import io.panrec.models.spi.Batch;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.Recommender;
import io.panrec.models.spi.Settings;
import io.panrec.tensor.Tensor;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TotalHits;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecommenderRescorerTest {
    private static final long SEED = 20240607L;
    private static final List<Combination> COMBINATIONS = List.of(Combination.replace(), Combination.blend(0.3), Combination.blend(0),
            Combination.blend(1), Combination.rrf(), Combination.rrf(5));

    private static TestCatalog catalog;
    private static FunctionModel model;

    @BeforeAll
    static void index() throws IOException {
        // 400 items in 5 segments, 300 known to the model, 7 ids only in the vocabulary, 4 documents without id
        catalog = new TestCatalog(SEED, 400, 300, 7, 20, 5, null, 4);
        // scores with many exact ties (multiples of 0.25) and negatives, so that tie-breaking is exercised
        model = FunctionModel.of(catalog.users.size(), catalog.items.size(), (u, i) -> ((u * 31 + i * 17) % 13 - 6) * 0.25f);
    }

    @AfterAll
    static void close() throws IOException {
        catalog.close();
    }

    private static RerankModel reranker(Recommender m, Combination c) {
        return RerankModel.builder(m, catalog.items).users(catalog.users).combination(c).build();
    }

    private static TopDocs firstPass(String text, int n) throws IOException {
        return catalog.searcher.search(CatalogQueries.text(text), n);
    }

    @Test
    void indexHasSeveralSegments() {
        assertTrue(catalog.reader.leaves().size() >= 4, "leaves: " + catalog.reader.leaves().size());
    }

    @Test
    void invariantsHoldForRandomQueries() throws IOException {
        SplittableRandom r = new SplittableRandom(SEED);
        List<UserContext> users = List.of(UserContext.user("u3"), UserContext.user("u17"), UserContext.user("nobody"), UserContext.anonymous());
        int checked = 0;
        for (int q = 0; q < 15; q++) {
            String text = TestCatalog.randomQuery(r);
            TopDocs fp = firstPass(text, 5 + r.nextInt(120));
            for (Combination c : COMBINATIONS) {
                RerankModel rm = reranker(model, c);
                for (UserContext user : users) {
                    String where = "seed " + SEED + ", query '" + text + "', " + c + ", " + user;
                    RecommenderRescorer rescorer = rm.rescorer(user);
                    TopDocs all = rescorer.rescore(catalog.searcher, fp, fp.scoreDocs.length + 5);
                    checkInvariants(fp, all, where);
                    assertEquals(fp.totalHits, all.totalHits, where);
                    for (int n : new int[] {0, 1, 3, 10, fp.scoreDocs.length}) {
                        TopDocs top = rescorer.rescore(catalog.searcher, fp, n);
                        assertEquals(Math.min(n, fp.scoreDocs.length), top.scoreDocs.length, where);
                        for (int k = 0; k < top.scoreDocs.length; k++) {
                            assertEquals(all.scoreDocs[k].doc, top.scoreDocs[k].doc, where + ": top " + n + " is not a prefix, position " + k);
                            assertEquals(all.scoreDocs[k].score, top.scoreDocs[k].score, where);
                        }
                    }
                    // explain equals the returned score, for every hit
                    for (int k = 0; k < all.scoreDocs.length; k++) {
                        ScoreDoc sd = all.scoreDocs[k];
                        // the first-pass explanation is only nested, so compute it (slow) for a few hits
                        Explanation first = k < 3 ? catalog.searcher.explain(CatalogQueries.text(text), sd.doc) : null;
                        Explanation e = rescorer.explain(catalog.searcher, first, sd.doc);
                        assertTrue(e.isMatch(), where);
                        assertEquals(sd.score, e.getValue().floatValue(), where + ": explain of doc " + sd.doc + "\n" + e);
                        checked++;
                    }
                }
            }
        }
        assertTrue(checked > 1000, "explanations checked: " + checked);
    }

    private static void checkInvariants(TopDocs fp, TopDocs out, String where) {
        int[] rank = new int[catalog.reader.maxDoc()];
        Arrays.fill(rank, -1);
        for (int i = 0; i < fp.scoreDocs.length; i++) {
            rank[fp.scoreDocs[i].doc] = i;
        }
        Set<Integer> seen = new HashSet<>();
        for (int k = 0; k < out.scoreDocs.length; k++) {
            ScoreDoc sd = out.scoreDocs[k];
            assertTrue(rank[sd.doc] >= 0, where + ": doc " + sd.doc + " was not in the first pass");
            assertTrue(seen.add(sd.doc), where + ": doc " + sd.doc + " returned twice");
            assertTrue(Float.isFinite(sd.score), where + ": score " + sd.score);
            if (k > 0) {
                ScoreDoc prev = out.scoreDocs[k - 1];
                assertTrue(prev.score >= sd.score, where + ": scores do not descend at " + k + ": " + prev.score + " then " + sd.score);
                if (prev.score == sd.score) {
                    assertTrue(rank[prev.doc] < rank[sd.doc], where + ": tie at " + k + " not in first-pass order");
                }
            }
        }
        assertEquals(fp.scoreDocs.length, seen.size(), where + ": every hit returned once");
    }

    /** The whole reranking computed here from stored ids, the vocabulary and the formulas. */
    @Test
    void matchesAnIndependentComputation() throws IOException {
        SplittableRandom r = new SplittableRandom(SEED + 1);
        for (int q = 0; q < 15; q++) {
            String text = TestCatalog.randomQuery(r);
            TopDocs fp = firstPass(text, 80);
            int user = r.nextInt(catalog.users.size());
            for (Combination c : COMBINATIONS) {
                String where = "seed " + SEED + ", query '" + text + "', " + c + ", user " + user;
                TopDocs got = reranker(model, c).rescorer(UserContext.user("u" + user)).rescore(catalog.searcher, fp, 20);
                TopDocs want = expected(fp, user, c, 20);
                assertEquals(want.scoreDocs.length, got.scoreDocs.length, where);
                for (int k = 0; k < want.scoreDocs.length; k++) {
                    assertEquals(want.scoreDocs[k].doc, got.scoreDocs[k].doc, where + " position " + k);
                    assertEquals(want.scoreDocs[k].score, got.scoreDocs[k].score, where + " position " + k);
                }
            }
        }
    }

    private static TopDocs expected(TopDocs fp, int user, Combination c, int topN) throws IOException {
        int n = fp.scoreDocs.length;
        float[] m = new float[n];
        boolean[] known = new boolean[n];
        float lo = Float.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            String id = catalog.searcher.storedFields().document(fp.scoreDocs[i].doc).get(CatalogIndexer.ID);
            int idx = id == null ? -1 : catalog.items.indexOf(id);
            if (idx >= 0) {
                known[i] = true;
                m[i] = model.scoreOf(user, idx);
                lo = Math.min(lo, m[i]);
            }
        }
        float mMin = Float.POSITIVE_INFINITY;
        float mMax = Float.NEGATIVE_INFINITY;
        float fMin = Float.POSITIVE_INFINITY;
        float fMax = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            if (!known[i]) {
                m[i] = lo;
            }
            mMin = Math.min(mMin, m[i]);
            mMax = Math.max(mMax, m[i]);
            fMin = Math.min(fMin, fp.scoreDocs[i].score);
            fMax = Math.max(fMax, fp.scoreDocs[i].score);
        }
        Integer[] byModel = new Integer[n];
        for (int i = 0; i < n; i++) {
            byModel[i] = i;
        }
        Arrays.sort(byModel, (a, b) -> m[a] != m[b] ? Float.compare(m[b], m[a]) : Integer.compare(a, b));
        int[] modelRank = new int[n];
        for (int k = 0; k < n; k++) {
            modelRank[byModel[k]] = k + 1;
        }
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            double f = fp.scoreDocs[i].score;
            double nm = mMax > mMin ? (m[i] - (double) mMin) / ((double) mMax - mMin) : 0;
            double nf = fMax > fMin ? (f - fMin) / ((double) fMax - fMin) : 0;
            s[i] = (float) switch (c) {
                case Combination.Replace _ -> m[i];
                case Combination.Blend b -> b.modelWeight() * nm + (1 - b.modelWeight()) * nf;
                case Combination.Rrf rrf -> 1.0 / (rrf.k() + i + 1) + 1.0 / (rrf.k() + modelRank[i]);
            };
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> s[a] != s[b] ? Float.compare(s[b], s[a]) : Integer.compare(a, b));
        ScoreDoc[] out = new ScoreDoc[Math.min(topN, n)];
        for (int k = 0; k < out.length; k++) {
            out[k] = new ScoreDoc(fp.scoreDocs[order[k]].doc, s[order[k]]);
        }
        return new TopDocs(fp.totalHits, out);
    }

    @Test
    void scoresAllKnownHitsInOneBatchedCall() throws IOException {
        FunctionModel counting = FunctionModel.of(catalog.users.size(), catalog.items.size(), (u, i) -> u - i);
        RerankModel rm = reranker(counting, Combination.blend(0.5));
        TopDocs fp = catalog.searcher.search(MatchAllDocsQuery.INSTANCE, 1000);
        int known = 0;
        for (ScoreDoc sd : fp.scoreDocs) {
            String id = catalog.searcher.storedFields().document(sd.doc).get(CatalogIndexer.ID);
            if (id != null && catalog.items.contains(id)) {
                known++;
            }
        }
        assertEquals(300, known);
        rm.rescorer(UserContext.user("u2")).rescore(catalog.searcher, fp, 10);
        assertEquals(1, counting.predictCalls.get());
        assertEquals(known, counting.predictRows.get());
        // an unknown user costs no model call at all
        rm.rescorer(UserContext.user("stranger")).rescore(catalog.searcher, fp, 10);
        assertEquals(1, counting.predictCalls.get());
    }

    @Test
    void unknownUserKeepsTheFirstPass() throws IOException {
        TopDocs fp = firstPass("space war night", 60);
        for (Combination c : COMBINATIONS) {
            for (UserContext user : List.of(UserContext.user("stranger"), UserContext.anonymous(), new UserContext(null, List.of("item-1")))) {
                RecommenderRescorer rescorer = reranker(model, c).rescorer(user);
                TopDocs out = rescorer.rescore(catalog.searcher, fp, 25);
                assertEquals(25, out.scoreDocs.length);
                for (int k = 0; k < 25; k++) {
                    assertEquals(fp.scoreDocs[k].doc, out.scoreDocs[k].doc, c + " " + user + " position " + k);
                    assertEquals(fp.scoreDocs[k].score, out.scoreDocs[k].score);
                }
                assertNotNull(rescorer.lastReranking().fallback());
                Explanation e = rescorer.explain(catalog.searcher, null, out.scoreDocs[3].doc);
                assertEquals(out.scoreDocs[3].score, e.getValue().floatValue());
                assertTrue(e.getDescription().contains("first-pass score kept"), e.toString());
            }
        }
    }

    @Test
    void unknownUserWithPopularityPriorRanksByPopularity() throws IOException {
        RerankModel rm = RerankModel.builder(model, catalog.items).users(catalog.users).combination(Combination.replace())
                .unknownUser(UnknownUser.POPULARITY).build();
        TopDocs fp = firstPass("love city dream", 100);
        RecommenderRescorer rescorer = rm.rescorer(UserContext.anonymous());
        TopDocs out = rescorer.rescore(catalog.searcher, fp, 100);
        assertNull(rescorer.lastReranking().fallback());
        double minPrior = Double.POSITIVE_INFINITY;
        for (ScoreDoc sd : fp.scoreDocs) {
            double p = popularity(sd.doc);
            if (!Double.isNaN(p)) {
                minPrior = Math.min(minPrior, p);
            }
        }
        for (ScoreDoc sd : out.scoreDocs) {
            double p = popularity(sd.doc);
            assertEquals((float) (Double.isNaN(p) ? minPrior : p), sd.score, "doc " + sd.doc);
        }
        for (Reranking.Hit h : rescorer.lastReranking().ranked()) {
            assertEquals(Reranking.Source.USER_POPULARITY, h.source());
        }
    }

    private static double popularity(int doc) throws IOException {
        Document d = catalog.searcher.storedFields().document(doc);
        return d.getField(CatalogIndexer.POPULARITY) == null ? Double.NaN : d.getField(CatalogIndexer.POPULARITY).numericValue().doubleValue();
    }

    @Test
    void unknownItemsGetTheLowestModelScoreAndKeepTheirOrder() throws IOException {
        // all known items score above 0; unknown items must come last, in first-pass order
        FunctionModel positive = FunctionModel.of(catalog.users.size(), catalog.items.size(), (u, i) -> 1 + i);
        TopDocs fp = catalog.searcher.search(MatchAllDocsQuery.INSTANCE, 1000);
        RecommenderRescorer rescorer = reranker(positive, Combination.replace()).rescorer(UserContext.user("u0"));
        TopDocs out = rescorer.rescore(catalog.searcher, fp, 1000);
        List<Reranking.Hit> hits = rescorer.lastReranking().ranked();
        float lowestKnown = Float.POSITIVE_INFINITY;
        int unknown = 0;
        for (Reranking.Hit h : hits) {
            if (h.source() == Reranking.Source.MODEL) {
                lowestKnown = Math.min(lowestKnown, h.modelScore());
            } else {
                unknown++;
                assertEquals(Reranking.Source.UNKNOWN_ITEM_LOWEST, h.source());
                assertEquals(-1, h.item());
            }
        }
        assertEquals(400 - 300 + catalog.idless, unknown, "unknown documents (not in the vocabulary, or without id)");
        // above the lowest known score: known items only; then the tie group (unknown items and the
        // lowest-scored known ones) in first-pass order
        boolean inTies = false;
        int lastRank = -1;
        for (int k = 0; k < hits.size(); k++) {
            Reranking.Hit h = hits.get(k);
            assertEquals(out.scoreDocs[k].doc, h.doc());
            if (h.source() != Reranking.Source.MODEL) {
                inTies = true;
                assertEquals(lowestKnown, h.modelScore());
            }
            if (inTies) {
                assertEquals(lowestKnown, h.modelScore(), "after the first unknown item at " + k);
                assertTrue(h.firstPassRank() > lastRank, "tie group out of first-pass order at " + k);
                lastRank = h.firstPassRank();
            }
        }
    }

    @Test
    void unknownItemsByPopularityStayInsideTheModelRange() throws IOException {
        RerankModel rm = RerankModel.builder(model, catalog.items).users(catalog.users).combination(Combination.replace())
                .unknownItem(UnknownItem.POPULARITY).build();
        TopDocs fp = catalog.searcher.search(MatchAllDocsQuery.INSTANCE, 1000);
        RecommenderRescorer rescorer = rm.rescorer(UserContext.user("u5"));
        rescorer.rescore(catalog.searcher, fp, 10);
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        List<Reranking.Hit> hits = rescorer.lastReranking().ranked();
        for (Reranking.Hit h : hits) {
            if (h.source() == Reranking.Source.MODEL) {
                lo = Math.min(lo, h.modelScore());
                hi = Math.max(hi, h.modelScore());
            }
        }
        double pMin = Double.POSITIVE_INFINITY;
        double pMax = Double.NEGATIVE_INFINITY;
        for (ScoreDoc sd : fp.scoreDocs) {
            double p = popularity(sd.doc);
            if (!Double.isNaN(p)) {
                pMin = Math.min(pMin, p);
                pMax = Math.max(pMax, p);
            }
        }
        int unknown = 0;
        for (Reranking.Hit h : hits) {
            if (h.source() != Reranking.Source.MODEL) {
                unknown++;
                assertEquals(Reranking.Source.UNKNOWN_ITEM_POPULARITY, h.source());
                double p = popularity(h.doc());
                double expect = lo + (hi - lo) * (Double.isNaN(p) ? 0 : (p - pMin) / (pMax - pMin));
                assertEquals((float) expect, h.modelScore(), "doc " + h.doc());
                Explanation e = rescorer.explain(catalog.searcher, null, h.doc());
                assertEquals(h.score(), e.getValue().floatValue());
            }
        }
        assertEquals(100 + catalog.idless, unknown);
    }

    @Test
    void nonFiniteModelScoresAreTreatedAsUnknownItems() throws IOException {
        FunctionModel nan = FunctionModel.of(catalog.users.size(), catalog.items.size(), (u, i) -> i % 3 == 0 ? Float.NaN : i % 3 == 1 ? i : Float.POSITIVE_INFINITY);
        TopDocs fp = catalog.searcher.search(MatchAllDocsQuery.INSTANCE, 1000);
        for (Combination c : COMBINATIONS) {
            RecommenderRescorer rescorer = reranker(nan, c).rescorer(UserContext.user("u1"));
            TopDocs out = rescorer.rescore(catalog.searcher, fp, 1000);
            checkInvariants(fp, out, c.toString());
            for (Reranking.Hit h : rescorer.lastReranking().ranked()) {
                assertTrue(Float.isFinite(h.modelScore()), c + " " + h);
                assertEquals(h.source() == Reranking.Source.MODEL, h.item() >= 0 && h.item() % 3 == 1, c + " " + h);
            }
        }
    }

    @Test
    void equalScoresKeepTheFirstPassOrder() throws IOException {
        FunctionModel constant = FunctionModel.of(catalog.users.size(), catalog.items.size(), (u, i) -> 0.5f);
        TopDocs fp = firstPass("storm king ghost shadow", 200);
        for (Combination c : List.of(Combination.replace(), Combination.blend(1), Combination.rrf())) {
            TopDocs out = reranker(constant, c).rescorer(UserContext.user("u4")).rescore(catalog.searcher, fp, 200);
            for (int k = 0; k < fp.scoreDocs.length; k++) {
                assertEquals(fp.scoreDocs[k].doc, out.scoreDocs[k].doc, c + " position " + k);
            }
        }
    }

    @Test
    void edgeCasesOfTheFirstPass() throws IOException {
        RecommenderRescorer rescorer = reranker(model, Combination.rrf()).rescorer(UserContext.user("u1"));
        TopDocs empty = new TopDocs(new TotalHits(0, TotalHits.Relation.EQUAL_TO), new ScoreDoc[0]);
        assertEquals(0, rescorer.rescore(catalog.searcher, empty, 10).scoreDocs.length);
        TopDocs fp = firstPass("river", 30);
        assertEquals(0, rescorer.rescore(catalog.searcher, fp, 0).scoreDocs.length);
        assertThrows(IllegalArgumentException.class, () -> rescorer.rescore(catalog.searcher, fp, -1));
        // a single hit, and the same document twice
        ScoreDoc one = fp.scoreDocs[0];
        TopDocs single = new TopDocs(fp.totalHits, new ScoreDoc[] {new ScoreDoc(one.doc, one.score)});
        assertEquals(one.doc, rescorer.rescore(catalog.searcher, single, 5).scoreDocs[0].doc);
        TopDocs twice = new TopDocs(fp.totalHits, new ScoreDoc[] {new ScoreDoc(one.doc, one.score), new ScoreDoc(one.doc, one.score)});
        assertEquals(2, rescorer.rescore(catalog.searcher, twice, 5).scoreDocs.length);
        // first-pass hits without scores (from a sort) rerank without failing
        ScoreDoc[] unscored = new ScoreDoc[fp.scoreDocs.length];
        for (int i = 0; i < unscored.length; i++) {
            unscored[i] = new ScoreDoc(fp.scoreDocs[i].doc, Float.NaN);
        }
        TopDocs out = reranker(model, Combination.blend(0.5)).rescorer(UserContext.user("u1"))
                .rescore(catalog.searcher, new TopDocs(fp.totalHits, unscored), 30);
        checkInvariants(fp, out, "unscored first pass");
        // explaining a document that was not in the first pass
        Explanation e = rescorer.explain(catalog.searcher, null, firstNotIn(single));
        assertFalse(e.isMatch());
        assertFalse(reranker(model, Combination.rrf()).rescorer(UserContext.user("u1")).explain(catalog.searcher, null, 0).isMatch());
    }

    private static int firstNotIn(TopDocs td) {
        for (int d = 0; ; d++) {
            final int doc = d;
            if (Arrays.stream(td.scoreDocs).noneMatch(sd -> sd.doc == doc)) {
                return d;
            }
        }
    }

    @Test
    void hitsOfAnotherIndexAreRejectedClearly() throws IOException {
        TopDocs bogus = new TopDocs(new TotalHits(1, TotalHits.Relation.EQUAL_TO), new ScoreDoc[] {new ScoreDoc(catalog.reader.maxDoc() + 3, 1f)});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> reranker(model, Combination.rrf()).rescorer(UserContext.user("u1")).rescore(catalog.searcher, bogus, 5));
        assertTrue(e.getMessage().contains("searcher that produced the first pass"), e.getMessage());
    }

    @Test
    void anIndexWithoutIdsKeepsTheFirstPass() throws IOException {
        try (ByteBuffersDirectory dir = new ByteBuffersDirectory()) {
            try (IndexWriter w = new IndexWriter(dir, new IndexWriterConfig(CatalogIndexer.analyzer()))) {
                for (int i = 0; i < 30; i++) {
                    Document d = new Document();
                    d.add(new TextField(CatalogIndexer.CONTENTS, "space " + TestCatalog.WORDS[i % 7], Field.Store.NO));
                    w.addDocument(d);
                }
            }
            try (DirectoryReader reader = DirectoryReader.open(dir)) {
                IndexSearcher s = new IndexSearcher(reader);
                TopDocs fp = s.search(CatalogQueries.text("space night"), 30);
                RecommenderRescorer rescorer = reranker(model, Combination.replace()).rescorer(UserContext.user("u1"));
                TopDocs out = rescorer.rescore(s, fp, 30);
                for (int k = 0; k < fp.scoreDocs.length; k++) {
                    assertEquals(fp.scoreDocs[k].doc, out.scoreDocs[k].doc);
                }
                assertTrue(rescorer.lastReranking().fallback().contains("no first-pass hit is known"), rescorer.lastReranking().fallback());
            }
        }
    }

    @Test
    void explanationsNestTheFirstPassTheModelAndTheCombination() throws IOException {
        Query query = CatalogQueries.text("fire ocean");
        TopDocs fp = catalog.searcher.search(query, 50);
        RecommenderRescorer rescorer = reranker(model, Combination.blend(0.25)).rescorer(UserContext.user("u9"));
        TopDocs out = rescorer.rescore(catalog.searcher, fp, 5);
        int doc = out.scoreDocs[0].doc;
        Explanation first = catalog.searcher.explain(query, doc);
        Explanation e = rescorer.explain(catalog.searcher, first, doc);
        String text = e.toString();
        assertTrue(text.contains("blend: 0.25 * normalised model score"), text);
        assertTrue(text.contains("model score of FunctionModel for user 'u9'"), text);
        assertTrue(text.contains(first.getDescription()), "first-pass explanation nested:\n" + text);
        assertTrue(text.contains("first-pass score, rank"), text);

        RecommenderRescorer rrf = reranker(model, Combination.rrf()).rescorer(UserContext.user("u9"));
        TopDocs r = rrf.rescore(catalog.searcher, fp, 5);
        String t = rrf.explain(catalog.searcher, null, r.scoreDocs[0].doc).toString();
        assertTrue(t.contains("reciprocal-rank fusion") && t.contains("model rank"), t);
    }

    @Test
    void recentItemsDriveASequenceEncoder() throws IOException {
        // a "sequential" model: the score of an item is minus its distance to the last item of the history
        Recommender seq = new SequenceModel(catalog.items.size());
        RerankModel rm = RerankModel.builder(seq, catalog.items).encoder(CandidateEncoder.history(3)).combination(Combination.replace()).build();
        String last = catalog.items.id(42);
        TopDocs fp = catalog.searcher.search(MatchAllDocsQuery.INSTANCE, 1000);
        TopDocs out = rm.rescorer(UserContext.session(List.of("unknown-one", catalog.items.id(7), last))).rescore(catalog.searcher, fp, 1);
        assertEquals(last, catalog.searcher.storedFields().document(out.scoreDocs[0].doc).get(CatalogIndexer.ID));
        // without a known recent item the sequence model cannot score: first pass kept
        RecommenderRescorer none = rm.rescorer(UserContext.session(List.of("unknown-one")));
        none.rescore(catalog.searcher, fp, 1);
        assertNotNull(none.lastReranking().fallback());
    }

    static final class SequenceModel implements Recommender {
        private final DatasetSchema schema;

        SequenceModel(int numItems) {
            schema = DatasetSchema.implicit(1, numItems);
        }

        @Override
        public Tensor predict(Batch batch) {
            Tensor seq = batch.get(Batch.SEQUENCES);
            long[] s = seq.toLongArray();
            long[] lengths = batch.get(Batch.LENGTHS).toLongArray();
            long[] items = batch.get(Batch.ITEMS).toLongArray();
            int l = seq.shape(1);
            float[] out = new float[items.length];
            for (int b = 0; b < items.length; b++) {
                long lastItem = s[b * l + (int) lengths[b] - 1];
                out[b] = -Math.abs(items[b] - lastItem);
            }
            return Tensor.of(out);
        }

        @Override
        public Settings settings() {
            return TestModels.settings("SequenceModel");
        }

        @Override
        public DatasetSchema schema() {
            return schema;
        }

        @Override
        public Tensor calculateLoss(Batch batch) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Tensor fullSortPredict(Tensor users) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<Tensor> parameters() {
            return List.of();
        }

        @Override
        public void setTraining(boolean training) {
        }

        @Override
        public boolean isTraining() {
            return false;
        }

        @Override
        public Map<String, Tensor> stateDict() {
            return Map.of();
        }

        @Override
        public void loadState(Map<String, Tensor> state) {
        }
    }

    @Test
    void misconfigurationsFailWhenBuilt() {
        FunctionModel training = FunctionModel.of(catalog.users.size(), catalog.items.size(), (u, i) -> 0);
        training.setTraining(true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RerankModel.builder(training, catalog.items).build());
        assertTrue(e.getMessage().contains("setTraining(false)"), e.getMessage());
        FunctionModel small = FunctionModel.of(catalog.users.size(), 10, (u, i) -> 0);
        e = assertThrows(IllegalArgumentException.class, () -> RerankModel.builder(small, catalog.items).build());
        assertTrue(e.getMessage().contains("vocabulary of another model"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Combination.blend(1.5));
        assertEquals(Combination.blend(0.7), Combination.parse("blend:0.7"));
        assertEquals(Combination.rrf(), Combination.parse("RRF"));
        assertEquals(Combination.replace(), Combination.parse("replace"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Combination.parse("mix")).getMessage().contains("rrf[:K]"));
    }

    @Test
    void idsAreCachedPerSegmentAndForgottenWhenTheReaderCloses() throws IOException {
        RerankModel rm = reranker(model, Combination.rrf());
        try (DirectoryReader reader = DirectoryReader.open(catalog.dir)) {
            IndexSearcher s = new IndexSearcher(reader);
            TopDocs fp = s.search(MatchAllDocsQuery.INSTANCE, 1000);
            TopDocs a = rm.rescorer(UserContext.user("u3")).rescore(s, fp, 50);
            long withIds = reader.leaves().stream().filter(l -> {
                try {
                    return l.reader().getSortedDocValues(CatalogIndexer.ID) != null;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).count();
            assertEquals(reader.leaves().size() - 1, withIds, "the segment of documents without id");
            assertEquals(withIds, rm.lookup.cachedSegments());
            TopDocs b = rm.rescorer(UserContext.user("u3")).rescore(s, fp, 50); // from the cache: same result
            for (int k = 0; k < 50; k++) {
                assertEquals(a.scoreDocs[k].doc, b.scoreDocs[k].doc);
                assertEquals(a.scoreDocs[k].score, b.scoreDocs[k].score);
            }
        }
        assertEquals(0, rm.lookup.cachedSegments());
    }
}
