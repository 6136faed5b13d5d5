package io.panrec.lucene;

import io.panrec.models.data.Vocabulary;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * A random catalogue in an in-memory index, in several segments, with vocabularies that know only part
 * of it (and ids the index does not have), in an order unrelated to document ids.
 */
final class TestCatalog implements Closeable {
    static final String[] WORDS = {"space", "love", "war", "night", "city", "dream", "river", "storm", "king", "ghost", "summer",
            "secret", "road", "island", "star", "winter", "shadow", "fire", "ocean", "garden", "machine", "wolf", "silver", "heart"};
    static final String[] GENRES = {"Action", "Comedy", "Drama", "Horror", "SciFi"};

    final Directory dir = new ByteBuffersDirectory();
    final List<CatalogItem> catalog = new ArrayList<>();
    final Vocabulary items = new Vocabulary("items");
    final Vocabulary users = new Vocabulary("users");
    final int idless;       // documents added without an id field
    DirectoryReader reader;
    IndexSearcher searcher;

    /**
     * @param numItems   items in the index
     * @param known      how many of them the item vocabulary knows
     * @param ghosts     ids in the vocabulary but not in the index
     * @param numUsers   users in the user vocabulary ("u0".."u{n-1}")
     * @param segments   commits while indexing (one segment each)
     * @param vectors    item vectors by vocabulary index, or null
     * @param idless     documents without an id to add at the end
     */
    TestCatalog(long seed, int numItems, int known, int ghosts, int numUsers, int segments, VectorModel vectors, int idless) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        this.idless = idless;
        for (int k = 0; k < numItems; k++) {
            int words = 2 + r.nextInt(4);
            StringBuilder title = new StringBuilder();
            for (int w = 0; w < words; w++) {
                title.append(w == 0 ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
            }
            int year = 1950 + r.nextInt(71);
            title.append(" (").append(year).append(')');
            List<String> g = new ArrayList<>();
            g.add(GENRES[r.nextInt(GENRES.length)]);
            if (r.nextBoolean()) {
                String second = GENRES[r.nextInt(GENRES.length)];
                if (!g.contains(second)) {
                    g.add(second);
                }
            }
            double pop = r.nextInt(10) == 0 ? Double.NaN : r.nextInt(1000);
            catalog.add(new CatalogItem("item-" + k, title.toString(), java.util.Map.of(), g, year, pop));
        }
        List<String> ids = new ArrayList<>();
        for (int k = 0; k < numItems; k++) {
            ids.add("item-" + k);
        }
        Collections.shuffle(ids, new Random(seed));
        List<String> vocab = new ArrayList<>(ids.subList(0, known));
        for (int g = 0; g < ghosts; g++) {
            vocab.add(r.nextInt(vocab.size() + 1), "ghost-" + g);
        }
        vocab.forEach(items::add);
        for (int u = 0; u < numUsers; u++) {
            users.add("u" + u);
        }
        int perSegment = Math.max(1, (numItems + segments - 1) / segments);
        try (CatalogIndexer ix = vectors == null ? CatalogIndexer.create(dir)
                : CatalogIndexer.create(dir, vectors.dimension(), vectors.similarity())) {
            for (int k = 0; k < numItems; k++) {
                CatalogItem item = catalog.get(k);
                int index = items.indexOf(item.id());
                ix.add(item, vectors != null && index >= 0 ? vectors.itemVector(index) : null);
                if ((k + 1) % perSegment == 0) {
                    ix.commit();
                }
            }
        }
        if (idless > 0) {
            try (IndexWriter w = new IndexWriter(dir, new IndexWriterConfig(CatalogIndexer.analyzer()).setOpenMode(IndexWriterConfig.OpenMode.APPEND))) {
                for (int k = 0; k < idless; k++) {
                    Document d = new Document();
                    d.add(new TextField(CatalogIndexer.CONTENTS, WORDS[k % WORDS.length] + " " + WORDS[(k + 3) % WORDS.length], Field.Store.NO));
                    w.addDocument(d);
                }
            }
        }
        reopen();
    }

    void reopen() throws IOException {
        if (reader != null) {
            reader.close();
        }
        reader = DirectoryReader.open(dir);
        searcher = new IndexSearcher(reader);
        searcher.setQueryCache(null); // keep each search independent
    }

    /** A query of 1-3 random words. */
    static String randomQuery(SplittableRandom r) {
        int n = 1 + r.nextInt(3);
        StringBuilder q = new StringBuilder();
        for (int i = 0; i < n; i++) {
            q.append(i == 0 ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
        }
        return q.toString();
    }

    @Override
    public void close() throws IOException {
        reader.close();
        dir.close();
    }
}
