package io.panrec.backend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What the CPU offers the kernels: its model name, logical cores, the SIMD flags that matter
 * (AVX2, FMA, AVX-512F) and the Java Vector API's preferred float vector. Read from /proc/cpuinfo on
 * Linux; the vector species is found by reflection so core never links jdk.incubator.vector.
 */
public record CpuInfo(String modelName, int logicalCores, List<String> simdFlags, int vectorBits, int floatLanes,
                      String vectorNote) {

    private static final List<String> INTERESTING = List.of("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512_bf16",
            "amx_tile", "neon", "asimd", "sve");

    public static CpuInfo current() {
        String model = System.getProperty("os.arch");
        List<String> flags = new ArrayList<>();
        Path proc = Path.of("/proc/cpuinfo");
        if (Files.isReadable(proc)) {
            try {
                Set<String> seen = new java.util.HashSet<>();
                for (String line : Files.readAllLines(proc)) {
                    int colon = line.indexOf(':');
                    if (colon < 0) {
                        continue;
                    }
                    String key = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                    String value = line.substring(colon + 1).trim();
                    if ((key.equals("model name") || key.equals("cpu model")) && model.equals(System.getProperty("os.arch"))) {
                        model = value;
                    } else if ((key.equals("flags") || key.equals("features")) && seen.isEmpty()) {
                        seen.addAll(List.of(value.split("\\s+")));
                    }
                }
                for (String f : INTERESTING) {
                    if (seen.contains(f)) {
                        flags.add(f);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // keep the os.arch fallback: this is information for people, never a reason to fail
            }
        }
        int bits = 0;
        int lanes = 0;
        String note;
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            note = "jdk.incubator.vector not present (start the JVM with --add-modules jdk.incubator.vector)";
        } else {
            try {
                Class<?> fv = Class.forName("jdk.incubator.vector.FloatVector");
                Object species = fv.getField("SPECIES_PREFERRED").get(null);
                Class<?> sp = Class.forName("jdk.incubator.vector.VectorSpecies");
                bits = (int) sp.getMethod("vectorBitSize").invoke(species);
                lanes = (int) sp.getMethod("length").invoke(species);
                note = bits + "-bit float vectors (" + lanes + " lanes)";
            } catch (ReflectiveOperationException | RuntimeException e) {
                note = "Vector API present but not usable: " + e;
            }
        }
        return new CpuInfo(model, Runtime.getRuntime().availableProcessors(), List.copyOf(flags), bits, lanes, note);
    }
}
