package io.panrec.models.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A data file that does not have the expected format: names the file, the line (1-based; 0 when the
 * problem is not on one line) and what was wrong, e.g.
 * {@code u.data line 17: rating 'x' is not a number}.
 */
public final class DataFormatException extends IOException {
    private final transient Path file;
    private final long line;
    private final String problem;

    public DataFormatException(Path file, long line, String problem) {
        super(format(file, line, problem));
        this.file = file;
        this.line = line;
        this.problem = problem;
    }

    static String format(Path file, long line, String problem) {
        return (file == null ? "<input>" : file.toString()) + (line > 0 ? " line " + line : "") + ": " + problem;
    }

    /** The file, as given to the reader. */
    public Path file() {
        return file;
    }

    /** The 1-based line number, or 0 when the problem concerns the whole file. */
    public long line() {
        return line;
    }

    /** What was wrong, without file and line. */
    public String problem() {
        return problem;
    }
}
