package io.panrec.lucene;

import io.panrec.models.data.ItemCatalog;
import io.panrec.models.data.Vocabulary;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CatalogIndexerTest {
    private static final CatalogItem TOY = new CatalogItem("1", "Toy Story (1995)", Map.of("plot", "toys come alive"), List.of("Animation", "Comedy"),
            1995, 452);
    private static final CatalogItem HEAT = new CatalogItem("6", "Heat (1995)", Map.of(), List.of("Action", "Crime"), 1995, Double.NaN);
    private static final CatalogItem ALIEN = CatalogItem.of("1214", "Alien (1979)", List.of("Horror", "Sci-Fi")).withYear(1979);

    @Test
    void storedFieldsRoundTripAndQueriesFindItems() throws IOException {
        try (ByteBuffersDirectory dir = new ByteBuffersDirectory()) {
            try (CatalogIndexer ix = CatalogIndexer.create(dir)) {
                ix.add(TOY);
                ix.add(HEAT);
                ix.add(ALIEN);
                ix.add(HEAT.withPopularity(3)); // same id: replaces
                assertEquals(4, ix.added());
            }
            try (DirectoryReader reader = DirectoryReader.open(dir)) {
                IndexSearcher s = new IndexSearcher(reader);
                assertEquals(3, reader.numDocs());
                assertEquals(TOY, CatalogQueries.read(s, s.search(CatalogQueries.id("1"), 1).scoreDocs[0].doc));
                assertEquals(HEAT.withPopularity(3), CatalogQueries.read(s, s.search(CatalogQueries.id("6"), 1).scoreDocs[0].doc));
                assertEquals(ALIEN, CatalogQueries.read(s, s.search(CatalogQueries.id("1214"), 1).scoreDocs[0].doc));

                assertEquals(1, s.count(CatalogQueries.text("TOYS alive")), "text fields are searched, analysed");
                assertEquals(1, s.count(CatalogQueries.text("crime")), "genres are searched as text");
                assertEquals(2, s.count(CatalogQueries.text("heat story")));
                assertEquals(1, s.count(CatalogQueries.genre("Sci-Fi")));
                assertEquals(2, s.count(CatalogQueries.years(1990, 1999)));
                assertEquals(1, s.count(CatalogQueries.filtered(CatalogQueries.text("heat story"), CatalogQueries.genre("Action"))));
                assertInstanceOf(MatchNoDocsQuery.class, CatalogQueries.text("  ,; "));
                TopDocs none = s.search(CatalogQueries.text(null), 5);
                assertEquals(0, none.scoreDocs.length);
            }
        }
    }

    @Test
    void badItemsAreRejectedWithTheReason() throws IOException {
        try (ByteBuffersDirectory dir = new ByteBuffersDirectory(); CatalogIndexer plain = CatalogIndexer.create(dir)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> plain.add(TOY.withText("genre", "x")));
            assertTrue(e.getMessage().contains("reserved"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> plain.add(TOY, new float[] {1, 2}));
            assertTrue(e.getMessage().contains("created without vectors"), e.getMessage());
        }
        try (ByteBuffersDirectory dir = new ByteBuffersDirectory();
             CatalogIndexer vec = CatalogIndexer.create(dir, 3, VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT)) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> vec.add(TOY, new float[] {1, 2})).getMessage().contains("expects 3"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> vec.add(TOY, new float[] {1, Float.NaN, 2})).getMessage()
                    .contains("not finite"));
            vec.add(TOY, new float[] {1, 2, 3});
        }
        assertThrows(IllegalArgumentException.class, () -> new CatalogItem("", "t", null, null, CatalogItem.NO_YEAR, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new CatalogItem("x", "t", null, null, CatalogItem.NO_YEAR, Double.POSITIVE_INFINITY));
        try (ByteBuffersDirectory dir = new ByteBuffersDirectory()) {
            assertThrows(IllegalArgumentException.class, () -> CatalogIndexer.create(dir, 4, null));
        }
    }

    @Test
    void itemsFromAModelsCatalog() {
        Vocabulary v = Vocabulary.of("items", List.of("1", "2", "3"));
        ItemCatalog.Builder b = ItemCatalog.builder(v);
        b.put("1", "Toy Story (1995)", List.of("Animation"));
        b.put("3", "Four Rooms", List.of());
        List<CatalogItem> items = CatalogItem.fromCatalog(b.build(), new double[] {10, 0, 2});
        assertEquals(3, items.size());
        assertEquals(1995, items.get(0).year());
        assertEquals(List.of("Animation"), items.get(0).genres());
        assertEquals("", items.get(1).title());
        assertEquals(CatalogItem.NO_YEAR, items.get(2).year());
        assertEquals(2, items.get(2).popularity());
        assertThrows(IllegalArgumentException.class, () -> CatalogItem.fromCatalog(b.build(), new double[2]));
        assertEquals(1999, CatalogItem.yearOf("The Matrix (1999) "));
        assertEquals(CatalogItem.NO_YEAR, CatalogItem.yearOf("(1999) The Matrix"));
    }
}
