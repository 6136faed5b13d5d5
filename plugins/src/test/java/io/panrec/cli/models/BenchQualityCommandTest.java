package io.panrec.cli.models;

import io.panrec.cli.bench.BenchQualityCommand;
import io.panrec.io.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.panrec.cli.models.ModelCommandsTest.ok;
import static io.panrec.cli.models.ModelCommandsTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code panrec bench quality} on a generated MovieLens-100K-shaped folder (its numbers are not checked, its plumbing is). */
class BenchQualityCommandTest {
    @TempDir
    static Path tmp;

    static Path data;

    @BeforeAll
    static void writeData() throws Exception {
        data = tmp.resolve("ml-100k");
        ToyMovieLens.write(data, 11);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aQuickRunWritesTheTablesAndTheResults() throws Exception {
        Path md = tmp.resolve("out/quality.md");
        Path js = tmp.resolve("out/quality.json");
        ModelCommandsTest.Run r = ok("bench", "quality", "--data", "ml-100k:" + data, "--quick", "--models", "BiasedMF,Pop,BPRMF",
                "--markdown", md.toString(), "--json", js.toString());
        String report = Files.readString(md);
        assertEquals(r.out(), report, "the report printed is the one written");
        assertTrue(report.contains("panrec bench quality --data ml-100k:" + data + " --quick"), report);
        assertTrue(report.lines().anyMatch(l -> l.matches("\\| BiasedMF \\| [0-9.]+ \\| [0-9.]+ \\| .*")), report);
        assertTrue(report.lines().anyMatch(l -> l.matches("\\| Pop \\| 0\\.[0-9]{4} \\| 0\\.[0-9]{4} \\| 1 \\(1\\) \\| .*")), report);
        assertTrue(report.lines().anyMatch(l -> l.matches("\\| BPRMF \\| 0\\.[0-9]{4} \\| 0\\.[0-9]{4} \\| [12] \\([12]\\) \\| .*")), report);
        assertTrue(report.contains("epochs=2*"), "the quick run's change of BPRMF's epochs is marked: " + report);
        assertTrue(report.contains("| JDK | " + Runtime.version()), report);

        Map<String, Object> root = (Map<String, Object>) Json.parse(Files.readString(js));
        List<Object> entries = (List<Object>) root.get("entries");
        assertEquals(3, entries.size());
        for (Object o : entries) {
            Map<String, Object> e = (Map<String, Object>) o;
            assertEquals(Json.NULL, e.get("error"), e.toString());
            Map<String, Object> result = (Map<String, Object>) e.get("result");
            assertTrue(result.get("metrics") instanceof Map<?, ?> m && !m.isEmpty(), e.toString());
            assertNotEquals(null, result.get("backend"));
        }
        Map<String, Object> mf = (Map<String, Object>) ((Map<String, Object>) entries.getFirst()).get("result");
        assertEquals("rating", mf.get("protocol"));
        assertEquals(1, ((List<Object>) mf.get("runs")).size(), "quick: fold u1 only");
    }

    @Test
    void badArgumentsAreNamed() {
        ModelCommandsTest.Run r = run("bench", "quality", "--data", "ml-100k:" + data, "--models", "NoSuchModel");
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("not in the quality table") && r.err().contains("BiasedMF"), r.err());
        r = run("bench", "quality", "--data", "csv:" + data.resolve("u.data"));
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("--data ml-100k:DIR"), r.err());
    }

    @Test
    void everyEntryNamesARegisteredModel() {
        var registry = io.panrec.models.spi.ModelRegistry.discover();
        for (BenchQualityCommand.Entry e : BenchQualityCommand.ENTRIES) {
            assertTrue(registry.find(e.model()).isPresent(), e.model());
        }
    }
}
