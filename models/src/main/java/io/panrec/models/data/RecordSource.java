package io.panrec.models.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Reads the records of one text file with line numbers, and keeps its {@link ReadReport.FileReport}.
 * Line ends may be {@code \n}, {@code \r\n} or {@code \r}; a UTF-8 byte-order mark is dropped; blank
 * lines are ignored. With {@code csvQuotes}, a record continues over line breaks inside a quoted field
 * (RFC 4180), bounded so that one stray quote cannot swallow the rest of the file.
 */
final class RecordSource {
    /** A quoted field longer than this many lines is taken for a stray quote. */
    private static final int MAX_CONTINUATION_LINES = 100;

    /** Receives a record: its text and the line it starts on. */
    interface Handler {
        void record(String text, long line) throws DataFormatException;
    }

    private final Path file;
    private final boolean lenient;
    private long records;
    private long skipped;
    private final List<String> problems = new ArrayList<>();

    RecordSource(Path file, ReadOptions options) {
        this.file = file;
        this.lenient = options.lenient();
    }

    Path file() {
        return file;
    }

    /** Counts an accepted record. */
    void accepted() {
        records++;
    }

    /** A malformed record: throws in strict mode, counts and remembers it in lenient mode. */
    void malformed(long line, String problem) throws DataFormatException {
        if (!lenient) {
            throw new DataFormatException(file, line, problem);
        }
        skipped++;
        if (problems.size() < ReadReport.KEPT_PROBLEMS) {
            problems.add("line " + line + ": " + problem);
        }
    }

    /** A problem that makes the whole file unusable: throws in both modes. */
    DataFormatException fatal(long line, String problem) {
        return new DataFormatException(file, line, problem);
    }

    ReadReport.FileReport report() {
        return new ReadReport.FileReport(file, records, skipped, problems);
    }

    /** Calls {@code handler} for each non-blank record of the file. */
    void forEach(Charset charset, boolean csvQuotes, char delimiter, Handler handler) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "data file not found (or not a regular file)");
        }
        CharsetDecoder decoder = charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(Files.newInputStream(file), decoder), 1 << 16)) {
            LineSource lines = new LineSource(in, charset);
            String line;
            while ((line = lines.next()) != null) {
                long start = lines.lineNumber();
                if (line.isBlank()) {
                    continue;
                }
                if (csvQuotes && Csv.endsInsideQuotes(line, delimiter)) {
                    StringBuilder sb = new StringBuilder(line);
                    List<String> continuation = new ArrayList<>();
                    boolean closed = false;
                    String more;
                    while (continuation.size() < MAX_CONTINUATION_LINES && (more = lines.next()) != null) {
                        continuation.add(more);
                        sb.append('\n').append(more);
                        if (!Csv.endsInsideQuotes(sb, delimiter)) {
                            closed = true;
                            break;
                        }
                    }
                    if (!closed) {
                        malformed(start, "a quoted field opened on this line is never closed");
                        // lenient: skip only the opening line and read the others again as records
                        lines.pushBack(continuation, start + 1);
                        continue;
                    }
                    line = sb.toString();
                }
                handler.record(line, start);
            }
        }
    }

    /** Lines with numbers, a BOM dropped, and lines that can be pushed back to be read again. */
    private final class LineSource {
        private final BufferedReader in;
        private final Charset charset;
        private final Deque<String> pending = new ArrayDeque<>();
        private long pendingFirstLine;
        private long number;       // the number of the line last returned
        private long readFromFile; // lines consumed from the file

        LineSource(BufferedReader in, Charset charset) {
            this.in = in;
            this.charset = charset;
        }

        String next() throws IOException {
            if (!pending.isEmpty()) {
                number = pendingFirstLine++;
                return pending.pollFirst();
            }
            String line;
            try {
                line = in.readLine();
            } catch (CharacterCodingException e) {
                throw fatal(readFromFile + 1, "text is not valid " + charset.name()
                        + (charset.name().equals("UTF-8") ? " (if the file is Latin-1, read it as ISO-8859-1)" : "")
                        + ": " + e.getMessage());
            }
            if (line == null) {
                return null;
            }
            readFromFile++;
            number = readFromFile;
            if (number == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
                line = line.substring(1);
            }
            return line;
        }

        long lineNumber() {
            return number;
        }

        void pushBack(List<String> lines, long firstLineNumber) {
            // lines pushed back were read after any pending ones, so they go first only if none remain
            List<String> rest = new ArrayList<>(pending);
            pending.clear();
            pending.addAll(lines);
            pending.addAll(rest);
            pendingFirstLine = firstLineNumber;
        }
    }
}
