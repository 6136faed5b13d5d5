package io.panrec.models.features;

import io.panrec.models.data.DataFormatException;
import io.panrec.models.data.ReadOptions;
import io.panrec.models.spi.Batch;
import io.panrec.models.spi.FeatureField;
import io.panrec.tensor.Scope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class CtrReadersTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    private static String criteoRow(String label, int fields) {
        StringBuilder sb = new StringBuilder(label);
        for (int j = 1; j < fields; j++) {
            sb.append('\t').append(j <= 13 ? Integer.toString(j) : "c" + j);
        }
        return sb.toString();
    }

    @Test
    void criteoTsvPadsShortRowsAndKeepsMissingValues() throws Exception {
        // row 2 has an empty I2 and lost its trailing fields (37 of 40); the file has no final newline
        String row2 = "1\t5\t\t7" + "\t1".repeat(10) + "\tx".repeat(23);
        Path f = write("train.txt", criteoRow("0", 40) + "\n" + row2);
        RawCtrData raw = CtrReaders.criteoTsv(f, CtrReaders.Encoding.DEFAULT, ReadOptions.STRICT);
        assertEquals(2, raw.size());
        assertEquals(39, raw.specs().size());
        assertEquals(1f, raw.label(1));
        assertNull(raw.row(1)[1], "empty I2 is missing");
        assertNull(raw.row(1)[38], "padded C26 is missing");
        assertEquals("x", raw.row(1)[13]);
        assertEquals(2, raw.report().files().getFirst().records());
    }

    @Test
    void criteoTsvMalformedLinesNameFileAndLineOrAreCounted() throws Exception {
        Path f = write("bad.txt", criteoRow("0", 40) + "\n" + criteoRow("2", 40) + "\n" + "1\tnotanumber\n" + criteoRow("1", 41) + "\n"
                + criteoRow("1", 40) + "\n");
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> CtrReaders.criteoTsv(f, CtrReaders.Encoding.DEFAULT, ReadOptions.STRICT));
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("bad.txt line 2") && e.getMessage().contains("label '2'"), e.getMessage());
        RawCtrData raw = CtrReaders.criteoTsv(f, CtrReaders.Encoding.DEFAULT, ReadOptions.LENIENT);
        assertEquals(2, raw.size());
        assertEquals(3, raw.report().skipped());
        List<String> problems = raw.report().files().getFirst().problems();
        assertTrue(problems.get(1).startsWith("line 3: I1 'notanumber'"), problems.toString());
        assertTrue(problems.get(2).startsWith("line 4: expected at most 40"), problems.toString());
    }

    @Test
    void criteoCsvFindsColumnsByHeaderAndReadsFloats() throws Exception {
        StringBuilder header = new StringBuilder("label");
        StringBuilder row = new StringBuilder("1");
        for (int i = 1; i <= 13; i++) {
            header.append(",I").append(i);
            row.append(i == 3 ? ",260.0" : ",");
        }
        for (int i = 1; i <= 26; i++) {
            header.append(",C").append(i);
            row.append(",h").append(i);
        }
        Path f = write("sample.csv", header + "\n" + row + "\n" + row + "\n");
        RawCtrData raw = CtrReaders.criteoCsv(f, CtrReaders.Encoding.DEFAULT, ReadOptions.STRICT);
        assertEquals(2, raw.size());
        assertEquals("260.0", raw.row(0)[2]);
        FeatureEncoder enc = FeatureEncoder.fit(raw, null);
        // the winners' bucket of 260: floor(ln(260)^2) = 30
        assertEquals(enc.layout().offset(2) + enc.vocabulary(2).indexOf("b30"), enc.id(2, "260.0"));
        Path bad = write("noheader.csv", "label,I1\n1,2\n");
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> CtrReaders.criteoCsv(bad, CtrReaders.Encoding.DEFAULT, ReadOptions.STRICT));
        assertTrue(e.getMessage().contains("no column 'I2'"), e.getMessage());
    }

    @Test
    void avazuSplitsTheHourAndDropsTheId() throws Exception {
        Path f = write("avazu.csv", "id,click,hour,C1,site_id\n1,0,14102100,1005,abc\n2,1,14102513,1002,\n3,x,14102100,1,a\n");
        assertThrows(DataFormatException.class, () -> CtrReaders.avazu(f, CtrReaders.Encoding.DEFAULT, ReadOptions.STRICT));
        RawCtrData raw = CtrReaders.avazu(f, CtrReaders.Encoding.DEFAULT, ReadOptions.LENIENT);
        assertEquals(2, raw.size());
        assertEquals(1, raw.report().skipped());
        assertEquals(List.of("hour_of_day", "weekday", "C1", "site_id"), raw.specs().stream().map(FieldSpec::name).toList());
        assertArrayEquals(new String[] {"00", "TUESDAY", "1005", "abc"}, raw.row(0)); // 2014-10-21 was a Tuesday
        assertArrayEquals(new String[] {"13", "SATURDAY", "1002", null}, raw.row(1));
    }

    @Test
    void movieLensAsCtrHasUserAndItemTables() throws Exception {
        write("u.data", "1\t10\t5\t1\n2\t10\t3\t2\n1\t20\t4\t3\n3\t20\t1\t4\n");
        String flags = "|0".repeat(19);
        Files.writeString(dir.resolve("u.item"), "10|A|d||u" + flags.substring(0, 2 * 5) + "|1" + flags.substring(2 * 6) + "\n"
                + "20|B|d||u" + flags + "\n", StandardCharsets.ISO_8859_1);
        write("u.user", "1|24|M|technician|85711\n2|53|F|other|94043\n3|17|M|writer|32067\n");
        RawCtrData raw = CtrReaders.movieLens100k(dir, ReadOptions.STRICT);
        assertEquals(4, raw.size());
        assertArrayEquals(new float[] {1, 0, 1, 0}, new float[] {raw.label(0), raw.label(1), raw.label(2), raw.label(3)});
        FeatureEncoder enc = FeatureEncoder.fit(raw, null);
        CtrData data = enc.encode(raw, null);
        assertEquals(3, data.schema().numUsers());
        assertEquals(List.of("user", "age", "gender", "occupation", "item", "genres"),
                data.schema().features().stream().map(FeatureField::name).toList());
        FieldLayout l = data.layout();
        SideFeatures side = data.side();
        side.check(l);
        // user "3" (index 2) is 17: the first age bucket; "2" is 53: [50, 56) is bucket 5
        assertEquals(l.offset(1), side.userFields()[2 * 4 + 1]);
        assertEquals(l.offset(1) + 5, side.userFields()[4 + 1]);
        // item "10" has one genre (Comedy), item "20" none
        assertEquals(1, side.itemBagLengths()[0]);
        assertEquals(0, side.itemBagLengths()[1]);
        try (var _ = Scope.open("t")) {
            Batch b = data.batch(null, 0, 4);
            assertTrue(b.has(Batch.USERS) && b.has(Batch.LABELS) && !b.has(Batch.FEATURES), b.toString());
        }
        Path badUser = write("u.user", "1|x|M|technician|85711\n");
        DataFormatException e = assertThrows(DataFormatException.class, () -> CtrReaders.movieLens100k(dir, ReadOptions.STRICT));
        assertTrue(e.getMessage().contains("u.user line 1") && e.getMessage().contains("age"), e.getMessage());
        assertTrue(Files.exists(badUser));
    }

    @Test
    void encoderKeepsFrequentTokensHashesAndSavesItself() throws Exception {
        RawCtrData raw = new RawCtrData("t", List.of(FieldSpec.vocabulary("c", FeatureField.Source.ROW, 2), FieldSpec.hashed("h", 8),
                FieldSpec.log("x"), FieldSpec.buckets("b", FeatureField.Source.ROW, 0, 10),
                FieldSpec.bag("tags", FeatureField.Source.ROW, 1, 2)), false);
        raw.addRow(1, null, null, "a", "p", "3", "5", "t1|t2|t3");
        raw.addRow(0, null, null, "a", "q", null, "-1", null);
        raw.addRow(0, null, null, "rare", "p", "-7", null, "t2");
        FeatureEncoder enc = FeatureEncoder.fit(raw, new int[] {0, 1});
        List<FeatureField> f = enc.fields();
        assertEquals(2, f.get(0).size(), "'a' (count 2) and the OOV bucket");
        assertEquals(enc.layout().offset(0) + 1, enc.id(0, "rare"), "unseen tokens share the OOV id");
        assertEquals(8, f.get(1).size());
        assertEquals(enc.id(1, "p"), enc.id(1, "p"));
        assertEquals((float) Math.log1p(3), enc.value(2, "3"), 1e-6f);
        assertEquals((float) -Math.log1p(7), enc.value(2, "-7"), 1e-6f);
        assertEquals(0f, enc.value(2, null));
        assertEquals(4, f.get(3).size(), "2 boundaries: 3 intervals and a missing bucket");
        assertEquals(enc.layout().offset(3), enc.id(3, "-1"));
        assertEquals(enc.layout().offset(3) + 1, enc.id(3, "5"));
        assertEquals(enc.layout().offset(3) + 3, enc.id(3, null));
        assertEquals(2, enc.bag(4, "t1|t2|t3").length, "bags keep maxLength ids");
        CtrData data = enc.encode(raw, null);
        assertEquals(3, data.size());
        enc.save(dir);
        FeatureEncoder back = FeatureEncoder.load(dir);
        assertEquals(enc.fields(), back.fields());
        assertEquals(enc.specs(), back.specs());
        for (int r = 0; r < 3; r++) {
            assertEquals(enc.id(0, raw.row(r)[0]), back.id(0, raw.row(r)[0]));
            assertEquals(enc.id(1, raw.row(r)[1]), back.id(1, raw.row(r)[1]));
        }
    }

    @Test
    void readsTheSharedSamplesWhenPresent() throws Exception {
        Path shared = null;
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("shared/data/criteo-sample"))) {
                shared = p.resolve("shared/data/criteo-sample");
                break;
            }
        }
        assumeTrue(shared != null, "shared/data/criteo-sample not found");
        RawCtrData tsv = CtrReaders.criteoTsv(shared.resolve("criteo_train_head1000.txt"), CtrReaders.Encoding.DEFAULT, ReadOptions.STRICT);
        assertEquals(1000, tsv.size());
        RawCtrData csv = CtrReaders.criteoCsv(shared.resolve("criteo_sample.txt"), CtrReaders.Encoding.DEFAULT, ReadOptions.STRICT);
        assertEquals(200, csv.size());
        RawCtrData avazu = CtrReaders.avazu(shared.resolve("avazu_sample.txt"), CtrReaders.Encoding.DEFAULT, ReadOptions.STRICT);
        assertEquals(100, avazu.size());
    }
}
