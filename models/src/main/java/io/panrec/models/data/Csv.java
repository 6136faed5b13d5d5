package io.panrec.models.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits delimited records. With quotes (RFC 4180): a field that starts with {@code "} runs to the
 * matching closing quote, {@code ""} inside it is one quote, and it may hold delimiters and line breaks;
 * a quote inside an unquoted field is kept as a plain character (MovieLens titles such as
 * {@code 12" Vinyl} appear unquoted in some files). Without quotes, a record is split at every
 * occurrence of the delimiter, which may be longer than one character ({@code ::} in MovieLens 1M).
 */
final class Csv {
    private Csv() {
    }

    /** Thrown for a record that cannot be split; the message says why. */
    static final class SplitException extends Exception {
        SplitException(String message) {
            super(message, null, false, false);
        }
    }

    /** The fields of {@code record}. */
    static String[] split(String record, String delimiter, boolean quotes) throws SplitException {
        if (!quotes || delimiter.length() != 1) {
            return splitPlain(record, delimiter);
        }
        char d = delimiter.charAt(0);
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int i = 0;
        int n = record.length();
        while (true) {
            field.setLength(0);
            if (i < n && record.charAt(i) == '"') {
                int open = i;
                i++;
                while (true) {
                    if (i >= n) {
                        throw new SplitException("quoted field starting at character " + (open + 1) + " is not closed");
                    }
                    char c = record.charAt(i);
                    if (c == '"') {
                        if (i + 1 < n && record.charAt(i + 1) == '"') {
                            field.append('"');
                            i += 2;
                        } else {
                            i++;
                            break;
                        }
                    } else {
                        field.append(c);
                        i++;
                    }
                }
                if (i < n && record.charAt(i) != d) {
                    throw new SplitException("unexpected '" + record.charAt(i) + "' after the closing quote of field " + (fields.size() + 1)
                            + " (a quote inside a quoted field must be doubled)");
                }
            } else {
                while (i < n && record.charAt(i) != d) {
                    field.append(record.charAt(i));
                    i++;
                }
            }
            fields.add(field.toString());
            if (i >= n) {
                break;
            }
            i++; // the delimiter
        }
        return fields.toArray(new String[0]);
    }

    static String[] splitPlain(String record, String delimiter) {
        List<String> fields = new ArrayList<>();
        int from = 0;
        int at;
        while ((at = record.indexOf(delimiter, from)) >= 0) {
            fields.add(record.substring(from, at));
            from = at + delimiter.length();
        }
        fields.add(record.substring(from));
        return fields.toArray(new String[0]);
    }

    /**
     * Whether {@code text} ends inside a quoted field, i.e. the record continues on the next line. Uses the
     * same rule as {@link #split}: only a quote at the start of a field opens a quoted field.
     */
    static boolean endsInsideQuotes(CharSequence text, char delimiter) {
        boolean inQuotes = false;
        boolean fieldStart = true;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (inQuotes) {
                if (c == '"') {
                    if (i + 1 < n && text.charAt(i + 1) == '"') {
                        i++;
                    } else {
                        inQuotes = false;
                    }
                }
            } else if (c == delimiter) {
                fieldStart = true;
                continue;
            } else if (c == '"' && fieldStart) {
                inQuotes = true;
            }
            fieldStart = false;
        }
        return inQuotes;
    }
}
