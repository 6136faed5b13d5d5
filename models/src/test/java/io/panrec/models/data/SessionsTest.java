package io.panrec.models.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The session readers (DIGINETICA and generic), their malformed lines, and the standard preprocessing. */
class SessionsTest {
    @TempDir
    Path tmp;

    @Test
    void readsDigineticaOrderingClicksByTimeframe() throws Exception {
        Path f = tmp.resolve("views.csv");
        Files.writeString(f, "session_id;user_id;item_id;timeframe;eventdate\n"
                + "1;NA;81766;526309;2016-05-09\n"
                + "1;NA;31331;1031018;2016-05-09\n"
                + "1;NA;32118;243569;2016-05-09\n"
                + "2;NA;81766;100;2016-05-10"); // no final newline, as the sample
        Dataset d = Datasets.read("diginetica:" + f, null, ReadOptions.STRICT);
        Interactions x = d.interactions();
        assertEquals(4, x.size());
        assertEquals(2, x.numUsers());
        assertEquals(3, x.numItems());
        long day = LocalDate.parse("2016-05-09").toEpochDay() * 86_400_000L;
        assertEquals(day + 526309, x.timestamp(0));
        int[][] seqs = Sessions.sequences(x);
        // ordered by timeframe: 32118 (243569) < 81766 (526309) < 31331 (1031018)
        assertEquals(List.of("32118", "81766", "31331"), ids(x, seqs[x.users().index("1")]));
        assertEquals(List.of("81766"), ids(x, seqs[x.users().index("2")]));
    }

    @Test
    void digineticaMalformedLinesThrowOrAreCounted() throws Exception {
        Path f = tmp.resolve("bad.csv");
        Files.writeString(f, "session_id;user_id;item_id;timeframe;eventdate\n"
                + "1;NA;5;10;2016-05-09\n"
                + "1;NA;6;x;2016-05-09\n"          // line 3: timeframe
                + "2;NA;;10;2016-05-09\n"          // line 4: empty item
                + "2;NA;7;10;09/05/2016\n"         // line 5: date
                + "3;NA;7;10\n"                    // line 6: fields
                + "3;NA;8;11;2016-05-10\n");
        DataFormatException e = assertThrows(DataFormatException.class, () -> Sessions.readDiginetica(f, ReadOptions.STRICT));
        assertEquals(3, e.line());
        assertTrue(e.getMessage().contains("timeframe 'x'"), e.getMessage());
        Dataset d = Sessions.readDiginetica(f, ReadOptions.LENIENT);
        assertEquals(2, d.interactions().size());
        assertEquals(4, d.report().skipped());
        String summary = d.report().summary();
        assertTrue(summary.contains("line 4: empty item id") && summary.contains("line 5: eventdate") && summary.contains("line 6: expected 5"),
                summary);
        Path wrong = tmp.resolve("wrong.csv");
        Files.writeString(wrong, "session,item,time\n1,2,3\n");
        DataFormatException h = assertThrows(DataFormatException.class, () -> Sessions.readDiginetica(wrong, ReadOptions.LENIENT));
        assertTrue(h.getMessage().contains("sessions:PATH"), h.getMessage());
    }

    @Test
    void readsGenericSessionFilesByHeaderNames() throws Exception {
        Path tsv = tmp.resolve("clicks.tsv");
        Files.writeString(tsv, "SessionId\tItemId\tTime\n1\t214536502\t1396839069.277\n1\t214536500\t1396839049.5\n2\t9\t1396839100\n");
        Interactions x = Datasets.read("sessions:" + tsv, null, ReadOptions.STRICT).interactions();
        assertEquals(3, x.size());
        assertEquals(1396839069277L, x.timestamp(0));
        assertEquals(List.of("214536500", "214536502"), ids(x, Sessions.sequences(x)[0]));

        Path csv = tmp.resolve("clicks.csv");
        Files.writeString(csv, "time,extra,item,session\n5,a,i1,s1\n6,b,i2,s1\nlate,c,i3,s1\n7,d,,s2\n8,e,i4\n");
        DataFormatException e = assertThrows(DataFormatException.class, () -> Sessions.readDelimited(csv, ReadOptions.STRICT));
        assertEquals(4, e.line());
        Dataset d = Sessions.readDelimited(csv, ReadOptions.LENIENT);
        assertEquals(2, d.interactions().size());
        assertEquals(3, d.report().skipped());

        Path named = tmp.resolve("named.csv");
        Files.writeString(named, "visit,product,at\nv1,p1,10\nv1,p2,11\n");
        Interactions n = Datasets.read("sessions:" + named, DelimitedFormat.Columns.parse("user=visit,item=product,timestamp=at"),
                ReadOptions.STRICT).interactions();
        assertEquals(List.of("p1", "p2"), ids(n, Sessions.sequences(n)[0]));
        assertThrows(IllegalArgumentException.class, () -> Sessions.readDelimited(named, DelimitedFormat.Columns.parse("user=visit,item=product"),
                ReadOptions.STRICT));

        Path noTime = tmp.resolve("notime.csv");
        Files.writeString(noTime, "session,item\n1,2\n");
        DataFormatException h = assertThrows(DataFormatException.class, () -> Sessions.readDelimited(noTime, ReadOptions.LENIENT));
        assertTrue(h.getMessage().contains("no time column"), h.getMessage());
    }

    @Test
    void preprocessingFiltersSplitsByDayAndExpandsCases() {
        Vocabulary sv = new Vocabulary("sessions");
        Vocabulary iv = new Vocabulary("items");
        Interactions.Builder b = Interactions.builder(sv, iv, false, true);
        long day = 86_400_000L;
        // training days 0..9: items a, b, c frequent; r rare (one click)
        List<String[]> train = new ArrayList<>();
        for (int s = 0; s < 6; s++) {
            add(b, "t" + s, s * day, "a", "b", "c");
        }
        add(b, "single", 2 * day, "a");                 // length 1: dropped
        add(b, "rare", 3 * day, "r", "a");              // loses r, then length 1: dropped
        // test days (the last 2): one session with an item unseen in training, one that becomes too short
        add(b, "x1", 9 * day, "c", "new", "new", "new", "new", "new", "a", "b"); // "new" has 5 clicks but only in test
        add(b, "x2", 10 * day, "b", "new");
        Interactions all = b.build();
        Split split = Sessions.prepare(all, Sessions.Preprocessing.STANDARD.withTestDays(2));
        assertEquals(List.of("a", "b", "c"), split.train().items().ids().subList(0, 3));
        assertEquals(18, split.train().size());
        assertTrue(split.validation().isEmpty());
        // x1 keeps c, a, b (the unseen item is removed); x2 keeps only b and is dropped
        assertEquals(3, split.test().size());
        List<Sessions.Case> cases = Sessions.nextItemCases(split.test());
        assertEquals(2, cases.size());
        int a = iv.indexOf("a");
        assertEquals(split.train().items().index("a"), cases.get(0).target());
        assertArrayEquals(new int[] {split.train().items().index("c")}, cases.get(0).prefix());
        assertEquals(split.train().items().index("b"), cases.get(1).target());
        assertTrue(a >= 0);
        // the same input always gives the same split
        Split again = Sessions.prepare(all, Sessions.Preprocessing.STANDARD.withTestDays(2));
        assertArrayEquals(split.test().itemColumn(), again.test().itemColumn());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Sessions.prepare(all, Sessions.Preprocessing.STANDARD.withTestDays(20)));
        assertTrue(e.getMessage().contains("test days"), e.getMessage());
    }

    private static void add(Interactions.Builder b, String session, long start, String... items) {
        for (int k = 0; k < items.length; k++) {
            b.add(session, items[k], 1f, start + k * 1000L);
        }
    }

    private static List<String> ids(Interactions x, int[] items) {
        List<String> out = new ArrayList<>();
        for (int i : items) {
            out.add(x.items().id(i));
        }
        return out;
    }
}
