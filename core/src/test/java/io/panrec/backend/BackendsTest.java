package io.panrec.backend;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackendsTest {

    @Test
    void unknownNamesListTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.named("tpu"));
        assertTrue(e.getMessage().contains("unknown backend 'tpu'") && e.getMessage().contains("reference"), e.getMessage());
    }

    @Test
    void anUnavailableBackendThrowsItsReasonsWhenAskedFor() {
        Backends.register(new BackendProvider() {
            public String name() {
                return "test-broken";
            }

            public int rank() {
                return -5;
            }

            public Availability availability() {
                return Availability.no("driver 42 is missing: install it");
            }

            public Backend create() {
                throw new AssertionError("never created");
            }
        });
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Backends.named("test-broken"));
        assertTrue(e.getMessage().contains("unavailable") && e.getMessage().contains("driver 42 is missing"), e.getMessage());
        assertTrue(Backends.providers().stream().anyMatch(p -> p.name().equals("test-broken")));
    }

    @Test
    void useOverridesTheBackendForThisThreadOnly() throws Exception {
        Backend before = Backends.current();
        try (Backends.Using u = Backends.use("reference")) {
            assertEquals("reference", Backends.current().name());
            Thread t = new Thread(() -> assertEquals(before.name(), Backends.current().name()));
            t.start();
            t.join();
        }
        assertEquals(before.name(), Backends.current().name());
    }

    @Test
    void deviceTensorsAreRefusedByHostBackendsBeforeAnyRead() {
        java.lang.foreign.MemorySegment fakeDevicePointer = java.lang.foreign.MemorySegment.ofAddress(0x1000);
        io.panrec.tensor.Tensor onGpu = io.panrec.tensor.Tensor.onDevice(fakeDevicePointer, io.panrec.tensor.Scope.global(),
                io.panrec.tensor.Device.parse("cuda:0"), io.panrec.tensor.DType.F32, 4);
        io.panrec.tensor.Tensor host = io.panrec.tensor.Tensor.zeros(4);
        for (String name : List.of("reference", "vector")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Backends.named(name).unary(UnaryOp.RELU, 0, onGpu, host), name);
            assertTrue(e.getMessage().contains("host memory"), e.getMessage());
        }
    }

    /** Run in a child JVM started without jdk.incubator.vector. */
    public static final class Probe {
        public static void main(String[] args) {
            System.out.println("default=" + Backends.defaultBackend().name());
        }
    }

    @Test
    void withoutTheVectorModuleTheReferenceRunsAfterOneLogLine() throws IOException, InterruptedException {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Probe.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe JVM did not finish");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("default=reference") || out.contains("default=onednn"), out);
        long vectorLines = out.lines().filter(l -> l.contains("'vector'")).count();
        assertEquals(1, vectorLines, "exactly one line explains the vector backend's absence:\n" + out);
        assertTrue(out.contains("--add-modules jdk.incubator.vector"), out);
    }
}
