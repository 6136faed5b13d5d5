package io.panrec.io;

import java.io.IOException;
import java.nio.file.Path;

/** A safetensors file that is malformed, truncated or uses what panrec cannot read; names the file. */
public class SafeTensorsException extends IOException {
    private final transient Path path;

    public SafeTensorsException(Path path, String problem) {
        super(path + ": " + problem);
        this.path = path;
    }

    public SafeTensorsException(Path path, String problem, Throwable cause) {
        super(path + ": " + problem, cause);
        this.path = path;
    }

    /** The file concerned. */
    public Path path() {
        return path;
    }
}
