package io.panrec.models.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads interaction files laid out as a {@link DelimitedFormat}: generic CSV/TSV files with named
 * columns, and the interaction files of the MovieLens readers.
 *
 * <p>Each record must have the header's number of fields (without a header: at least enough for the
 * columns used); the user and item ids must be non-empty (surrounding spaces are dropped); a rating must
 * be a finite number and a timestamp an integer. A record that breaks one of these is malformed: it
 * throws a {@link DataFormatException} with file and line, or is skipped and counted when
 * {@link ReadOptions#lenient()}.
 */
public final class DelimitedReader {
    private DelimitedReader() {
    }

    /** Reads {@code file} into a new dataset with fresh vocabularies, in order of first appearance. */
    public static Dataset read(Path file, DelimitedFormat format, ReadOptions options) throws IOException {
        Interactions.Builder b = Interactions.builder(new Vocabulary("users"), new Vocabulary("items"),
                format.columns().rating() != null, format.columns().timestamp() != null);
        ReadReport.FileReport report = readInto(file, format, options, b);
        return new Dataset(file.getFileName().toString(), b.build(), ItemCatalog.empty(b.items()), new ReadReport(java.util.List.of(report)));
    }

    /**
     * Appends the interactions of {@code file} to {@code into} (whose vocabularies grow), e.g. a test file
     * after its training file so that both share indices.
     */
    public static ReadReport.FileReport readInto(Path file, DelimitedFormat format, ReadOptions options, Interactions.Builder into)
            throws IOException {
        return readInto(file, format, options, into, -1);
    }

    /** As above; {@code exactFields >= 0} requires exactly that many fields per record (headerless formats). */
    static ReadReport.FileReport readInto(Path file, DelimitedFormat format, ReadOptions options, Interactions.Builder into,
                                          int exactFields) throws IOException {
        RecordSource src = new RecordSource(file, options);
        DelimitedFormat.Columns cols = format.columns();
        State st = new State();
        if (!format.header()) {
            st.userAt = Integer.parseInt(cols.user());
            st.itemAt = Integer.parseInt(cols.item());
            st.ratingAt = cols.rating() == null ? -1 : Integer.parseInt(cols.rating());
            st.timeAt = cols.timestamp() == null ? -1 : Integer.parseInt(cols.timestamp());
            st.minFields = 1 + Math.max(Math.max(st.userAt, st.itemAt), Math.max(st.ratingAt, st.timeAt));
            st.exactFields = exactFields;
            st.headerDone = true;
        }
        char quoteDelim = format.delimiter().charAt(0);
        src.forEach(format.charset(), format.quotes(), quoteDelim, (text, line) -> {
            String[] f;
            try {
                f = Csv.split(text, format.delimiter(), format.quotes());
            } catch (Csv.SplitException e) {
                if (!st.headerDone) {
                    throw src.fatal(line, "header: " + e.getMessage());
                }
                src.malformed(line, e.getMessage());
                return;
            }
            if (!st.headerDone) {
                header(src, line, f, cols, st);
                return;
            }
            if (st.exactFields >= 0 ? f.length != st.exactFields : f.length < st.minFields) {
                src.malformed(line, "expected " + (st.exactFields >= 0 ? st.exactFields : "at least " + st.minFields) + " fields separated by "
                        + format.delimiterName() + ", found " + f.length);
                return;
            }
            String user = f[st.userAt].strip();
            String item = f[st.itemAt].strip();
            if (user.isEmpty()) {
                src.malformed(line, "empty user id");
                return;
            }
            if (item.isEmpty()) {
                src.malformed(line, "empty item id");
                return;
            }
            float rating = 1f;
            if (st.ratingAt >= 0) {
                String r = f[st.ratingAt].strip();
                try {
                    rating = Float.parseFloat(r);
                } catch (NumberFormatException e) {
                    rating = Float.NaN;
                }
                if (!Float.isFinite(rating) || r.isEmpty() || Character.isLetter(r.charAt(r.length() - 1))) {
                    src.malformed(line, "rating '" + r + "' is not a number");
                    return;
                }
            }
            long ts = 0;
            if (st.timeAt >= 0) {
                String t = f[st.timeAt].strip();
                try {
                    ts = Long.parseLong(t);
                } catch (NumberFormatException e) {
                    src.malformed(line, "timestamp '" + t + "' is not an integer (seconds since 1970)");
                    return;
                }
            }
            if (user.indexOf('\n') >= 0 || item.indexOf('\n') >= 0) {
                src.malformed(line, "an id contains a line break");
                return;
            }
            into.add(user, item, rating, ts);
            src.accepted();
        });
        if (!st.headerDone) {
            throw src.fatal(0, "the file is empty; expected a header naming the columns " + cols);
        }
        return src.report();
    }

    private static void header(RecordSource src, long line, String[] names, DelimitedFormat.Columns cols, State st)
            throws DataFormatException {
        Map<String, Integer> pos = new HashMap<>();
        for (int i = 0; i < names.length; i++) {
            String n = names[i].strip();
            if (pos.putIfAbsent(n, i) != null) {
                throw src.fatal(line, "header names column '" + n + "' twice");
            }
        }
        st.userAt = column(src, line, pos, names, "user", cols.user());
        st.itemAt = column(src, line, pos, names, "item", cols.item());
        st.ratingAt = cols.rating() == null ? -1 : column(src, line, pos, names, "rating", cols.rating());
        st.timeAt = cols.timestamp() == null ? -1 : column(src, line, pos, names, "timestamp", cols.timestamp());
        st.exactFields = names.length;
        st.headerDone = true;
    }

    private static int column(RecordSource src, long line, Map<String, Integer> pos, String[] names, String role, String name)
            throws DataFormatException {
        Integer i = pos.get(name);
        if (i == null) {
            throw src.fatal(line, "the header has no column '" + name + "' for the " + role + "; its columns are: "
                    + String.join(", ", names));
        }
        return i;
    }

    private static final class State {
        boolean headerDone;
        int userAt;
        int itemAt;
        int ratingAt;
        int timeAt;
        int minFields;
        int exactFields = -1;
    }
}
