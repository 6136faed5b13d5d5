package io.panrec.lucene;

import io.panrec.models.data.Vocabulary;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.DoubleDocValuesField;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.IntPoint;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.Directory;
import org.apache.lucene.util.BytesRef;

import java.io.Closeable;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Writes an item catalogue into a Lucene index, one document per item, in the layout the rest of this
 * package reads:
 *
 * <table>
 * <caption>fields</caption>
 * <tr><th>field</th><th>indexed as</th><th>for</th></tr>
 * <tr><td>{@value #ID}</td><td>StringField (stored) + SortedDocValues</td><td>the rescorer reads the raw id
 * of each hit from doc values and maps it through the model's item vocabulary; the term replaces an
 * item indexed twice</td></tr>
 * <tr><td>{@value #TITLE}, text fields</td><td>TextField (stored)</td><td>display, per-field queries</td></tr>
 * <tr><td>{@value #GENRE}</td><td>StringField (stored), one per genre</td><td>exact filters</td></tr>
 * <tr><td>{@value #YEAR}</td><td>IntPoint + NumericDocValues + stored</td><td>range filters, sorting</td></tr>
 * <tr><td>{@value #POPULARITY}</td><td>DoubleDocValues + stored</td><td>the rescorer's popularity prior</td></tr>
 * <tr><td>{@value #CONTENTS}</td><td>TextField, not stored</td><td>BM25 over title, text fields and genres
 * ({@link CatalogQueries#text})</td></tr>
 * <tr><td>{@value #VECTOR}</td><td>KnnFloatVectorField</td><td>retrieval by a user's vector
 * ({@link VectorRetriever})</td></tr>
 * </table>
 *
 * <p>The index does not depend on a model: it holds raw ids, so a retrained model (a new vocabulary)
 * reranks the same index; only the optional vectors belong to one model.
 *
 * <p>Not thread-safe; {@link IndexWriter} itself is, but one indexer is meant for one loading thread.
 */
public final class CatalogIndexer implements Closeable {
    public static final String ID = "id";
    public static final String TITLE = "title";
    public static final String GENRE = "genre";
    public static final String YEAR = "year";
    public static final String POPULARITY = "popularity";
    public static final String CONTENTS = "contents";
    public static final String VECTOR = "vector";

    /** Field names an item's own text fields may not use. */
    public static final Set<String> RESERVED = Set.of(ID, TITLE, GENRE, YEAR, POPULARITY, CONTENTS, VECTOR);

    private final IndexWriter writer;
    private final int vectorDimension;
    private final VectorSimilarityFunction similarity;
    private int added;

    private CatalogIndexer(IndexWriter writer, int vectorDimension, VectorSimilarityFunction similarity) {
        this.writer = writer;
        this.vectorDimension = vectorDimension;
        this.similarity = similarity;
    }

    /** The analyzer of the text fields; {@link CatalogQueries#text} analyses queries with the same one. */
    public static Analyzer analyzer() {
        return new StandardAnalyzer();
    }

    /** A new index in {@code dir} (anything there is replaced), without vectors. */
    public static CatalogIndexer create(Directory dir) throws IOException {
        return create(dir, 0, null);
    }

    /**
     * A new index in {@code dir} (anything there is replaced) whose items may carry a vector of
     * {@code dimension} floats compared by {@code similarity}.
     *
     * <p>For a model whose score is a dot product (matrix factorisation, two-tower), use
     * {@link VectorSimilarityFunction#MAXIMUM_INNER_PRODUCT}: its score is a monotonic function of the dot
     * product, so the kNN order is the model's order. ({@code DOT_PRODUCT} needs unit vectors.)
     */
    public static CatalogIndexer create(Directory dir, int dimension, VectorSimilarityFunction similarity) throws IOException {
        Objects.requireNonNull(dir, "dir");
        if (dimension < 0) {
            throw new IllegalArgumentException("vector dimension " + dimension + " < 0");
        }
        if (dimension > 0 && similarity == null) {
            throw new IllegalArgumentException("a vector dimension of " + dimension + " needs a similarity function");
        }
        IndexWriterConfig config = new IndexWriterConfig(analyzer()).setOpenMode(IndexWriterConfig.OpenMode.CREATE);
        return new CatalogIndexer(new IndexWriter(dir, config), dimension, similarity);
    }

    /** Adds (or replaces, by id) an item without a vector. */
    public void add(CatalogItem item) throws IOException {
        add(item, null);
    }

    /**
     * Adds (or replaces, by id) an item.
     *
     * @param vector the item's vector, or null for none
     * @throws IllegalArgumentException if a vector is given to an index created without vectors, or it has
     *                                  the wrong length or a non-finite value
     */
    public void add(CatalogItem item, float[] vector) throws IOException {
        writer.updateDocument(new Term(ID, item.id()), document(item, vector));
        added++;
    }

    /**
     * Adds every item, each with the vector of its model index from {@code vectors} when the item is in
     * {@code itemVocabulary} (items unknown to the model get none and are never retrieved by kNN).
     *
     * @return the number of items given a vector
     */
    public int addAll(Iterable<CatalogItem> items, VectorModel vectors, Vocabulary itemVocabulary) throws IOException {
        if (vectors != null && vectors.dimension() != vectorDimension) {
            throw new IllegalArgumentException("the model's vectors have " + vectors.dimension() + " dimensions but this index was created for "
                    + vectorDimension);
        }
        int withVector = 0;
        for (CatalogItem item : items) {
            float[] v = null;
            if (vectors != null) {
                int index = itemVocabulary.indexOf(item.id());
                if (index >= 0) {
                    v = vectors.itemVector(index);
                }
            }
            add(item, v);
            if (v != null) {
                withVector++;
            }
        }
        return withVector;
    }

    /** The number of {@link #add} calls so far. */
    public int added() {
        return added;
    }

    /** Makes everything added visible to readers opened afterwards. */
    public void commit() throws IOException {
        writer.commit();
    }

    /** Commits and closes the writer. */
    @Override
    public void close() throws IOException {
        writer.close();
    }

    Document document(CatalogItem item, float[] vector) {
        Document doc = new Document();
        doc.add(new StringField(ID, item.id(), Field.Store.YES));
        doc.add(new SortedDocValuesField(ID, new BytesRef(item.id())));
        if (!item.title().isEmpty()) {
            doc.add(new TextField(TITLE, item.title(), Field.Store.YES));
            doc.add(new TextField(CONTENTS, item.title(), Field.Store.NO));
        }
        for (Map.Entry<String, String> e : item.text().entrySet()) {
            String name = e.getKey();
            if (RESERVED.contains(name)) {
                throw new IllegalArgumentException("catalog item '" + item.id() + "': text field '" + name + "' uses a reserved name " + RESERVED
                        + "; rename it");
            }
            if (e.getValue() != null && !e.getValue().isEmpty()) {
                doc.add(new TextField(name, e.getValue(), Field.Store.YES));
                doc.add(new TextField(CONTENTS, e.getValue(), Field.Store.NO));
            }
        }
        for (String g : item.genres()) {
            doc.add(new StringField(GENRE, g, Field.Store.YES));
            doc.add(new TextField(CONTENTS, g, Field.Store.NO));
        }
        if (item.hasYear()) {
            doc.add(new IntPoint(YEAR, item.year()));
            doc.add(new NumericDocValuesField(YEAR, item.year()));
            doc.add(new StoredField(YEAR, item.year()));
        }
        if (!Double.isNaN(item.popularity())) {
            doc.add(new DoubleDocValuesField(POPULARITY, item.popularity()));
            doc.add(new StoredField(POPULARITY, item.popularity()));
        }
        if (vector != null) {
            if (vectorDimension == 0) {
                throw new IllegalArgumentException("catalog item '" + item.id() + "' has a vector but the index was created without vectors; "
                        + "use CatalogIndexer.create(dir, dimension, similarity)");
            }
            if (vector.length != vectorDimension) {
                throw new IllegalArgumentException("catalog item '" + item.id() + "': vector of " + vector.length + " floats, the index expects "
                        + vectorDimension);
            }
            for (int i = 0; i < vector.length; i++) {
                if (!Float.isFinite(vector[i])) {
                    throw new IllegalArgumentException("catalog item '" + item.id() + "': vector[" + i + "] = " + vector[i] + " is not finite");
                }
            }
            doc.add(new KnnFloatVectorField(VECTOR, vector.clone(), similarity));
        }
        return doc;
    }
}
