package io.panrec.backend.vector;

import io.panrec.backend.Availability;
import io.panrec.backend.Backends;
import io.panrec.backend.BackendProvider;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The provider's availability in JVMs started without the Vector API module, and without C2: the
 * default backend falls back to the reference with one log line that says how to fix it, and a forced
 * {@code -Dpanrec.backend=vector} fails with the same reason. Each case runs in a child JVM, since a
 * module cannot be removed from a running one.
 */
class VectorProviderTest {

    /** Prints what a JVM with the given flags decides; run by the tests below in a child process. */
    public static final class Probe {
        public static void main(String[] args) {
            BackendProvider vector = Backends.providers().stream().filter(p -> p.name().equals("vector")).findFirst()
                    .orElseThrow();
            System.out.println("availability: " + vector.availability());
            System.out.println("default: " + Backends.defaultBackend().name());
            System.out.flush();
        }
    }

    private static String run(String... jvmFlags) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(jvmFlags));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Probe.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish: " + out);
        return out;
    }

    private static long lines(String text, String containing) {
        return text.lines().filter(l -> l.contains(containing)).count();
    }

    @Test
    void withoutTheModuleTheReferenceRunsAfterOneLogLine() throws Exception {
        String out = run();
        assertTrue(out.contains("default: reference"), out);
        assertTrue(out.contains("availability: unavailable"), out);
        // the reason printed by availability(), and exactly one log line of Backends saying the same
        assertEquals(2, lines(out, "--add-modules jdk.incubator.vector"), out);
        assertEquals(1, lines(out, "backend 'vector' skipped"), out);
        assertTrue(!out.contains("Exception") && !out.contains("Error"), out);
    }

    @Test
    void forcingTheVectorBackendWithoutTheModuleFailsWithTheFix() throws Exception {
        String out = run("-Dpanrec.backend=vector");
        assertTrue(out.contains("IllegalStateException") && out.contains("backend 'vector' is unavailable"), out);
        assertTrue(out.contains("--add-modules jdk.incubator.vector"), out);
    }

    @Test
    void withoutC2TheVectorApiWouldBeEmulatedSoItIsDeclined() throws Exception {
        String out = run("--add-modules", "jdk.incubator.vector", "-XX:TieredStopAtLevel=1");
        assertTrue(out.contains("default: reference"), out);
        assertTrue(out.contains("C2 is disabled (-XX:TieredStopAtLevel=1)"), out);
    }

    @Test
    void withTheModuleAndC2ItIsAvailable() {
        Availability a = new VectorBackendProvider().availability();
        assertTrue(a.available(), a.toString());
        assertEquals("vector", new VectorBackendProvider().create().name());
    }
}
