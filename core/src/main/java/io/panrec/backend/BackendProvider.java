package io.panrec.backend;

/**
 * A backend as found by {@link java.util.ServiceLoader}: cheap to construct, never fails while classes
 * load. The backend itself is created lazily by {@link #create()}, only when {@link #availability()}
 * says it can run. Register implementations in {@code META-INF/services/io.panrec.backend.BackendProvider}.
 */
public interface BackendProvider {

    /** Unique, lower-case name used by {@code -Dpanrec.backend=NAME}. */
    String name();

    /** Higher ranks are preferred: reference 0, vector 100, onednn 200, cuda 300. */
    int rank();

    /** One line for listings. */
    default String description() {
        return name();
    }

    /** Whether {@link #create()} can succeed here, with the reasons when not. Must not throw. */
    Availability availability();

    /** Creates the backend; called at most once per provider by {@link Backends}. */
    Backend create();
}
