package io.panrec.cli.search;

import io.panrec.cli.PanrecCli;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** panrec index and panrec search, one step at a time, on a small generated catalogue. */
class IndexAndSearchCommandsTest {
    static final String[] DATA = {"--items", "200", "--synthetic-users", "120", "--per-user", "15"};

    @TempDir
    static Path tmp;

    /** exit code, then standard output and error together. */
    record Run(int code, String out) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cl = PanrecCli.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(out, true));
        int code = cl.execute(args);
        return new Run(code, out.toString());
    }

    static String[] with(String[] head, String... tail) {
        return java.util.stream.Stream.concat(java.util.Arrays.stream(head), java.util.Arrays.stream(tail)).toArray(String[]::new);
    }

    @BeforeAll
    static void demoWritesAModelBundle() {
        // the demo's --work folder holds a BPRMF bundle trained on the same generated data (same seed and sizes)
        Run r = run(with(with(new String[] {"demo"}, DATA), "--epochs", "4", "--users", "1", "--work", tmp.resolve("work").toString()));
        assertEquals(0, r.code(), r.out());
    }

    @Test
    void indexWithoutVectorsThenBm25Search() throws Exception {
        Path index = tmp.resolve("plain");
        Path log = tmp.resolve("log.csv");
        Run r = run(with(new String[] {"index", "--out", index.toString(), "--write-log", log.toString()}, DATA));
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("indexed 200 items into"), r.out());
        List<String> lines = Files.readAllLines(log);
        assertEquals("user,item,timestamp", lines.getFirst());
        assertEquals(1 + 120 * 15, lines.size());

        Run s = run("search", "--index", index.toString(), "--query", "night", "-k", "5");
        assertEquals(0, s.code(), s.out());
        List<String> hits = s.out().lines().filter(l -> l.matches("\\s+\\d+\\s+.*")).toList();
        assertEquals(5, hits.size(), s.out());
        for (String h : hits) {
            assertTrue(h.toLowerCase().contains("night"), "a BM25 hit for 'night' without the word: " + h);
        }
        Run knn = run("search", "--index", index.toString(), "--query", "night", "--knn", "--user", "u1", "--rerank",
                tmp.resolve("work").resolve("model").toString());
        assertEquals(2, knn.code(), knn.out());
        assertTrue(knn.out().contains("this index has no item vectors; index with 'panrec index --model BUNDLE_DIR'"), knn.out());
    }

    @Test
    void indexWithAModelsVectorsThenRerankAndKnn() {
        Path model = tmp.resolve("work").resolve("model");
        Path index = tmp.resolve("vectors");
        Run r = run(with(new String[] {"index", "--out", index.toString(), "--model", model.toString()}, DATA));
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("200 with a 32-d vector"), r.out());

        Run s = run("search", "--index", index.toString(), "--query", "secret", "--user", "u3", "--rerank", model.toString(), "--knn", "-k", "4",
                "--explain");
        assertEquals(0, s.code(), s.out());
        assertTrue(s.out().contains("BM25 \"secret\""), s.out());
        assertTrue(s.out().contains("reranked for user u3 by BPRMF (blend(0.85))"), s.out());
        assertTrue(s.out().contains("kNN by the vector of user u3, among items matching \"secret\": 4 items"), s.out());
        assertTrue(s.out().contains("model score of BPRMF for user 'u3'"), "explanations: " + s.out());

        Run cold = run("search", "--index", index.toString(), "--query", "secret", "--user", "stranger", "--rerank", model.toString());
        assertEquals(0, cold.code(), cold.out());
        assertTrue(cold.out().contains("user 'stranger' is unknown to BPRMF: the reranked list keeps the BM25 order"), cold.out());
    }

    @Test
    void badInputIsOneClearLine() throws Exception {
        Path other = Files.createDirectories(tmp.resolve("other"));
        Files.writeString(other.resolve("notes.txt"), "mine");
        Run r = run(with(new String[] {"index", "--out", other.toString()}, DATA));
        assertEquals(2, r.code(), r.out());
        assertTrue(r.out().contains("holds other files and no Lucene index"), r.out());

        Run s = run("search", "--index", other.toString(), "--query", "x");
        assertEquals(2, s.code());
        assertTrue(s.out().contains("holds no Lucene index"), s.out());
        Run none = run("search", "--index", other.toString());
        assertTrue(none.out().contains("nothing to search"), none.out());
        Run half = run("search", "--index", other.toString(), "--query", "x", "--user", "u1");
        assertTrue(half.out().contains("--user and --rerank MODEL_DIR go together"), half.out());
        Run data = run("index", "--out", tmp.resolve("x").toString(), "--data", "csv:" + other.resolve("notes.txt"));
        assertTrue(data.out().contains("csv and tsv logs have no catalogue to search"), data.out());
    }
}
