package io.panrec.host;

import io.panrec.cli.PanrecCli;
import io.panrec.models.spi.ModelProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** panrec plugins: what a folder holds, by jar; broken jars and duplicate names make the exit code 1. */
class PluginsCommandTest {
    @TempDir
    Path tmp;

    private static int run(StringWriter out, String... args) {
        CommandLine cl = PanrecCli.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(out, true));
        return cl.execute(args);
    }

    @Test
    void listsProvidersByJarAndReportsBrokenJars() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("plugins"));
        PluginHostTest.model("cmdgood", "CmdGood", "CmdTestGood").write(dir.resolve("good.jar"));
        new JarBuilder().service(ModelProvider.class, "acme.gone.Missing").write(dir.resolve("broken.jar"));
        StringWriter out = new StringWriter();
        assertEquals(1, run(out, "plugins", "--dir", dir.toString()), out.toString());
        String s = out.toString();
        assertTrue(s.contains("built in: ") && s.contains("BPRMF"), s);
        assertTrue(s.contains("(1 plugin, 1 problem, 0 conflicts)"), s);
        assertTrue(s.contains("good.jar") && s.contains("model   CmdTestGood (GENERAL)"), s);
        assertTrue(s.contains("problem: ") && s.contains("broken.jar") && s.contains("acme.gone.Missing"), s);
    }

    @Test
    void duplicateNamesAreAConflictNamingBothJars() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("dupes"));
        PluginHostTest.model("one", "One", "CmdTestTwice").write(dir.resolve("one.jar"));
        PluginHostTest.model("two", "Two", "CmdTestTwice").write(dir.resolve("two.jar"));
        StringWriter out = new StringWriter();
        assertEquals(1, run(out, "plugins", "--dir", dir.toString()), out.toString());
        assertTrue(out.toString().contains("conflict: two model providers are named 'CmdTestTwice'") && out.toString().contains("one.jar")
                && out.toString().contains("two.jar"), out.toString());
    }

    @Test
    void anEmptyFolderIsFineAndAMissingOneIsAClearError() throws Exception {
        StringWriter out = new StringWriter();
        assertEquals(0, run(out, "plugins", "--dir", Files.createDirectory(tmp.resolve("empty")).toString()), out.toString());
        assertTrue(out.toString().contains("(0 plugins, 0 problems, 0 conflicts)"), out.toString());
        StringWriter err = new StringWriter();
        assertEquals(2, run(err, "plugins", "--dir", tmp.resolve("nowhere").toString()));
        assertTrue(err.toString().contains("does not exist or is not a folder"), err.toString());
    }
}
