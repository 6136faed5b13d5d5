package io.panrec.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo on a small generated catalogue: three lists per user, and the reranked ones favour the user's genres. */
class DemoCommandTest {
    static final String[] SMALL = {"--items", "400", "--synthetic-users", "300", "--per-user", "20", "--users", "3", "--depth", "60"};

    private static List<DemoCommand.Shown> run(StringWriter text, String... args) throws Exception {
        DemoCommand demo = new DemoCommand();
        new CommandLine(demo).parseArgs(args);
        return demo.run(new PrintWriter(text, true));
    }

    @Test
    void printsTheThreeListsAndRerankingFavoursTheUsersGenres(@TempDir Path tmp) throws Exception {
        StringWriter text = new StringWriter();
        String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(SMALL), java.util.stream.Stream.of("--work", tmp.toString(), "--epochs", "10"))
                .toArray(String[]::new);
        List<DemoCommand.Shown> shown = run(text, args);
        String out = text.toString();
        assertEquals(3, shown.size(), out);
        for (String part : new String[] {"backend: ", "generate catalogue and interaction log", "train BPRMF on 6000 interactions",
                "index 400 items, 400 with a 32-d vector", "BM25 top 10 of", "hits reranked: BPRMF, blend(0.85)",
                "kNN by the user's vector, matching the query", "time (median of 21 runs after the first): BM25 search", "rerank 60 hits", "kNN "}) {
            assertTrue(out.contains(part), "missing '" + part + "' in\n" + out);
        }
        int bm25 = 0;
        int reranked = 0;
        int knn = 0;
        for (DemoCommand.Shown s : shown) {
            assertEquals(10, s.bm25().size(), out);
            assertEquals(10, s.reranked().size(), out);
            assertEquals(10, s.knn().size(), out);
            assertEquals(2, s.favourites().size(), out);
            assertNotEquals(s.bm25(), s.reranked(), "reranking changed nothing for " + s.user() + "\n" + out);
            bm25 += s.bm25Favourite();
            reranked += s.rerankedFavourite();
            knn += s.knnFavourite();
        }
        // of 30 results per list: the users' two genres are about a quarter of what BM25 finds; the model must lift them clearly
        assertTrue(reranked >= bm25 + 6, "reranked lists favour the users' genres: BM25 " + bm25 + ", reranked " + reranked + "\n" + out);
        assertTrue(knn >= bm25 + 6, "kNN favours the users' genres: BM25 " + bm25 + ", kNN " + knn + "\n" + out);
        // the users shown have different favourite genres
        assertEquals(3, shown.stream().map(s -> s.favourites().getFirst()).distinct().count(), out);
        // --work keeps the index and the model for panrec search
        assertTrue(Files.isDirectory(tmp.resolve("index")) && Files.exists(tmp.resolve("model").resolve("model.json")), out);
    }

    @Test
    void chosenUsersAndQueriesAreUsedAndAnUnknownUserIsAClearError() throws Exception {
        StringWriter text = new StringWriter();
        String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(SMALL),
                java.util.stream.Stream.of("--user", "u7", "--query", "dragon night", "--epochs", "2")).toArray(String[]::new);
        List<DemoCommand.Shown> shown = run(text, args);
        assertEquals(1, shown.size());
        assertEquals("u7", shown.getFirst().user());
        assertTrue(text.toString().contains("query \"dragon night\""), text.toString());

        StringWriter err = new StringWriter();
        CommandLine cl = PanrecCli.commandLine();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        String[] bad = java.util.stream.Stream.concat(java.util.Arrays.stream(SMALL), java.util.stream.Stream.of("--user", "nobody", "--epochs", "1"))
                .toArray(String[]::new);
        String[] withCommand = java.util.stream.Stream.concat(java.util.stream.Stream.of("demo"), java.util.Arrays.stream(bad)).toArray(String[]::new);
        assertEquals(2, cl.execute(withCommand));
        assertTrue(err.toString().contains("user 'nobody' is not in the data"), err.toString());
    }
}
