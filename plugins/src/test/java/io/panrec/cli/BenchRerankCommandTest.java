package io.panrec.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** panrec bench rerank: rows per model, backend and depth; an unregistered model is skipped by name. Correctness only, never timings. */
class BenchRerankCommandTest {
    @Test
    void writesOneRecordPerModelBackendAndDepth(@TempDir Path tmp) throws Exception {
        Path json = tmp.resolve("rerank.json");
        StringWriter out = new StringWriter();
        CommandLine cl = PanrecCli.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(out, true));
        int code = cl.execute("bench", "rerank", "--models", "NeuMF,NoSuchModel", "--backends", "reference", "--hits", "5,40", "--users", "20",
                "--items", "60", "--millis", "20", "--json", json.toString());
        assertEquals(0, code, out.toString());
        assertTrue(out.toString().contains("skipped: NoSuchModel not registered"), out.toString());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> records = (List<Map<String, Object>>) MiniJson.parse(Files.readString(json));
        assertEquals(2, records.size(), records.toString());
        for (int i = 0; i < 2; i++) {
            Map<String, Object> r = records.get(i);
            assertEquals("NeuMF", r.get("model"));
            assertEquals("reference", r.get("backend"));
            assertEquals(i == 0 ? 5.0 : 40.0, ((Number) r.get("hits")).doubleValue());
            double p50 = ((Number) r.get("p50_micros")).doubleValue();
            double p99 = ((Number) r.get("p99_micros")).doubleValue();
            assertTrue(p50 > 0 && p99 >= p50, r.toString());
        }
        int bad = cl.execute("bench", "rerank", "--hits", "100", "--items", "50");
        assertEquals(2, bad);
    }
}
