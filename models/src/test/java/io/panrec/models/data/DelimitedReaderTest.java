package io.panrec.models.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DelimitedReaderTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, text, StandardCharsets.UTF_8);
        return f;
    }

    @Test
    void readsNamedColumnsInAnyOrderWithExtraColumns() throws Exception {
        Path f = write("log.csv", "ts,item,extra,user,score\n100,i1,x,u1,4.5\n90,i2,y,u2,3\n80,i1,z,u2,1\n");
        DelimitedFormat fmt = DelimitedFormat.csv(DelimitedFormat.Columns.parse("user=user, item=item, rating=score, timestamp=ts"));
        Dataset d = DelimitedReader.read(f, fmt, ReadOptions.STRICT);
        Interactions x = d.interactions();
        assertEquals(3, x.size());
        assertEquals(List.of("u1", "u2"), x.users().ids());
        assertEquals(List.of("i1", "i2"), x.items().ids());
        assertArrayEquals(new int[] {0, 1, 1}, x.userColumn());
        assertArrayEquals(new int[] {0, 1, 0}, x.itemColumn());
        assertArrayEquals(new float[] {4.5f, 3f, 1f}, x.ratingColumn());
        assertArrayEquals(new long[] {100, 90, 80}, x.timestampColumn());
        assertTrue(x.hasRatings());
        assertEquals(3, d.report().files().getFirst().records());
        assertEquals(0, d.report().skipped());
    }

    @Test
    void implicitTsvWithoutHeaderByPosition() throws Exception {
        Path f = write("clicks.tsv", "a\tb\nc\td\n\n");
        DelimitedFormat fmt = DelimitedFormat.tsv(new DelimitedFormat.Columns("1", "0", null, null)).withHeader(false);
        Interactions x = DelimitedReader.read(f, fmt, ReadOptions.STRICT).interactions();
        assertEquals(List.of("b", "d"), x.users().ids());
        assertFalse(x.hasRatings());
        assertFalse(x.hasTimestamps());
        assertEquals(1f, x.rating(0));
        assertEquals(0L, x.timestamp(1));
        assertThrows(IllegalArgumentException.class,
                () -> DelimitedFormat.tsv(DelimitedFormat.Columns.parse("user=userId,item=itemId")).withHeader(false));
    }

    @Test
    void quotedFieldsCrlfAndBom() throws Exception {
        Path f = write("r.csv", "\uFEFFuser,item,rating\r\n\"u,1\",\"say \"\"hi\"\"\",5\r\nu2,12\" vinyl,4\r\n\r\n");
        DelimitedFormat fmt = DelimitedFormat.csv(DelimitedFormat.Columns.parse("user=user,item=item,rating=rating"));
        Dataset d = DelimitedReader.read(f, fmt, ReadOptions.STRICT);
        assertEquals(List.of("u,1", "u2"), d.interactions().users().ids());
        // a quote inside an unquoted field is an ordinary character
        assertEquals(List.of("say \"hi\"", "12\" vinyl"), d.interactions().items().ids());
        assertArrayEquals(new float[] {5, 4}, d.interactions().ratingColumn());
    }

    @Test
    void multiLineRecordIsReportedAtItsFirstLine() throws Exception {
        // an id with a line break could not be saved in a vocabulary: the record is malformed, at its first line
        Path f = write("r.csv", "user,item\nu1,i1\nu2,\"multi\nline\"\nu3,i3\n");
        DelimitedFormat fmt = DelimitedFormat.csv(DelimitedFormat.Columns.parse("user=user,item=item"));
        DataFormatException e = assertThrows(DataFormatException.class, () -> DelimitedReader.read(f, fmt, ReadOptions.STRICT));
        assertEquals(3, e.line());
        Dataset lenient = DelimitedReader.read(f, fmt, ReadOptions.LENIENT);
        assertEquals(List.of("u1", "u3"), lenient.interactions().users().ids());
        assertEquals(1, lenient.report().skipped());
    }

    @Test
    void malformedLinesStrictNameFileAndLineLenientSkipAndCount() throws Exception {
        Path f = write("bad.csv", String.join("\n",
                "user,item,rating,timestamp",
                "u1,i1,5,100",
                "u1,i2,x,100",          // line 3: rating not a number
                "u2,i1,4",              // line 4: too few fields
                ",i1,4,100",            // line 5: empty user
                "u3,i3,3,yesterday",    // line 6: timestamp
                "u4,i4,NaN,1",          // line 7: NaN rating
                "u5,\"unclosed,1,1",    // line 8: quote never closed (swallows nothing after the bound... lenient skips it)
                "u6,i6,2,7") + "\n");
        DelimitedFormat fmt = DelimitedFormat.csv(DelimitedFormat.Columns.parse("user=user,item=item,rating=rating,timestamp=timestamp"));
        DataFormatException e = assertThrows(DataFormatException.class, () -> DelimitedReader.read(f, fmt, ReadOptions.STRICT));
        assertEquals(3, e.line());
        assertEquals(f, e.file());
        assertTrue(e.getMessage().contains("bad.csv line 3") && e.getMessage().contains("rating 'x' is not a number"), e.getMessage());

        Dataset d = DelimitedReader.read(f, fmt, ReadOptions.LENIENT);
        assertEquals(List.of("u1", "u6"), d.interactions().users().ids());
        assertEquals(2, d.interactions().size());
        ReadReport.FileReport r = d.report().files().getFirst();
        assertEquals(6, r.skipped());
        assertEquals(2, r.records());
        assertTrue(r.problems().get(0).startsWith("line 3: "), r.problems().toString());
        assertTrue(r.problems().get(1).startsWith("line 4: expected 4 fields"), r.problems().toString());
        assertTrue(r.problems().get(2).startsWith("line 5: empty user id"), r.problems().toString());
        assertTrue(r.problems().get(3).startsWith("line 6: timestamp 'yesterday'"), r.problems().toString());
        assertTrue(r.problems().get(4).startsWith("line 7: "), r.problems().toString());
        assertTrue(r.problems().get(5).startsWith("line 8: "), r.problems().toString());
        assertTrue(d.report().summary().contains("6 malformed lines skipped"), d.report().summary());
    }

    @Test
    void headerProblemsFailInBothModes() throws Exception {
        Path f = write("h.csv", "userId,movieId\n1,2\n");
        DelimitedFormat fmt = DelimitedFormat.csv(DelimitedFormat.Columns.parse("user=userId,item=itemId"));
        DataFormatException e = assertThrows(DataFormatException.class, () -> DelimitedReader.read(f, fmt, ReadOptions.LENIENT));
        assertEquals(1, e.line());
        assertTrue(e.getMessage().contains("no column 'itemId'") && e.getMessage().contains("userId, movieId"), e.getMessage());
        Path empty = write("empty.csv", "\n\n");
        assertThrows(DataFormatException.class, () -> DelimitedReader.read(empty, fmt, ReadOptions.LENIENT));
        Path dup = write("dup.csv", "a,a\n1,2\n");
        assertTrue(assertThrows(DataFormatException.class,
                () -> DelimitedReader.read(dup, DelimitedFormat.csv(DelimitedFormat.Columns.parse("user=a,item=a")), ReadOptions.STRICT))
                .getMessage().contains("twice"));
    }

    @Test
    void undecodableTextNamesTheLineAndSuggestsLatin1() throws Exception {
        Path f = dir.resolve("latin.csv");
        Files.write(f, "user,item\nu1,i1\nu2,Mis\u00e9rables\n".getBytes(StandardCharsets.ISO_8859_1));
        DelimitedFormat fmt = DelimitedFormat.csv(DelimitedFormat.Columns.parse("user=user,item=item"));
        DataFormatException e = assertThrows(DataFormatException.class, () -> DelimitedReader.read(f, fmt, ReadOptions.LENIENT));
        assertEquals(3, e.line());
        assertTrue(e.getMessage().contains("ISO-8859-1"), e.getMessage());
        Interactions x = DelimitedReader.read(f, fmt.withCharset(StandardCharsets.ISO_8859_1), ReadOptions.STRICT).interactions();
        assertEquals("Misérables", x.items().id(1));
    }

    @Test
    void columnSpecErrors() {
        assertThrows(IllegalArgumentException.class, () -> DelimitedFormat.Columns.parse("user=a"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DelimitedFormat.Columns.parse("user=a,item=b,score=c"))
                .getMessage().contains("known keys"));
        assertThrows(IllegalArgumentException.class, () -> DelimitedFormat.Columns.parse("user=a,item=b,user=c"));
        assertThrows(IllegalArgumentException.class, () -> DelimitedFormat.Columns.parse("user,item=b"));
        assertThrows(IllegalArgumentException.class, () -> new DelimitedFormat("::", true, true, StandardCharsets.UTF_8,
                DelimitedFormat.Columns.parse("user=a,item=b")));
    }
}
