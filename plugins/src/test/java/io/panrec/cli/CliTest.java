package io.panrec.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

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
    void helpAndVersionListTheCommands() {
        String help = run("help");
        for (String command : new String[] {"demo", "backends", "help"}) {
            assertTrue(help.lines().anyMatch(l -> l.strip().startsWith(command + " ")), help);
        }
        // tests run from target/classes, where Maven has not yet written the jar's pom.properties
        List<String> version = run("--version").lines().toList();
        assertEquals(List.of("panrec (not packaged: run from classes)",
                "JDK " + Runtime.version() + " (" + System.getProperty("java.home") + ")"), version);
        String usage = run();
        assertTrue(usage.startsWith("Usage: panrec"), usage);
    }

    @Test
    void badArgumentsGetOneClearLine() {
        StringWriter err = new StringWriter();
        CommandLine cl = PanrecCli.commandLine();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        int code = cl.execute("demo", "--users", "0");
        assertEquals(2, code);
        assertTrue(err.toString().contains("demo: need --users"), err.toString());
    }
}
