package io.panrec.backend;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuInfoTest {

    private static final List<String> X86 = List.of(
            "processor\t: 0",
            "vendor_id\t: AuthenticAMD",
            "model name\t: AMD EPYC 7B13 64-Core Processor",
            "flags\t\t: fpu vme sse sse2 sse4_1 sse4_2 avx avx2 fma bmi2",
            "",
            "processor\t: 1",
            "model name\t: some other name that must not win",
            "flags\t\t: fpu avx512f",
            "");

    @Test
    void readsTheModelAndTheFlagsOfTheFirstProcessor() {
        CpuInfo.Proc p = CpuInfo.parseProcCpuinfo(X86, "amd64");
        assertEquals("AMD EPYC 7B13 64-Core Processor", p.model());
        assertEquals(List.of("sse4_2", "avx", "avx2", "fma"), p.flags());
        assertFalse(p.flags().contains("avx512f"), "the second processor's flags are not the first's");
    }

    @Test
    void readsAvx512AndArmFeatures() {
        CpuInfo.Proc x = CpuInfo.parseProcCpuinfo(List.of("model name : Intel Xeon", "flags : avx2 AVX512F fma"), "amd64");
        assertEquals(List.of("avx2", "fma", "avx512f"), x.flags());

        // aarch64 kernels print "Features" and no model name: the architecture stands in for it
        CpuInfo.Proc arm = CpuInfo.parseProcCpuinfo(List.of("processor\t: 0", "BogoMIPS\t: 50.00",
                "Features\t: fp asimd evtstrm aes sve", "CPU implementer\t: 0x41"), "aarch64");
        assertEquals("aarch64", arm.model());
        assertEquals(List.of("asimd", "sve"), arm.flags());

        // old 32-bit ARM kernels put the model under "Processor"
        CpuInfo.Proc old = CpuInfo.parseProcCpuinfo(List.of("Processor\t: ARMv7 Processor rev 4 (v7l)",
                "processor\t: 0", "Features\t: half thumb neon"), "arm");
        assertEquals("ARMv7 Processor rev 4 (v7l)", old.model());
        assertEquals(List.of("neon"), old.flags());
    }

    @Test
    void withoutProcCpuinfoOnlyTheArchitectureIsKnown() {
        CpuInfo.Proc p = CpuInfo.parseProcCpuinfo(List.of(), "riscv64");
        assertEquals("riscv64", p.model());
        assertTrue(p.flags().isEmpty());
        CpuInfo.Proc garbage = CpuInfo.parseProcCpuinfo(List.of("no colon here", ":", "model name :"), "x");
        assertEquals("x", garbage.model());
    }

    @Test
    void currentMatchesThisJvm() {
        CpuInfo cpu = CpuInfo.current();
        assertEquals(Runtime.getRuntime().availableProcessors(), cpu.logicalCores());
        assertFalse(cpu.modelName().isBlank());
        // the tests run with --add-modules jdk.incubator.vector, so reflection must find the same species
        assertEquals(FloatVector.SPECIES_PREFERRED.vectorBitSize(), cpu.vectorBits(), cpu.vectorNote());
        assertEquals(FloatVector.SPECIES_PREFERRED.length(), cpu.floatLanes(), cpu.vectorNote());
        assertTrue(cpu.vectorNote().startsWith(cpu.vectorBits() + "-bit"), cpu.vectorNote());
        for (String f : cpu.simdFlags()) {
            assertTrue(CpuInfo.FLAGS_OF_INTEREST.contains(f), f);
            assertTrue(cpu.has(f), f);
        }
    }

    /** Started in a JVM without the Vector API module by {@link #saysWhenTheVectorApiIsAbsent()}. */
    public static final class Probe {
        public static void main(String[] args) {
            CpuInfo cpu = CpuInfo.current();
            System.out.println(cpu.vectorBits() + " " + cpu.floatLanes() + " " + cpu.vectorNote());
        }
    }

    @Test
    void saysWhenTheVectorApiIsAbsent() throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Probe.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe JVM did not finish");
        assertEquals(0, p.exitValue(), out);
        assertEquals("0 0 jdk.incubator.vector not present (start the JVM with --add-modules jdk.incubator.vector; "
                + "./panrec does)", out);
    }
}
