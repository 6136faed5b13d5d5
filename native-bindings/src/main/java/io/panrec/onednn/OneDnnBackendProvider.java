package io.panrec.onednn;

import io.panrec.backend.Availability;
import io.panrec.backend.Backend;
import io.panrec.backend.BackendProvider;
import io.panrec.backend.Backends;

/**
 * Provides the oneDNN backend (rank 200, above the pure-Java ones): with native-bindings on the class
 * path, every model uses oneDNN without a line changed. Cheap to construct; the library is only looked
 * for when {@link #availability()} is asked.
 */
public final class OneDnnBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return "onednn";
    }

    @Override
    public int rank() {
        return 200;
    }

    @Override
    public String description() {
        return "oneDNN " + OneDnnLibrary.version() + " through FFM: matmul, convolution, pooling, eltwise, softmax, "
                + "layer norm, binary, reduction; the rest on " + "the pure-Java backend";
    }

    @Override
    public Availability availability() {
        return OneDnnLibrary.availability();
    }

    @Override
    public Backend create() {
        return new OneDnnBackend(Backends.bestPureJava());
    }
}
