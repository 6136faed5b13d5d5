package io.panrec.cli;

import io.panrec.onednn.OneDnnLibrary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code panrec bench kernels}: its records, its JSON and its refusal of bad shapes (never its timings). */
class BenchKernelsCommandTest {

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = PanrecCli.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    @SuppressWarnings("unchecked")
    void quickRunWritesOneRecordPerShapeAndPath(@TempDir Path tmp) throws Exception {
        assertTrue(OneDnnLibrary.availability().available(), "oneDNN must load in CI: " + OneDnnLibrary.availability());
        Path json = tmp.resolve("reports/kernels.json");
        Run r = run("bench", "kernels", "--quick", "--shapes", "1x64x64,9x17x5", "--json", json.toString());
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("1x64x64") && r.out().contains("9x17x5") && r.out().contains("wrote " + json), r.out());

        List<Object> records = (List<Object>) MiniJson.parse(Files.readString(json));
        assertEquals(8, records.size(), "2 shapes x 4 paths: " + records);
        Set<String> seen = new HashSet<>();
        for (Object o : records) {
            Map<String, Object> rec = (Map<String, Object>) o;
            assertEquals(Set.of("op", "shape", "path", "threads", "gflops", "micros_per_call"), rec.keySet());
            assertEquals("matmul", rec.get("op"));
            String shape = (String) rec.get("shape");
            String path = (String) rec.get("path");
            assertTrue(List.of("onednn", "direct", "vector", "reference").contains(path), path);
            assertTrue(seen.add(shape + " " + path), "duplicate record " + rec);
            assertEquals(Runtime.getRuntime().availableProcessors(), ((Double) rec.get("threads")).intValue());
            double gflops = (Double) rec.get("gflops");
            double micros = (Double) rec.get("micros_per_call");
            assertTrue(gflops > 0 && micros > 0, rec.toString());
            String[] d = shape.split("x");
            double flops = 2.0 * Integer.parseInt(d[0]) * Integer.parseInt(d[1]) * Integer.parseInt(d[2]);
            // both fields describe the same median: GFLOP/s = flops / (us * 1e3), up to the 4 decimals written
            assertEquals(flops / (micros * 1e3), gflops, 1e-3 + 1e-3 * gflops, rec.toString());
        }
        assertTrue(Files.list(json.getParent()).noneMatch(p -> p.toString().endsWith(".tmp")), "the JSON is written atomically");
    }

    @Test
    void badShapesAreRefusedWithTheFormat() {
        Run r = run("bench", "kernels", "--shapes", "64x64");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("MxKxN"), r.err());
        r = run("bench", "kernels", "--shapes", "0x4x4");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("between 1 and 8192"), r.err());
        r = run("bench", "kernels", "--shapes", "4xfourx4");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("'four' is not a number"), r.err());
    }
}
