package io.panrec.cli.models;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;
import java.util.SplittableRandom;

import static io.panrec.cli.models.ModelCommandsTest.json;
import static io.panrec.cli.models.ModelCommandsTest.ok;
import static io.panrec.cli.models.ModelCommandsTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The session task end to end in-process: train GRU4Rec on a generated DIGINETICA-format file (the
 * sessions split), evaluate the bundle with the next-item protocol, and a clear error for the sessions
 * split on other data.
 */
class SessionCommandsTest {
    @TempDir
    Path tmp;

    /** Sessions walking a ring of 12 items (each click followed by the next item), over 20 days. */
    static Path writeDiginetica(Path file) throws Exception {
        SplittableRandom r = new SplittableRandom(5);
        StringBuilder sb = new StringBuilder("session_id;user_id;item_id;timeframe;eventdate\n");
        LocalDate start = LocalDate.parse("2016-05-01");
        for (int s = 0; s < 300; s++) {
            int item = r.nextInt(12);
            int len = 2 + r.nextInt(4);
            for (int t = 0; t < len; t++) {
                sb.append(s + 1).append(";NA;").append(100 + (item + t) % 12).append(';').append(1000 * t).append(';')
                        .append(start.plusDays(s / 15)).append('\n');
            }
        }
        Files.writeString(file, sb.toString());
        return file;
    }

    @Test
    void trainsAndEvaluatesGru4RecOnSessions() throws Exception {
        Path data = writeDiginetica(tmp.resolve("views.csv"));
        Path out = tmp.resolve("gru");
        Path trainJson = tmp.resolve("train.json");
        ok("train", "--model", "GRU4Rec", "--data", "diginetica:" + data, "--set", "epochs=8", "--set", "hiddenSize=16",
                "--set", "embeddingSize=16", "--set", "learningRate=0.2", "--set", "sampledNegatives=8", "--out", out.toString(),
                "--json", trainJson.toString());
        Map<String, Object> t = json(trainJson);
        assertEquals("sequence", t.get("task"));
        @SuppressWarnings("unchecked")
        Map<String, Object> split = (Map<String, Object>) t.get("split");
        assertEquals("sessions", split.get("kind"));

        Path evalJson = tmp.resolve("eval.json");
        ok("evaluate", "--model", out.toString(), "-k", "1,10", "--json", evalJson.toString());
        Map<String, Object> e = json(evalJson);
        @SuppressWarnings("unchecked")
        Map<String, Object> metrics = (Map<String, Object>) e.get("metrics");
        assertEquals("next-item", e.get("protocol"));
        assertTrue(metrics.keySet().containsAll(java.util.List.of("Recall@1", "Recall@10", "Recall@20", "MRR@20")), metrics.toString());
        double recall = ((Number) metrics.get("Recall@1")).doubleValue();
        // the next item is always the ring's next one: a trained GRU4Rec puts it first far more often than chance (1 in 12)
        assertTrue(recall > 0.5, "Recall@1 " + recall);

        ModelCommandsTest.Run bad = run("train", "--model", "GRU4Rec", "--data", "csv:" + data, "--columns", "user=a,item=b",
                "--split", "sessions", "--out", tmp.resolve("x").toString());
        assertEquals(2, bad.code(), bad.toString());
    }
}
