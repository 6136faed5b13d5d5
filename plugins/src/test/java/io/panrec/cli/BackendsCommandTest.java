package io.panrec.cli;

import io.panrec.backend.Availability;
import io.panrec.backend.Backend;
import io.panrec.backend.BackendProvider;
import io.panrec.backend.Backends;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackendsCommandTest {

    /** A provider that never runs here, with reasons that need escaping in JSON. */
    private static BackendProvider absent(String name, int rank, String... reasons) {
        return new BackendProvider() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public int rank() {
                return rank;
            }

            @Override
            public String description() {
                return "a test backend that is never available";
            }

            @Override
            public Availability availability() {
                return Availability.no(reasons);
            }

            @Override
            public Backend create() {
                throw new AssertionError("an unavailable backend is never created");
            }
        };
    }

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

    @SuppressWarnings("unchecked")
    private static Map<String, Object> entry(List<Object> backends, String name) {
        return backends.stream().map(o -> (Map<String, Object>) o).filter(m -> name.equals(m.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError(name + " missing from " + backends));
    }

    @Test
    @SuppressWarnings("unchecked")
    void listsEveryProviderWithReasonsAndTheDefault() {
        String reason1 = "needs the unobtainium driver: install it";
        String reason2 = "and a \"quoted\" path C:\\unobtainium\tthat JSON must escape";
        Backends.register(absent("test-absent", 999, reason1, reason2));
        String used = Backends.defaultBackend().name();

        Run table = run("backends");
        assertEquals(0, table.code(), table.err());
        List<String> lines = table.out().lines().toList();
        String absentLine = lines.stream().filter(l -> l.contains("test-absent")).findFirst().orElseThrow(
                () -> new AssertionError(table.out()));
        assertTrue(absentLine.matches("\\s+test-absent\\s+999\\s+no\\s+a test backend that is never available"), absentLine);
        int at = lines.indexOf(absentLine);
        assertEquals("- " + reason1, lines.get(at + 1).strip(), table.out());
        assertEquals("- " + reason2, lines.get(at + 2).strip(), table.out());
        // exactly one row is marked, and it is the default backend
        List<String> marked = lines.stream().filter(l -> l.startsWith("*")).toList();
        assertEquals(1, marked.size(), table.out());
        assertTrue(marked.get(0).matches("\\*\\s+" + used + "\\s+\\d+\\s+yes\\s+.*"), marked.get(0));
        // the whole suite may run with a forced backend (./panrec test -Dpanrec.backend=reference)
        String forced = System.getProperty(Backends.PROPERTY, "").trim();
        assertTrue(lines.contains("default: * " + used + (forced.isEmpty()
                ? " (the highest-ranked available one; force another with -Dpanrec.backend=NAME)"
                : " (forced by -Dpanrec.backend=" + forced + ")")), table.out());
        for (String name : List.of("reference", "vector")) {
            assertTrue(lines.stream().anyMatch(l -> l.matches("\\*?\\s+" + name + "\\s+\\d+\\s+(yes|no)\\s+.*")), table.out());
        }
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("CPU:") && l.contains(
                Runtime.getRuntime().availableProcessors() + " logical cores")), table.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("Vector:") && l.contains("-bit float vectors")), table.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("JDK:") && l.contains(Runtime.version().toString())), table.out());

        Run json = run("backends", "--json");
        assertEquals(0, json.code(), json.err());
        Map<String, Object> doc = (Map<String, Object>) MiniJson.parse(json.out().strip());
        List<Object> backends = (List<Object>) doc.get("backends");
        Map<String, Object> a = entry(backends, "test-absent");
        assertEquals(999.0, a.get("rank"));
        assertEquals(false, a.get("available"));
        assertEquals(false, a.get("default"));
        assertEquals(List.of(reason1, reason2), a.get("reasons"));
        assertEquals(true, entry(backends, used).get("default"));
        assertEquals(List.of(), entry(backends, "reference").get("reasons"));
        assertEquals(1, backends.stream().filter(o -> ((Map<String, Object>) o).get("default").equals(true)).count());
        assertEquals(used, doc.get("default"));
        assertEquals(forced.isEmpty() ? MiniJson.NULL : forced, doc.get("forced"));
        Map<String, Object> cpu = (Map<String, Object>) doc.get("cpu");
        assertEquals((double) Runtime.getRuntime().availableProcessors(), cpu.get("logicalCores"));
        // the tests run with the Vector API module, so a width must be there
        assertTrue((Double) cpu.get("vectorBits") >= 64, cpu.toString());
        assertEquals((Double) cpu.get("vectorBits"), 32 * (Double) cpu.get("floatLanes"), cpu.toString());
        assertEquals(Runtime.version().toString(), ((Map<String, Object>) doc.get("jdk")).get("version"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void aForcedUnknownBackendIsListedAndExitsOne() {
        // registering drops the cached default, so the property below is read again
        Backends.register(absent("test-absent-too", -5, "only here to reset the default"));
        String before = System.getProperty(Backends.PROPERTY);
        System.setProperty(Backends.PROPERTY, "no-such-backend");
        try {
            Run table = run("backends");
            assertEquals(1, table.code(), table.out() + table.err());
            assertTrue(table.err().contains("unknown backend 'no-such-backend'") && table.err().contains("reference"),
                    table.err());
            assertTrue(table.out().contains("test-absent-too") && table.out().contains("reference"), table.out());
            assertTrue(table.out().contains("default: none (forced by -Dpanrec.backend=no-such-backend)"), table.out());
            assertFalse(table.out().lines().anyMatch(l -> l.startsWith("*")), table.out());

            Run json = run("backends", "--json");
            assertEquals(1, json.code());
            Map<String, Object> doc = (Map<String, Object>) MiniJson.parse(json.out().strip());
            assertEquals(MiniJson.NULL, doc.get("default"));
            assertEquals("no-such-backend", doc.get("forced"));
        } finally {
            if (before == null) {
                System.clearProperty(Backends.PROPERTY);
            } else {
                System.setProperty(Backends.PROPERTY, before);
            }
        }
        // a failed choice is not remembered: with the property restored a backend is chosen again
        String expected = before != null ? before : Backends.providers().stream().filter(p -> p.availability().available())
                .findFirst().orElseThrow().name();
        assertEquals(expected, Backends.defaultBackend().name());
    }

    @Test
    void miniJsonRejectsWhatIsNotJson() {
        for (String bad : List.of("", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "[01]", "\"x", "[true false]", "{} x",
                "{\"a\":1,\"a\":2}", "[\"\t\"]")) {
            assertThrows(IllegalArgumentException.class, () -> MiniJson.parse(bad), bad);
        }
        assertEquals(List.of(1.5, "a\"b", true, MiniJson.NULL, Map.of()), MiniJson.parse(" [1.5, \"a\\\"b\", true, null, {}] "));
    }
}
