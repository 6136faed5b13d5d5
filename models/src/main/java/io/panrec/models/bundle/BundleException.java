package io.panrec.models.bundle;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A model bundle that cannot be written or read: a missing or malformed file, a model this JVM does not
 * know, settings or weights that do not fit the model. The message names the bundle folder, the file
 * concerned and what to do about it.
 */
public final class BundleException extends IOException {
    private final transient Path bundle;

    public BundleException(Path bundle, String problem) {
        super(bundle + ": " + problem);
        this.bundle = bundle;
    }

    public BundleException(Path bundle, String problem, Throwable cause) {
        super(bundle + ": " + problem + (cause != null && cause.getMessage() != null ? " (" + cause.getMessage() + ")" : ""), cause);
        this.bundle = bundle;
    }

    /** The bundle folder concerned. */
    public Path bundle() {
        return bundle;
    }
}
