package io.panrec.backend.reference;

import io.panrec.backend.Availability;
import io.panrec.backend.Backend;
import io.panrec.backend.BackendProvider;

/** Provides the reference backend: always available, lowest rank. */
public final class ReferenceBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return "reference";
    }

    @Override
    public int rank() {
        return 0;
    }

    @Override
    public String description() {
        return "scalar Java, computes in double; defines what every kernel means";
    }

    @Override
    public Availability availability() {
        return Availability.yes();
    }

    @Override
    public Backend create() {
        return new ReferenceBackend();
    }
}
