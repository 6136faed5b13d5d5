package io.panrec.lucene;

import io.panrec.models.data.Vocabulary;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.search.ScoreDoc;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Maps documents to model item indices through the raw id in sorted doc values.
 *
 * <p>Sorted doc values give each distinct id of a segment an ordinal; the ordinal's model index is
 * cached per segment core ({@code int[valueCount]}: 0 = not looked up yet, -1 = unknown, else index + 1),
 * so a hit costs a doc-values read and an array read once its id was seen, instead of a UTF-8 decode and
 * a hash lookup. Entries are filled lazily by whichever search thread meets them first: the writes are
 * idempotent ints, so the race is benign. A segment's entry is dropped when its core closes.
 */
final class ItemLookup {
    static final int UNKNOWN = -1;

    private final Vocabulary items;
    private final String idField;
    private final String priorField; // null when no fallback needs the prior
    private final Map<IndexReader.CacheKey, int[]> ordMaps = new ConcurrentHashMap<>();

    ItemLookup(Vocabulary items, String idField, String priorField) {
        this.items = items;
        this.idField = idField;
        this.priorField = priorField;
    }

    String idField() {
        return idField;
    }

    boolean readsPrior() {
        return priorField != null;
    }

    /** Number of segments with a cached ordinal map (tests). */
    int cachedSegments() {
        return ordMaps.size();
    }

    /**
     * For each hit {@code i}: {@code index[i]} its model index or {@link #UNKNOWN}, and, if this lookup
     * reads the prior, {@code prior[i]} its popularity or NaN. Leaves are walked once, in doc-id order:
     * {@code byDoc} lists hit positions sorted by doc id.
     *
     * @throws IllegalArgumentException if a hit's doc id is not in this reader (the first pass came from
     *                                  another index)
     */
    void resolve(List<LeafReaderContext> leaves, ScoreDoc[] hits, int[] byDoc, int[] index, double[] prior) throws IOException {
        int leafIdx = -1;
        int leafEnd = 0;
        int docBase = 0;
        SortedDocValues ids = null;
        NumericDocValues priors = null;
        int[] ordMap = null;
        int lastDoc = -1;
        int lastIndex = UNKNOWN;
        double lastPrior = Double.NaN;
        for (int k = 0; k < byDoc.length; k++) {
            int i = byDoc[k];
            int doc = hits[i].doc;
            if (doc == lastDoc) { // the same document twice in a first pass: doc values only move forward
                index[i] = lastIndex;
                prior[i] = lastPrior;
                continue;
            }
            if (doc < 0) {
                throw new IllegalArgumentException("first-pass hit doc=" + doc + " is not a document id");
            }
            if (doc >= leafEnd) {
                while (doc >= leafEnd) {
                    leafIdx++;
                    if (leafIdx >= leaves.size()) {
                        throw new IllegalArgumentException("first-pass hit doc=" + doc + " is beyond this searcher's index (maxDoc " + leafEnd
                                + "): rescore with the searcher that produced the first pass");
                    }
                    LeafReaderContext leaf = leaves.get(leafIdx);
                    docBase = leaf.docBase;
                    leafEnd = docBase + leaf.reader().maxDoc();
                }
                LeafReader reader = leaves.get(leafIdx).reader();
                ids = sortedIds(reader);
                ordMap = ordMap(reader, ids);
                priors = priorField == null ? null : numericPrior(reader);
            }
            int local = doc - docBase;
            int idx = UNKNOWN;
            if (ids.advanceExact(local)) {
                idx = indexOfOrd(ids, ids.ordValue(), ordMap);
            }
            double p = Double.NaN;
            if (priors != null && priors.advanceExact(local)) {
                p = Double.longBitsToDouble(priors.longValue()); // DoubleDocValuesField stores the raw bits
            }
            index[i] = idx;
            prior[i] = p;
            lastDoc = doc;
            lastIndex = idx;
            lastPrior = p;
        }
    }

    /** The raw id of one document, or null (explanations). */
    String rawId(List<LeafReaderContext> leaves, int doc) throws IOException {
        int leaf = org.apache.lucene.index.ReaderUtil.subIndex(doc, leaves);
        LeafReaderContext ctx = leaves.get(leaf);
        SortedDocValues ids = sortedIds(ctx.reader());
        int local = doc - ctx.docBase;
        if (local < 0 || local >= ctx.reader().maxDoc() || !ids.advanceExact(local)) {
            return null;
        }
        return ids.lookupOrd(ids.ordValue()).utf8ToString();
    }

    /** A per-leaf view for document-at-a-time reads (the values source). */
    LeafIds leaf(LeafReaderContext ctx) throws IOException {
        SortedDocValues ids = sortedIds(ctx.reader());
        return new LeafIds(ids, ordMap(ctx.reader(), ids));
    }

    final class LeafIds {
        private final SortedDocValues ids;
        private final int[] ordMap;
        private int lastDoc = -1;
        private int lastIndex = UNKNOWN;

        private LeafIds(SortedDocValues ids, int[] ordMap) {
            this.ids = ids;
            this.ordMap = ordMap;
        }

        /** The model index of {@code doc} (leaf-local, increasing between calls), or {@link #UNKNOWN}. */
        int index(int doc) throws IOException {
            if (doc == lastDoc) {
                return lastIndex;
            }
            if (doc < lastDoc) {
                throw new IllegalStateException("doc values read backwards: doc " + doc + " after " + lastDoc);
            }
            lastDoc = doc;
            lastIndex = ids.advanceExact(doc) ? indexOfOrd(ids, ids.ordValue(), ordMap) : UNKNOWN;
            return lastIndex;
        }
    }

    private int indexOfOrd(SortedDocValues ids, int ord, int[] ordMap) throws IOException {
        if (ordMap != null) {
            int m = ordMap[ord];
            if (m != 0) {
                return m > 0 ? m - 1 : UNKNOWN;
            }
        }
        int idx = items.indexOf(ids.lookupOrd(ord).utf8ToString());
        if (ordMap != null) {
            ordMap[ord] = idx >= 0 ? idx + 1 : -1;
        }
        return idx;
    }

    private SortedDocValues sortedIds(LeafReader reader) throws IOException {
        try {
            return DocValues.getSorted(reader, idField); // empty (every item unknown) when no document has the field
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException("field '" + idField + "' has no sorted doc values in this index (" + e.getMessage()
                    + "); index the catalogue with CatalogIndexer, or name the id field with RerankModel.Builder.idField", e);
        }
    }

    private NumericDocValues numericPrior(LeafReader reader) throws IOException {
        try {
            return DocValues.getNumeric(reader, priorField);
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException("field '" + priorField + "' has no numeric doc values in this index (" + e.getMessage()
                    + "); index popularity with CatalogIndexer (a DoubleDocValuesField)", e);
        }
    }

    private int[] ordMap(LeafReader reader, SortedDocValues ids) {
        int count = ids.getValueCount();
        IndexReader.CacheHelper helper = reader.getCoreCacheHelper();
        if (helper == null || count == 0) {
            return null; // a reader that cannot tell when it closes: look ids up every time
        }
        IndexReader.CacheKey key = helper.getKey();
        int[] map = ordMaps.get(key);
        if (map == null) {
            int[] fresh = new int[count];
            map = ordMaps.putIfAbsent(key, fresh);
            if (map == null) {
                map = fresh;
                helper.addClosedListener(ordMaps::remove);
            }
        }
        if (map.length != count) { // cannot happen for one core; be safe rather than index out of bounds
            return null;
        }
        return map;
    }
}
