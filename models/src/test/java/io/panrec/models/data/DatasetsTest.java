package io.panrec.models.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetsTest {
    @TempDir
    Path dir;

    @Test
    void readsByKind() throws Exception {
        Files.writeString(dir.resolve("u.data"), "1\t2\t3\t4\n");
        assertEquals(1, Datasets.read("ml-100k:" + dir, null, ReadOptions.STRICT).interactions().size());
        Files.writeString(dir.resolve("ratings.dat"), "1::2::3::4\n5::2::1::0\n");
        assertEquals(2, Datasets.read("ML-1M:" + dir, null, ReadOptions.STRICT).interactions().size());
        Path tsv = dir.resolve("x.tsv");
        Files.writeString(tsv, "who\twhat\na\tb\n");
        Dataset d = Datasets.read("tsv:" + tsv, DelimitedFormat.Columns.parse("user=who,item=what"), ReadOptions.STRICT);
        assertEquals("a", d.interactions().users().id(0));
    }

    @Test
    void errorsSayWhatIsKnown() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Datasets.read("ml-20m:" + dir, null, ReadOptions.STRICT));
        assertTrue(e.getMessage().contains("known kinds: ml-100k, ml-1m, ml-latest, csv, tsv"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Datasets.read(dir.toString().substring(1), null, ReadOptions.STRICT));
        assertThrows(IllegalArgumentException.class, () -> Datasets.read("csv:" + dir, null, ReadOptions.STRICT));
        assertThrows(NoSuchFileException.class, () -> Datasets.read("ml-1m:" + dir.resolve("nope"), null, ReadOptions.STRICT));
    }
}
