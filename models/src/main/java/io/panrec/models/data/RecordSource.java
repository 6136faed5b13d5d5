package io.panrec.models.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
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
        if (!asciiCompatible(charset)) {
            throw new IllegalArgumentException(file + ": charset " + charset.name() + " is not supported; data files must be in an "
                    + "ASCII-compatible encoding (UTF-8, ISO-8859-1, windows-1252, ...)");
        }
        try (InputStream in = Files.newInputStream(file)) {
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

    /** Whether line breaks are the bytes '\n' and '\r' and ASCII is itself, so lines can be cut as bytes. */
    private static boolean asciiCompatible(Charset cs) {
        byte[] b = "az09,|:\t\r\n\"".getBytes(cs);
        return java.util.Arrays.equals(b, "az09,|:\t\r\n\"".getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Lines cut at the bytes '\n', "\r\n" or '\r' and decoded one by one, strictly, so that an undecodable
     * byte is reported with its line number; a BOM is dropped; lines can be pushed back to be read again.
     */
    private final class LineSource {
        private final InputStream in;
        private final Charset charset;
        private final CharsetDecoder decoder;
        private final byte[] buf = new byte[1 << 16];
        private int pos;
        private int end;
        private boolean eof;
        private byte[] line = new byte[256];
        private final Deque<String> pending = new ArrayDeque<>();
        private long pendingFirstLine;
        private long number;       // the number of the line last returned
        private long readFromFile; // lines consumed from the file

        LineSource(InputStream in, Charset charset) {
            this.in = in;
            this.charset = charset;
            this.decoder = charset.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
        }

        private int read() throws IOException {
            if (pos == end) {
                if (eof) {
                    return -1;
                }
                end = in.read(buf, 0, buf.length);
                pos = 0;
                if (end <= 0) {
                    end = 0;
                    eof = true;
                    return -1;
                }
            }
            return buf[pos++] & 0xFF;
        }

        private int peek() throws IOException {
            int b = read();
            if (b >= 0) {
                pos--;
            }
            return b;
        }

        String next() throws IOException {
            if (!pending.isEmpty()) {
                number = pendingFirstLine++;
                return pending.pollFirst();
            }
            int len = 0;
            boolean ascii = true;
            int b;
            boolean any = false;
            while ((b = read()) >= 0) {
                any = true;
                if (b == '\n') {
                    break;
                }
                if (b == '\r') {
                    if (peek() == '\n') {
                        read();
                    }
                    break;
                }
                if (len == line.length) {
                    line = java.util.Arrays.copyOf(line, len * 2);
                }
                line[len++] = (byte) b;
                ascii &= b < 0x80;
            }
            if (!any) {
                return null;
            }
            readFromFile++;
            number = readFromFile;
            String text;
            if (ascii) {
                text = new String(line, 0, len, StandardCharsets.ISO_8859_1); // ASCII reads the same in every supported charset
            } else {
                try {
                    text = decoder.decode(ByteBuffer.wrap(line, 0, len)).toString();
                } catch (CharacterCodingException e) {
                    throw fatal(number, "text is not valid " + charset.name()
                            + (charset.equals(StandardCharsets.UTF_8) ? " (if the file is Latin-1, read it as ISO-8859-1)" : ""));
                }
            }
            if (number == 1 && !text.isEmpty() && text.charAt(0) == '\uFEFF') {
                text = text.substring(1);
            }
            return text;
        }

        long lineNumber() {
            return number;
        }

        void pushBack(List<String> lines, long firstLineNumber) {
            // the pushed-back lines came right after the record's first line, and before any still pending
            List<String> rest = new ArrayList<>(pending);
            pending.clear();
            pending.addAll(lines);
            pending.addAll(rest);
            pendingFirstLine = firstLineNumber;
        }
    }
}
