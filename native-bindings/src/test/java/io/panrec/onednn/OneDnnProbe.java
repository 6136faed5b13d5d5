package io.panrec.onednn;

import io.panrec.backend.Backends;

/** Run in a child JVM by {@link OneDnnLibraryTest}: prints what a user of that JVM would see. */
public final class OneDnnProbe {
    private OneDnnProbe() {
    }

    public static void main(String[] args) {
        System.out.println("onednn " + OneDnnLibrary.availability());
        System.out.println("default backend: " + Backends.defaultBackend().name());
    }
}
