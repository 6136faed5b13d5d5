package io.panrec.cli;

import io.panrec.backend.Availability;
import io.panrec.backend.Backend;
import io.panrec.backend.BackendProvider;
import io.panrec.backend.Backends;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CliTest {

    private static String run(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cl = PanrecCli.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(out));
        int code = cl.execute(args);
        assertEquals(0, code, out.toString());
        return out.toString();
    }

    @Test
    void backendsListsEveryProviderWithReasons() {
        Backends.register(new BackendProvider() {
            public String name() {
                return "test-absent";
            }

            public int rank() {
                return 999;
            }

            public Availability availability() {
                return Availability.no("needs the unobtainium driver: install it");
            }

            public Backend create() {
                throw new AssertionError("never created");
            }
        });
        String table = run("backends");
        assertTrue(table.contains("reference") && table.contains("vector"), table);
        assertTrue(table.contains("test-absent") && table.contains("unobtainium"), table);
        assertTrue(table.contains("CPU:") && table.contains("Vector:"), table);
        String json = run("backends", "--json").trim();
        assertTrue(json.startsWith("{\"backends\":[") && json.endsWith("}"), json);
        assertTrue(json.contains("\"name\":\"test-absent\",\"rank\":999,\"available\":false"), json);
        assertTrue(json.contains("\"reasons\":[\"needs the unobtainium driver: install it\"]"), json);
    }

    @Test
    void demoTrainsAModelThatBeatsPopularity() {
        StringWriter out = new StringWriter();
        DemoCommand demo = new DemoCommand().withOutput(new PrintWriter(out));
        new CommandLine(demo).parseArgs("--users", "300", "--items", "120", "--per-user", "15", "--epochs", "4", "--dim", "16",
                "--batch", "256", "--lr", "0.03");
        DemoCommand.Result r = demo.run();
        assertTrue(r.losses()[r.losses().length - 1] < r.losses()[0] * 0.7, "loss falls: " + out);
        assertTrue(r.modelHitRate() > r.popularityHitRate(), "model beats popularity: " + out);
    }

    @Test
    void badArgumentsGetOneClearLine() {
        StringWriter err = new StringWriter();
        CommandLine cl = PanrecCli.commandLine();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        int code = cl.execute("demo", "--users", "1");
        assertEquals(2, code);
        assertTrue(err.toString().contains("demo: need users >= 2"), err.toString());
    }
}
