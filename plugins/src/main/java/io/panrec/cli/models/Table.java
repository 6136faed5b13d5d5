package io.panrec.cli.models;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A plain text table: a header row, a rule, then the rows; each column as wide as its widest cell.
 * Columns whose cells are all numbers (or "-") are right-aligned so that digits line up; the last
 * column is never padded, so long text (titles, explanations) does not leave trailing blanks.
 */
final class Table {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    Table(String... header) {
        this.header = List.of(header);
    }

    Table row(Object... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("a row of " + cells.length + " cells for " + header.size() + " columns");
        }
        List<String> r = new ArrayList<>(cells.length);
        for (Object c : cells) {
            r.add(cell(c));
        }
        rows.add(r);
        return this;
    }

    /** Numbers as the tables show them: integers plainly, others with four decimals. */
    static String cell(Object c) {
        return switch (c) {
            case null -> "-";
            case Double d -> Double.isNaN(d) ? "-" : String.format(Locale.ROOT, "%.4f", d);
            case Float f -> Float.isNaN(f) ? "-" : String.format(Locale.ROOT, "%.4f", f);
            default -> String.valueOf(c);
        };
    }

    void print(PrintWriter out) {
        print(out, "");
    }

    /** Prints every line after {@code indent}. */
    void print(PrintWriter out, String indent) {
        int n = header.size();
        int[] width = new int[n];
        boolean[] numeric = new boolean[n];
        for (int c = 0; c < n; c++) {
            width[c] = header.get(c).length();
            numeric[c] = !rows.isEmpty();
            for (List<String> r : rows) {
                width[c] = Math.max(width[c], r.get(c).length());
                numeric[c] &= isNumber(r.get(c));
            }
        }
        line(out, indent, header, width, numeric);
        StringBuilder rule = new StringBuilder(indent);
        for (int c = 0; c < n; c++) {
            rule.append(c == 0 ? "" : "  ").append("-".repeat(width[c]));
        }
        out.println(rule);
        for (List<String> r : rows) {
            line(out, indent, r, width, numeric);
        }
        out.flush();
    }

    private static void line(PrintWriter out, String indent, List<String> cells, int[] width, boolean[] numeric) {
        StringBuilder sb = new StringBuilder(indent);
        for (int c = 0; c < cells.size(); c++) {
            String s = cells.get(c);
            if (c > 0) {
                sb.append("  ");
            }
            boolean last = c == cells.size() - 1;
            if (numeric[c]) {
                sb.append(" ".repeat(width[c] - s.length())).append(s);
            } else {
                sb.append(s);
                if (!last) {
                    sb.append(" ".repeat(width[c] - s.length()));
                }
            }
        }
        out.println(sb.toString().stripTrailing());
    }

    private static boolean isNumber(String s) {
        if (s.equals("-")) {
            return true;
        }
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
