package io.panrec.cli.bench;

import io.panrec.lucene.CatalogIndexer;
import io.panrec.lucene.CatalogItem;
import io.panrec.lucene.RerankModel;
import io.panrec.lucene.UserContext;
import io.panrec.models.data.Vocabulary;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.ModelProvider;
import io.panrec.models.spi.Recommender;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TotalHits;
import org.apache.lucene.store.ByteBuffersDirectory;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What a reranking measurement needs, shared by {@code panrec bench rerank} and the JMH benchmark: a
 * model of one architecture with its default settings (untrained: the weights' values do not change the
 * work a forward pass does), a Lucene index of its items, and first passes of a given depth whose hits
 * are spread over the whole index, as a text query's would be.
 */
public final class RerankFixture implements Closeable {
    private final ByteBuffersDirectory dir;
    private final DirectoryReader reader;
    private final IndexSearcher searcher;
    private final RerankModel reranker;
    private final int numUsers;
    private final int numItems;
    private final SplittableRandom random;

    private RerankFixture(ByteBuffersDirectory dir, DirectoryReader reader, RerankModel reranker, int numUsers, int numItems, long seed) {
        this.dir = dir;
        this.reader = reader;
        this.searcher = new IndexSearcher(reader);
        this.reranker = reranker;
        this.numUsers = numUsers;
        this.numItems = numItems;
        this.random = new SplittableRandom(seed);
    }

    /**
     * A model of {@code provider} (its default settings) for {@code numUsers} x {@code numItems}, in
     * evaluation mode, and an index of {@code numItems} items ({@code "i0"} ...) whose ids are its vocabulary.
     */
    public static RerankFixture create(ModelProvider provider, int numUsers, int numItems, long seed) throws IOException {
        return create(provider, provider.defaultSettings(), numUsers, numItems, seed);
    }

    /** {@link #create(ModelProvider, int, int, long)} with the model built from {@code settings}. */
    public static RerankFixture create(ModelProvider provider, io.panrec.models.spi.Settings settings, int numUsers, int numItems, long seed)
            throws IOException {
        if (numUsers < 1 || numItems < 1) {
            throw new IllegalArgumentException("need at least one user and one item, got " + numUsers + " and " + numItems);
        }
        Recommender model = provider.create(settings, DatasetSchema.implicit(numUsers, numItems));
        model.setTraining(false);
        Vocabulary users = new Vocabulary("users");
        for (int u = 0; u < numUsers; u++) {
            users.add("u" + u);
        }
        Vocabulary items = new Vocabulary("items");
        ByteBuffersDirectory dir = new ByteBuffersDirectory();
        SplittableRandom r = new SplittableRandom(seed);
        try (CatalogIndexer indexer = CatalogIndexer.create(dir)) {
            for (int i = 0; i < numItems; i++) {
                String id = "i" + i;
                items.add(id);
                indexer.add(new CatalogItem(id, "item " + i, java.util.Map.of(), List.of("g" + r.nextInt(8)), 1950 + r.nextInt(70), r.nextInt(500)));
            }
        }
        RerankModel reranker = RerankModel.builder(model, items).users(users).build();
        return new RerankFixture(dir, DirectoryReader.open(dir), reranker, numUsers, numItems, seed);
    }

    public IndexSearcher searcher() {
        return searcher;
    }

    public RerankModel reranker() {
        return reranker;
    }

    /** A random known user. */
    public UserContext randomUser() {
        return UserContext.user("u" + random.nextInt(numUsers));
    }

    /**
     * A first pass of {@code hits} distinct documents drawn at random from the index, scores descending
     * (BM25-like values), as a text query over a large catalogue returns them.
     */
    public TopDocs firstPass(int hits) {
        if (hits < 1 || hits > numItems) {
            throw new IllegalArgumentException("a first pass of " + hits + " hits needs 1 <= hits <= " + numItems + " (the items indexed)");
        }
        int[] docs = new int[numItems];
        for (int i = 0; i < numItems; i++) {
            docs[i] = i;
        }
        ScoreDoc[] sd = new ScoreDoc[hits];
        float score = 12f;
        for (int k = 0; k < hits; k++) {
            int j = k + random.nextInt(numItems - k);
            int t = docs[k];
            docs[k] = docs[j];
            docs[j] = t;
            score -= (float) random.nextDouble(0, 0.02);
            sd[k] = new ScoreDoc(docs[k], score);
        }
        return new TopDocs(new TotalHits(hits, TotalHits.Relation.EQUAL_TO), sd);
    }

    /** One rerank of a first pass for {@code user}: what a search does after its first pass. */
    public TopDocs rerank(UserContext user, TopDocs firstPass, int topN) throws IOException {
        return reranker.rescorer(user).rescore(searcher, firstPass, topN);
    }

    @Override
    public void close() throws IOException {
        reader.close();
        dir.close();
    }
}
