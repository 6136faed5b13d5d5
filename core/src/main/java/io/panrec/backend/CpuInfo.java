package io.panrec.backend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What the CPU offers the kernels: its model name, logical cores, the SIMD flags that matter to them
 * (AVX2, FMA, AVX-512F, and their ARM counterparts) and the Java Vector API's preferred float vector.
 * Read from /proc/cpuinfo on Linux, else only {@code os.arch} is known. The vector species is looked up by
 * reflection so that core never links jdk.incubator.vector: without the module this says so, with the fix.
 *
 * @param modelName    the CPU's model name, or {@code os.arch} when it cannot be read
 * @param logicalCores processors available to this JVM
 * @param simdFlags    the flags of {@link #FLAGS_OF_INTEREST} the CPU has, in that order
 * @param vectorBits   bits of {@code FloatVector.SPECIES_PREFERRED}, 0 when the Vector API is absent
 * @param floatLanes   float lanes of that species, 0 when the Vector API is absent
 * @param vectorNote   one line for people: the width, or why there is none
 */
public record CpuInfo(String modelName, int logicalCores, List<String> simdFlags, int vectorBits, int floatLanes,
                      String vectorNote) {

    /** The flags worth showing: what decides which kernels run fast here. */
    public static final List<String> FLAGS_OF_INTEREST = List.of("sse4_2", "avx", "avx2", "fma", "avx512f",
            "avx512_bf16", "amx_tile", "neon", "asimd", "sve");

    static final String VECTOR_MODULE = "jdk.incubator.vector";

    public CpuInfo {
        simdFlags = List.copyOf(simdFlags);
    }

    /** Whether the CPU has this flag (one of {@link #FLAGS_OF_INTEREST}, as /proc/cpuinfo spells it). */
    public boolean has(String flag) {
        return simdFlags.contains(flag);
    }

    /** This machine and this JVM. Never throws: it is information for people and reports. */
    public static CpuInfo current() {
        String arch = System.getProperty("os.arch", "unknown");
        List<String> lines = List.of();
        Path proc = Path.of("/proc/cpuinfo");
        if (Files.isReadable(proc)) {
            try {
                lines = Files.readAllLines(proc);
            } catch (IOException | RuntimeException e) {
                // keep the os.arch fallback: not knowing the model is never a reason to fail
            }
        }
        Proc p = parseProcCpuinfo(lines, arch);
        Vector v = preferredFloatVector();
        return new CpuInfo(p.model(), Runtime.getRuntime().availableProcessors(), p.flags(), v.bits(), v.lanes(), v.note());
    }

    /** Model name and flags of interest from the text of /proc/cpuinfo; {@code fallbackModel} if it has none. */
    record Proc(String model, List<String> flags) {
    }

    static Proc parseProcCpuinfo(List<String> lines, String fallbackModel) {
        String model = null;
        Set<String> flags = null;
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            // every processor repeats its block; the first one speaks for all (hybrid cores share the ISA)
            if (model == null && !value.isEmpty() && (key.equals("model name") || key.equals("cpu model")
                    || (key.equals("processor") && !value.chars().allMatch(Character::isDigit)))) {
                model = value;  // "processor" is the index on x86 but the model on old ARM kernels
            } else if (flags == null && (key.equals("flags") || key.equals("features"))) {
                flags = new HashSet<>(Arrays.asList(value.toLowerCase(Locale.ROOT).split("\\s+")));
            }
        }
        List<String> interesting = new ArrayList<>();
        if (flags != null) {
            for (String f : FLAGS_OF_INTEREST) {
                if (flags.contains(f)) {
                    interesting.add(f);
                }
            }
        }
        return new Proc(model != null ? model : fallbackModel, interesting);
    }

    /** The preferred float species of the Vector API, or a note on why there is none. */
    record Vector(int bits, int lanes, String note) {
    }

    static Vector preferredFloatVector() {
        // the class is on the module path of every JDK, but only readable when the module is resolved
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) {
            return new Vector(0, 0, VECTOR_MODULE + " not present (start the JVM with --add-modules "
                    + VECTOR_MODULE + "; ./panrec does)");
        }
        try {
            Class<?> floatVector = Class.forName(VECTOR_MODULE + ".FloatVector");
            Object species = floatVector.getField("SPECIES_PREFERRED").get(null);
            Class<?> speciesType = Class.forName(VECTOR_MODULE + ".VectorSpecies");
            int bits = (int) speciesType.getMethod("vectorBitSize").invoke(species);
            int lanes = (int) speciesType.getMethod("length").invoke(species);
            return new Vector(bits, lanes, bits + "-bit float vectors (" + lanes + " lanes)");
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return new Vector(0, 0, VECTOR_MODULE + " present but not usable: " + e);
        }
    }
}
