package io.panrec.backend.vector;

import io.panrec.backend.Availability;
import io.panrec.backend.Backend;
import io.panrec.backend.BackendProvider;

/**
 * Provides the Vector API backend. As Lucene's VectorizationProvider does, this class never links
 * against {@code jdk.incubator.vector}: it checks that the module is in the boot layer and only then
 * loads the implementation by name, so a JVM started without the module gets a one-line reason (and the
 * reference backend) instead of a linkage error.
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
        return Availability.yes();
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
