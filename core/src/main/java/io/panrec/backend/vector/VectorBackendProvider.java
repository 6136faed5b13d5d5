package io.panrec.backend.vector;

import io.panrec.backend.Availability;
import io.panrec.backend.Backend;
import io.panrec.backend.BackendProvider;
import io.panrec.backend.CpuInfo;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Provides the Vector API backend. As Lucene's VectorizationProvider does, this class never links
 * against {@code jdk.incubator.vector}: it checks that the module is in the boot layer and only then
 * loads the implementation by name, so a JVM started without the module gets a one-line reason (and the
 * reference backend) instead of a linkage error.
 *
 * <p>It also declines when the Vector API would be slower than plain loops: vectors narrower than 128
 * bits (the API then emulates lanes in Java), or a JVM without the C2 compiler (-Xint,
 * -XX:TieredStopAtLevel below 4), where vector operations are never intrinsified.
 */
public final class VectorBackendProvider implements BackendProvider {
    static final String MODULE = "jdk.incubator.vector";

    @Override
    public String name() {
        return "vector";
    }

    @Override
    public int rank() {
        return 100;
    }

    @Override
    public String description() {
        return "pure Java with the Vector API: packed multithreaded SGEMM, SIMD element-wise kernels, im2col convolution, pooling";
    }

    @Override
    public Availability availability() {
        if (ModuleLayer.boot().findModule(MODULE).isEmpty()) {
            return Availability.no("the Vector API module is not loaded: start the JVM with --add-modules " + MODULE
                    + " (the ./panrec launcher does)");
        }
        List<String> reasons = new ArrayList<>();
        CpuInfo cpu = CpuInfo.current();
        if (cpu.vectorBits() < 128) {
            reasons.add("the Vector API offers no hardware vectors here (" + cpu.vectorNote()
                    + "): the reference backend is faster");
        }
        String c2 = c2Problem();
        if (c2 != null) {
            reasons.add(c2);
        }
        return reasons.isEmpty() ? Availability.yes() : Availability.no(reasons);
    }

    /** Why C2 will not compile vector code in this JVM, or null when it will (or we cannot tell). */
    static String c2Problem() {
        List<String> args;
        try {
            args = ManagementFactory.getRuntimeMXBean().getInputArguments();
        } catch (RuntimeException | LinkageError e) {
            return null; // no management module in this runtime image: assume the default JIT
        }
        for (String a : args) {
            if (a.equals("-Xint")) {
                return "the JVM runs interpreted (-Xint): vector code would be emulated; remove -Xint";
            }
            if (a.startsWith("-XX:TieredStopAtLevel=")) {
                try {
                    if (Integer.parseInt(a.substring(a.indexOf('=') + 1).trim()) < 4) {
                        return "C2 is disabled (" + a + "): vector code would be emulated; remove the flag";
                    }
                } catch (NumberFormatException e) {
                    // the JVM itself rejects such a flag; nothing to report
                }
            }
        }
        return null;
    }

    @Override
    public Backend create() {
        try {
            return (Backend) Class.forName("io.panrec.backend.vector.VectorBackend").getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create the vector backend: " + e, e);
        }
    }
}
