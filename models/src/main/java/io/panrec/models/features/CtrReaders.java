package io.panrec.models.features;

import io.panrec.models.data.DataFormatException;
import io.panrec.models.data.Dataset;
import io.panrec.models.data.Interactions;
import io.panrec.models.data.MovieLens;
import io.panrec.models.data.ReadOptions;
import io.panrec.models.data.ReadReport;
import io.panrec.models.spi.FeatureField;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Readers of CTR data into {@link RawCtrData}. Malformed lines throw a {@link DataFormatException}
 * naming file and line, or, with {@link ReadOptions#LENIENT}, are skipped and counted in the report.
 *
 * <ul>
 *   <li>{@link #criteoTsv}: the Criteo Kaggle Display Advertising Challenge {@code train.txt}: tab
 *       separated {@code label, I1..I13, C1..C26}, no header; empty fields are missing values, and rows
 *       with fewer than 40 fields (trailing empty fields stripped) are padded with missing values.</li>
 *   <li>{@link #criteoCsv}: the same columns as CSV with a header naming them (as DeepCTR's sample);
 *       integer features may be written as floats ({@code 260.0}).</li>
 *   <li>{@link #avazu}: the Avazu CTR CSV with header {@code id,click,hour,...}: {@code click} is the
 *       label, {@code id} is dropped, {@code hour} (YYMMDDHH) becomes hour-of-day and weekday fields,
 *       every other column a categorical field.</li>
 *   <li>{@link #movieLens100k}: MovieLens 100K as CTR: a row per rating, label {@code rating >= 4};
 *       user fields user id, age bucket, gender, occupation (from {@code u.user}); item fields item id
 *       and the genres bag (from {@code u.item}).</li>
 * </ul>
 */
public final class CtrReaders {
    private CtrReaders() {
    }

    /** Fields of Criteo: 13 integer ("I1".."I13") and 26 hashed categorical ("C1".."C26"). */
    public static final int CRITEO_INTEGERS = 13;
    public static final int CRITEO_CATEGORICALS = 26;

    /**
     * How the categorical and numeric columns of Criteo and Avazu are encoded.
     *
     * @param minCount     tokens seen fewer times in the training rows share the field's out-of-vocabulary id
     * @param logNumeric   Criteo's integers as one numeric feature {@code ln(1 + x)} each (true) or, the default,
     *                     discretised as the competition winners did ({@link FieldSpec.Encoding#LOG_BUCKET})
     * @param hashBuckets  when positive, categorical columns are hashed into this many ids each instead of
     *                     fitting vocabularies (for data too large for vocabularies in memory)
     */
    public record Encoding(int minCount, boolean logNumeric, int hashBuckets) {
        /** Minimum count 2, winners' buckets, vocabularies: suits the small samples and full data alike. */
        public static final Encoding DEFAULT = new Encoding(2, false, 0);

        public Encoding {
            if (minCount < 1 || hashBuckets < 0) {
                throw new IllegalArgumentException("CTR encoding: minCount must be >= 1 and hashBuckets >= 0, got " + minCount + ", "
                        + hashBuckets);
            }
        }

        FieldSpec categorical(String name) {
            return hashBuckets > 0 ? FieldSpec.hashed(name, hashBuckets) : FieldSpec.vocabulary(name, FeatureField.Source.ROW, minCount);
        }

        FieldSpec numeric(String name) {
            return logNumeric ? FieldSpec.log(name) : FieldSpec.logBucket(name, minCount);
        }
    }

    static List<FieldSpec> criteoSpecs(Encoding e) {
        List<FieldSpec> specs = new ArrayList<>();
        for (int i = 1; i <= CRITEO_INTEGERS; i++) {
            specs.add(e.numeric("I" + i));
        }
        for (int i = 1; i <= CRITEO_CATEGORICALS; i++) {
            specs.add(e.categorical("C" + i));
        }
        return specs;
    }

    /** A line reader with line numbers that counts or throws on malformed lines. */
    private static final class Lines {
        final Path file;
        final boolean lenient;
        long records;
        long skipped;
        final List<String> problems = new ArrayList<>();

        Lines(Path file, ReadOptions options) throws NoSuchFileException {
            if (!Files.isRegularFile(file)) {
                throw new NoSuchFileException(file.toString(), null, "data file not found (or not a regular file)");
            }
            this.file = file;
            this.lenient = options.lenient();
        }

        void malformed(long line, String problem) throws DataFormatException {
            if (!lenient) {
                throw new DataFormatException(file, line, problem);
            }
            skipped++;
            if (problems.size() < ReadReport.KEPT_PROBLEMS) {
                problems.add("line " + line + ": " + problem);
            }
        }

        ReadReport.FileReport report() {
            return new ReadReport.FileReport(file, records, skipped, problems);
        }

        BufferedReader open(Charset cs) throws IOException {
            return Files.newBufferedReader(file, cs);
        }

        /**
         * Gives {@code row} every non-blank line still in {@code r} (CR stripped), split at {@code delimiter},
         * with its 1-based line number; {@code linesRead} lines (a header) were read before.
         */
        void forEachRow(BufferedReader r, long linesRead, char delimiter, Row row) throws IOException {
            long no = linesRead;
            for (String line; (line = r.readLine()) != null; ) {
                no++;
                line = stripCr(line);
                if (!line.isBlank()) {
                    row.accept(no, split(line, delimiter));
                }
            }
        }
    }

    /** One row of a file: its line number and fields. */
    @FunctionalInterface
    private interface Row {
        void accept(long no, String[] fields) throws DataFormatException;
    }

    private static String[] split(String line, char delimiter) {
        List<String> out = new ArrayList<>(41);
        int start = 0;
        for (int i = 0; i < line.length(); i++) {
            if (line.charAt(i) == delimiter) {
                out.add(line.substring(start, i));
                start = i + 1;
            }
        }
        out.add(line.substring(start));
        return out.toArray(String[]::new);
    }

    private static String stripCr(String line) {
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    /** The label of a row: "0" or "1" (also "0.0", "1.0"), else null. */
    private static Float label(String s) {
        return switch (s.strip()) {
            case "0", "0.0" -> 0f;
            case "1", "1.0" -> 1f;
            default -> null;
        };
    }

    /** Null when {@code s} is empty or a finite number, else the problem. */
    private static String numberProblem(String s, String column) {
        if (s.isEmpty()) {
            return null;
        }
        try {
            double v = Double.parseDouble(s);
            return Double.isFinite(v) ? null : column + " '" + s + "' is not finite";
        } catch (NumberFormatException e) {
            return column + " '" + s + "' is not a number";
        }
    }

    /** Reads the Criteo Kaggle {@code train.txt} format (see the class comment). */
    public static RawCtrData criteoTsv(Path file, Encoding encoding, ReadOptions options) throws IOException {
        RawCtrData raw = new RawCtrData("criteo", criteoSpecs(encoding), false);
        Lines lines = new Lines(file, options);
        int width = 1 + CRITEO_INTEGERS + CRITEO_CATEGORICALS;
        try (BufferedReader r = lines.open(StandardCharsets.UTF_8)) {
            lines.forEachRow(r, 0, '\t', (no, f) -> {
                if (f.length > width) {
                    lines.malformed(no, "expected at most " + width + " tab-separated fields (label, I1..I13, C1..C26), found " + f.length);
                    return;
                }
                addCriteoRow(raw, lines, no, f, 0);
            });
        }
        raw.report(new ReadReport(List.of(lines.report())));
        return raw;
    }

    /** Adds a Criteo row from fields whose label is at {@code f[base]}; short rows are padded. */
    private static void addCriteoRow(RawCtrData raw, Lines lines, long no, String[] f, int base) throws DataFormatException {
        Float label = label(f[base]);
        if (label == null) {
            lines.malformed(no, "label '" + f[base] + "' is not 0 or 1");
            return;
        }
        String[] values = new String[CRITEO_INTEGERS + CRITEO_CATEGORICALS];
        for (int j = 0; j < values.length; j++) {
            int at = base + 1 + j;
            String v = at < f.length ? f[at].strip() : "";
            if (j < CRITEO_INTEGERS) {
                String problem = numberProblem(v, "I" + (j + 1));
                if (problem != null) {
                    lines.malformed(no, problem);
                    return;
                }
            }
            values[j] = v.isEmpty() ? null : v;
        }
        raw.addRow(label, null, null, values);
        lines.records++;
    }

    /** Reads Criteo as CSV with a header naming {@code label, I1..I13, C1..C26} (any order, other columns ignored). */
    public static RawCtrData criteoCsv(Path file, Encoding encoding, ReadOptions options) throws IOException {
        RawCtrData raw = new RawCtrData("criteo-csv", criteoSpecs(encoding), false);
        Lines lines = new Lines(file, options);
        try (BufferedReader r = lines.open(StandardCharsets.UTF_8)) {
            String header = r.readLine();
            if (header == null) {
                throw new DataFormatException(file, 1, "empty file; expected a header label,I1..I13,C1..C26");
            }
            String[] names = split(stripCr(header).replace("\uFEFF", ""), ',');
            int[] col = new int[1 + CRITEO_INTEGERS + CRITEO_CATEGORICALS];
            for (int j = 0; j < col.length; j++) {
                String want = j == 0 ? "label" : j <= CRITEO_INTEGERS ? "I" + j : "C" + (j - CRITEO_INTEGERS);
                col[j] = indexOf(names, want);
                if (col[j] < 0) {
                    throw new DataFormatException(file, 1, "the header has no column '" + want + "'; Criteo CSV needs label, I1..I13, "
                            + "C1..C26 (for the tab-separated Kaggle file use criteo:)");
                }
            }
            lines.forEachRow(r, 1, ',', (no, f) -> {
                if (f.length != names.length) {
                    lines.malformed(no, "expected " + names.length + " comma-separated fields as the header, found " + f.length);
                    return;
                }
                String[] ordered = new String[col.length];
                for (int j = 0; j < col.length; j++) {
                    ordered[j] = f[col[j]];
                }
                addCriteoRow(raw, lines, no, ordered, 0);
            });
        }
        raw.report(new ReadReport(List.of(lines.report())));
        return raw;
    }

    private static int indexOf(String[] names, String want) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].strip().equals(want)) {
                return i;
            }
        }
        return -1;
    }

    /** Reads the Avazu CSV (see the class comment). */
    public static RawCtrData avazu(Path file, Encoding encoding, ReadOptions options) throws IOException {
        Lines lines = new Lines(file, options);
        try (BufferedReader r = lines.open(StandardCharsets.UTF_8)) {
            String header = r.readLine();
            if (header == null) {
                throw new DataFormatException(file, 1, "empty file; expected a header id,click,hour,...");
            }
            String[] names = split(stripCr(header).replace("\uFEFF", ""), ',');
            int click = indexOf(names, "click");
            int hour = indexOf(names, "hour");
            int id = indexOf(names, "id");
            if (click < 0 || hour < 0) {
                throw new DataFormatException(file, 1, "the header has no 'click' or 'hour' column; is this Avazu data?");
            }
            List<FieldSpec> specs = new ArrayList<>();
            specs.add(encoding.categorical("hour_of_day"));
            specs.add(encoding.categorical("weekday"));
            List<Integer> cols = new ArrayList<>();
            for (int i = 0; i < names.length; i++) {
                if (i != click && i != hour && i != id) {
                    specs.add(encoding.categorical(names[i].strip()));
                    cols.add(i);
                }
            }
            RawCtrData raw = new RawCtrData("avazu", specs, false);
            lines.forEachRow(r, 1, ',', (no, f) -> {
                if (f.length != names.length) {
                    lines.malformed(no, "expected " + names.length + " comma-separated fields as the header, found " + f.length);
                    return;
                }
                Float label = label(f[click]);
                if (label == null) {
                    lines.malformed(no, "click '" + f[click] + "' is not 0 or 1");
                    return;
                }
                String h = f[hour].strip();
                String weekday;
                try {
                    if (!h.matches("\\d{8}")) {
                        throw new DateTimeParseException("not YYMMDDHH", h, 0);
                    }
                    weekday = LocalDate.of(2000 + Integer.parseInt(h.substring(0, 2)), Integer.parseInt(h.substring(2, 4)),
                            Integer.parseInt(h.substring(4, 6))).getDayOfWeek().name();
                } catch (java.time.DateTimeException e) {
                    lines.malformed(no, "hour '" + h + "' is not a YYMMDDHH time");
                    return;
                }
                String[] values = new String[specs.size()];
                values[0] = h.substring(6, 8);
                values[1] = weekday;
                for (int j = 0; j < cols.size(); j++) {
                    String v = f[cols.get(j)].strip();
                    values[2 + j] = v.isEmpty() ? null : v;
                }
                raw.addRow(label, null, null, values);
                lines.records++;
            });
            raw.report(new ReadReport(List.of(lines.report())));
            return raw;
        }
    }

    /** Age buckets of MovieLens users, as the groups of the MovieLens 1M README (under 18, 18-24, 25-34, ...). */
    static final double[] AGE_BOUNDARIES = {18, 25, 35, 45, 50, 56};

    /** Specs of MovieLens as CTR: user fields then item fields. */
    static List<FieldSpec> movieLensSpecs() {
        return List.of(
                FieldSpec.vocabulary("user", FeatureField.Source.USER, 1),
                FieldSpec.buckets("age", FeatureField.Source.USER, AGE_BOUNDARIES),
                FieldSpec.vocabulary("gender", FeatureField.Source.USER, 1),
                FieldSpec.vocabulary("occupation", FeatureField.Source.USER, 1),
                FieldSpec.vocabulary("item", FeatureField.Source.ITEM, 1),
                FieldSpec.bag("genres", FeatureField.Source.ITEM, 1, 6));
    }

    /**
     * MovieLens 100K as CTR (see the class comment), rows in {@code u.data} order. Users missing from
     * {@code u.user} and items without genres get missing values (their fields' own ids).
     */
    public static RawCtrData movieLens100k(Path dir, ReadOptions options) throws IOException {
        Dataset d = MovieLens.read100k(dir, options);
        Interactions all = d.interactions();
        RawCtrData raw = new RawCtrData("ml-100k-ctr", movieLensSpecs(), true);
        for (int r = 0; r < all.size(); r++) {
            raw.addRow(all.rating(r) >= 4 ? 1f : 0f, all.users().id(all.user(r)), all.items().id(all.item(r)));
        }
        Lines lines = new Lines(dir.resolve("u.user"), options);
        try (BufferedReader r = lines.open(StandardCharsets.ISO_8859_1)) {
            lines.forEachRow(r, 0, '|', (no, f) -> {
                if (f.length != 5) {
                    lines.malformed(no, "expected 5 fields user id|age|gender|occupation|zip code, found " + f.length);
                    return;
                }
                String problem = numberProblem(f[1], "age");
                if (problem != null || f[1].isEmpty()) {
                    lines.malformed(no, problem != null ? problem : "age is missing");
                    return;
                }
                raw.putUser(f[0], f[0], f[1], f[2], f[3]);
                lines.records++;
            });
        }
        for (int i = 0; i < all.numItems(); i++) {
            String id = all.items().id(i);
            raw.putItem(id, id, String.join("|", d.catalog().genres(i)));
        }
        raw.report(d.report().plus(new ReadReport(List.of(lines.report()))));
        return raw;
    }
}
