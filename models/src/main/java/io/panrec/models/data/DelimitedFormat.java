package io.panrec.models.data;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The layout of an interaction file with one interaction per line: delimiter, header, quoting, charset,
 * and which columns hold the user, the item, and optionally the rating and the timestamp.
 *
 * @param delimiter the field separator: one character ({@code ","}, {@code "\t"}) or a longer string
 *                  ({@code "::"}, then without quoting)
 * @param header    whether the first record names the columns
 * @param quotes    whether fields may be quoted RFC 4180 style (only with a one-character delimiter)
 * @param charset   the text encoding
 * @param columns   where the fields are
 */
public record DelimitedFormat(String delimiter, boolean header, boolean quotes, Charset charset, Columns columns) {
    public DelimitedFormat {
        Objects.requireNonNull(delimiter, "delimiter");
        Objects.requireNonNull(charset, "charset");
        Objects.requireNonNull(columns, "columns");
        if (delimiter.isEmpty() || delimiter.indexOf('\n') >= 0 || delimiter.indexOf('\r') >= 0 || delimiter.indexOf('"') >= 0) {
            throw new IllegalArgumentException("delimiter '" + delimiter + "' must be non-empty, without line breaks or quotes");
        }
        if (quotes && delimiter.length() != 1) {
            throw new IllegalArgumentException("quoted fields need a one-character delimiter, not '" + delimiter + "'");
        }
        if (!header) {
            columns.requirePositions();
        }
    }

    /**
     * Which column holds each field: a name from the header, or, in a file without header, a 0-based
     * position written as digits ({@code "0"}, {@code "2"}).
     *
     * @param user      the user id column (required)
     * @param item      the item id column (required)
     * @param rating    the rating column, or null for implicit feedback
     * @param timestamp the timestamp column (integer, e.g. seconds since 1970), or null
     */
    public record Columns(String user, String item, String rating, String timestamp) {
        public Columns {
            Objects.requireNonNull(user, "user column");
            Objects.requireNonNull(item, "item column");
            if (user.isBlank() || item.isBlank() || (rating != null && rating.isBlank()) || (timestamp != null && timestamp.isBlank())) {
                throw new IllegalArgumentException("column names must not be blank");
            }
        }

        /**
         * Parses {@code user=userId,item=movieId,rating=rating,timestamp=timestamp} (keys in any order,
         * rating and timestamp optional).
         */
        public static Columns parse(String spec) {
            Map<String, String> m = new LinkedHashMap<>();
            for (String part : spec.split(",")) {
                String p = part.strip();
                if (p.isEmpty()) {
                    continue;
                }
                int eq = p.indexOf('=');
                if (eq <= 0 || eq == p.length() - 1) {
                    throw new IllegalArgumentException("column spec '" + p + "' must be key=column, e.g. user=userId");
                }
                String key = p.substring(0, eq).strip().toLowerCase(Locale.ROOT);
                if (!key.equals("user") && !key.equals("item") && !key.equals("rating") && !key.equals("timestamp")) {
                    throw new IllegalArgumentException("unknown column key '" + key + "' in '" + spec
                            + "'; known keys: user, item, rating, timestamp");
                }
                if (m.put(key, p.substring(eq + 1).strip()) != null) {
                    throw new IllegalArgumentException("column key '" + key + "' given twice in '" + spec + "'");
                }
            }
            if (!m.containsKey("user") || !m.containsKey("item")) {
                throw new IllegalArgumentException("column spec '" + spec + "' needs at least user=... and item=...");
            }
            return new Columns(m.get("user"), m.get("item"), m.get("rating"), m.get("timestamp"));
        }

        void requirePositions() {
            for (String c : new String[] {user, item, rating, timestamp}) {
                if (c != null && !c.chars().allMatch(Character::isDigit)) {
                    throw new IllegalArgumentException("a file without header needs column positions (0-based digits), not '" + c + "'");
                }
            }
        }
    }

    /** Comma-separated, with a header, quoted fields, UTF-8 (MovieLens latest's {@code ratings.csv}). */
    public static DelimitedFormat csv(Columns columns) {
        return new DelimitedFormat(",", true, true, StandardCharsets.UTF_8, columns);
    }

    /** Tab-separated, with a header, no quoting, UTF-8. */
    public static DelimitedFormat tsv(Columns columns) {
        return new DelimitedFormat("\t", true, false, StandardCharsets.UTF_8, columns);
    }

    public DelimitedFormat withHeader(boolean h) {
        return new DelimitedFormat(delimiter, h, quotes, charset, columns);
    }

    public DelimitedFormat withCharset(Charset cs) {
        return new DelimitedFormat(delimiter, header, quotes, cs, columns);
    }

    public DelimitedFormat withQuotes(boolean q) {
        return new DelimitedFormat(delimiter, header, q, charset, columns);
    }

    /** How the delimiter reads in messages. */
    String delimiterName() {
        return switch (delimiter) {
            case "\t" -> "tab";
            case "," -> "comma";
            case "|" -> "'|'";
            default -> "'" + delimiter + "'";
        };
    }
}
