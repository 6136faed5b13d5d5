package io.panrec.lucene;

import org.apache.lucene.document.Document;
import org.apache.lucene.document.IntPoint;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.QueryBuilder;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Queries over an index written by {@link CatalogIndexer}, built without a query parser (so that user
 * text never fails to parse), and the stored item of a hit.
 */
public final class CatalogQueries {
    private CatalogQueries() {
    }

    /**
     * BM25 over the title, text fields and genres: any of the words of {@code text} (analysed as the index
     * was), more matching words scoring higher. Text without any word matches nothing.
     */
    public static Query text(String text) {
        Query q = new QueryBuilder(CatalogIndexer.analyzer()).createBooleanQuery(CatalogIndexer.CONTENTS, text == null ? "" : text);
        return q == null ? new MatchNoDocsQuery("no words in '" + text + "'") : q;
    }

    /** Items of exactly this genre (case-sensitive, as indexed). */
    public static Query genre(String genre) {
        return new TermQuery(new Term(CatalogIndexer.GENRE, genre));
    }

    /** Items whose year is in {@code [from, to]}. */
    public static Query years(int from, int to) {
        return IntPoint.newRangeQuery(CatalogIndexer.YEAR, from, to);
    }

    /** The item with this raw id. */
    public static Query id(String id) {
        return new TermQuery(new Term(CatalogIndexer.ID, id));
    }

    /** {@code query} restricted to documents matching {@code filter}, which does not change scores. */
    public static Query filtered(Query query, Query filter) {
        if (filter == null) {
            return query;
        }
        return new BooleanQuery.Builder().add(query, BooleanClause.Occur.MUST).add(filter, BooleanClause.Occur.FILTER).build();
    }

    /** The stored fields of document {@code doc} as a catalogue item (without its vector). */
    public static CatalogItem read(IndexSearcher searcher, int doc) throws IOException {
        Document d = searcher.storedFields().document(doc);
        String id = d.get(CatalogIndexer.ID);
        if (id == null) {
            throw new IllegalArgumentException("document " + doc + " has no stored '" + CatalogIndexer.ID
                    + "' field: was the index written by CatalogIndexer?");
        }
        Map<String, String> text = new LinkedHashMap<>();
        List<String> genres = new ArrayList<>();
        for (IndexableField f : d.getFields()) {
            String name = f.name();
            if (name.equals(CatalogIndexer.GENRE)) {
                genres.add(f.stringValue());
            } else if (!CatalogIndexer.RESERVED.contains(name) && f.stringValue() != null) {
                text.merge(name, f.stringValue(), (a, b) -> a + "\n" + b);
            }
        }
        IndexableField year = d.getField(CatalogIndexer.YEAR);
        IndexableField pop = d.getField(CatalogIndexer.POPULARITY);
        String title = d.get(CatalogIndexer.TITLE);
        return new CatalogItem(id, title == null ? "" : title, text, genres,
                year == null ? CatalogItem.NO_YEAR : year.numericValue().intValue(),
                pop == null ? Double.NaN : pop.numericValue().doubleValue());
    }
}
