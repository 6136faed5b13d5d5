package io.panrec.lucene;

import io.panrec.models.data.Interactions;
import io.panrec.models.data.Vocabulary;
import io.panrec.models.sequential.GRU4Rec;
import io.panrec.models.sequential.SASRec;
import io.panrec.models.spi.ModelProvider;
import io.panrec.models.spi.Recommender;
import io.panrec.models.spi.Settings;
import io.panrec.models.train.Trainer;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.TopDocs;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sequence models behind Lucene reranking: an anonymous session known by its recent item ids
 * ({@link UserContext#session}) reaches GRU4Rec and SASRec through {@link CandidateEncoder#history}, and
 * the item that follows the session's last one in the training sessions comes out on top.
 */
class SequentialRerankTest {
    @Test
    void aSessionsRecentItemsRerankWithGru4RecAndSasRec() throws Exception {
        try (TestCatalog catalog = new TestCatalog(7, 60, 30, 0, 2, 1, null, 0)) {
            int n = catalog.items.size();
            // training sessions walk the vocabulary as a ring: after item k comes item k + 1
            Interactions.Builder b = Interactions.builder(new Vocabulary("sessions"), catalog.items, false, true);
            SplittableRandom r = new SplittableRandom(3);
            for (int s = 0; s < 200; s++) {
                int start = r.nextInt(n);
                int len = 2 + r.nextInt(5);
                int session = b.users().add("s" + s);
                for (int t = 0; t < len; t++) {
                    b.addIndices(session, (start + t) % n, 1f, 1000L * s + t);
                }
            }
            Interactions train = b.build();
            List<ModelProvider> providers = List.of(new GRU4Rec.Provider(), new SASRec.Provider());
            for (ModelProvider p : providers) {
                Settings s = p.defaultSettings().with("embeddingSize", 16).with("epochs", 10).with("dropout", 0.0);
                s = p.name().equals(GRU4Rec.NAME) ? s.with("hiddenSize", 16).with("learningRate", 0.2).with("sampledNegatives", 8)
                        : s.with("learningRate", 0.01).with("maxLength", 8);
                Recommender model = p.create(s, train.schema());
                Trainer.builder(model, train).output(null).build().fit();
                RerankModel rm = RerankModel.builder(model, catalog.items).encoder(CandidateEncoder.history(8))
                        .combination(Combination.replace()).build();
                TopDocs fp = catalog.searcher.search(MatchAllDocsQuery.INSTANCE, 1000);
                List<String> session = List.of("not-in-the-vocabulary", catalog.items.id(4), catalog.items.id(5));
                TopDocs out = rm.rescorer(UserContext.session(session)).rescore(catalog.searcher, fp, 3);
                List<String> top = new ArrayList<>();
                for (var d : out.scoreDocs) {
                    top.add(catalog.searcher.storedFields().document(d.doc).get(CatalogIndexer.ID));
                }
                assertTrue(top.contains(catalog.items.id(6)), p.name() + ": after " + session + " the top 3 " + top
                        + " should hold " + catalog.items.id(6));
                RecommenderRescorer none = rm.rescorer(UserContext.session(List.of("not-in-the-vocabulary")));
                none.rescore(catalog.searcher, fp, 3);
                assertNotNull(none.lastReranking().fallback(), "no known recent item: the first pass is kept");
            }
        }
    }
}
