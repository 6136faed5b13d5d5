package io.panrec.models.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Session data: clicks (or views) grouped by an anonymous session, read into {@link Interactions} whose
 * "users" are the sessions, whose items are the clicked items and whose timestamps (milliseconds) order
 * the clicks; and the standard preprocessing of session-based recommendation papers.
 *
 * <h2>Formats</h2>
 * <ul>
 *   <li>{@link #readDiginetica} — DIGINETICA (CIKM Cup 2016) {@code train-item-views.csv}:
 *       {@code session_id;user_id;item_id;timeframe;eventdate} with that header, {@code ;}-separated;
 *       {@code eventdate} is a day ({@code 2016-05-09}) and {@code timeframe} the milliseconds since the
 *       session started, so the timestamp is {@code day * 86 400 000 + timeframe}.</li>
 *   <li>{@link #readDelimited} — a generic file with a header naming a session, an item and a time column
 *       ({@code session,item,time}; GRU4Rec's {@code SessionId ItemId Time} and a few spellings are
 *       recognised, see {@link #SESSION_NAMES}, or the names given as columns), separated by tabs, commas or semicolons (whichever the
 *       header uses). The time is in seconds since 1970 and may have a fraction.</li>
 * </ul>
 * Malformed lines (wrong number of fields, empty ids, a time or date that does not parse) throw a
 * {@link DataFormatException} naming file and line, or are skipped and counted with
 * {@link ReadOptions#lenient()}.
 *
 * <h2>Preprocessing ({@link #prepare})</h2>
 * As B. Hidasi et al., "Session-based recommendations with recurrent neural networks" (ICLR 2016) and
 * J. Li et al., "Neural attentive session-based recommendation" (NARM, CIKM 2017) on RSC15 and
 * DIGINETICA, in this order: sessions of length 1 are dropped; items clicked fewer than
 * {@code minItemSupport} (5) times are dropped, and then sessions left shorter than 2; the sessions
 * whose last click falls in the final {@code testDays} days (7 for DIGINETICA in NARM/SR-GNN, 1 for
 * RSC15 in GRU4Rec) become the test part, the rest training (and, with {@code validationDays > 0}, the
 * last days of training become validation, as GRU4Rec tunes); test (and validation) clicks on items that
 * do not occur in training are removed and sessions left shorter than 2 dropped. The procedure has no
 * randomness: the same file always gives the same split. Item indices are renumbered densely over the
 * items that remain, in order of first appearance in training.
 *
 * <p>The evaluation expands each held-out session {@code [i1, ..., in]} into the cases
 * {@code [i1] -> i2, [i1, i2] -> i3, ..., [i1..i(n-1)] -> in} ({@link #nextItemCases}).
 */
public final class Sessions {
    /** Accepted names (compared without case) of the session column of {@link #readDelimited}. */
    public static final List<String> SESSION_NAMES = List.of("session", "session_id", "sessionid");
    /** Accepted names of the item column. */
    public static final List<String> ITEM_NAMES = List.of("item", "item_id", "itemid");
    /** Accepted names of the time column. */
    public static final List<String> TIME_NAMES = List.of("time", "timestamp", "ts");

    private static final long DAY_MS = 86_400_000L;

    private Sessions() {
    }

    // ------------------------------------------------------------------ readers

    /** Reads a DIGINETICA {@code train-item-views.csv} (see the class comment). */
    public static Dataset readDiginetica(Path file, ReadOptions options) throws IOException {
        Interactions.Builder b = Interactions.builder(new Vocabulary("sessions"), new Vocabulary("items"), false, true);
        RecordSource src = new RecordSource(file, options);
        boolean[] header = {false};
        src.forEach(StandardCharsets.UTF_8, false, ';', (text, line) -> {
            String[] f = Csv.splitPlain(text, ";");
            if (!header[0]) {
                List<String> names = new ArrayList<>();
                for (String s : f) {
                    names.add(s.strip().toLowerCase(Locale.ROOT));
                }
                if (!names.equals(List.of("session_id", "user_id", "item_id", "timeframe", "eventdate"))) {
                    throw src.fatal(line, "expected the DIGINETICA header session_id;user_id;item_id;timeframe;eventdate, found '"
                            + text + "'; for other session files use sessions:PATH with columns session,item,time");
                }
                header[0] = true;
                return;
            }
            if (f.length != 5) {
                src.malformed(line, "expected 5 fields separated by ';', found " + f.length);
                return;
            }
            String session = f[0].strip();
            String item = f[2].strip();
            if (session.isEmpty() || item.isEmpty()) {
                src.malformed(line, session.isEmpty() ? "empty session id" : "empty item id");
                return;
            }
            long frame;
            try {
                frame = Long.parseLong(f[3].strip());
            } catch (NumberFormatException e) {
                src.malformed(line, "timeframe '" + f[3].strip() + "' is not an integer (milliseconds)");
                return;
            }
            if (frame < 0 || frame >= 1000 * DAY_MS) {
                src.malformed(line, "timeframe " + frame + " is outside [0, 1000 days) in milliseconds");
                return;
            }
            long day;
            try {
                day = LocalDate.parse(f[4].strip()).toEpochDay();
            } catch (DateTimeParseException e) {
                src.malformed(line, "eventdate '" + f[4].strip() + "' is not a date written YYYY-MM-DD");
                return;
            }
            b.add(session, item, 1f, day * DAY_MS + frame);
            src.accepted();
        });
        if (!header[0]) {
            throw src.fatal(0, "the file is empty; expected the header session_id;user_id;item_id;timeframe;eventdate");
        }
        return new Dataset(file.getFileName().toString(), b.build(), ItemCatalog.empty(b.items()),
                new ReadReport(List.of(src.report())));
    }

    /** Reads a generic session file with a {@code session,item,time} header (see the class comment). */
    public static Dataset readDelimited(Path file, ReadOptions options) throws IOException {
        return readDelimited(file, null, options);
    }

    /**
     * Reads a generic session file whose columns are named by {@code columns}: {@code user} names the
     * session column, {@code item} the item and {@code timestamp} the time (seconds since 1970); null
     * recognises the names of the class comment.
     */
    public static Dataset readDelimited(Path file, DelimitedFormat.Columns columns, ReadOptions options) throws IOException {
        if (columns != null && columns.timestamp() == null) {
            throw new IllegalArgumentException("session data needs a time column to order the clicks: add timestamp=COLUMN to the columns");
        }
        Interactions.Builder b = Interactions.builder(new Vocabulary("sessions"), new Vocabulary("items"), false, true);
        RecordSource src = new RecordSource(file, options);
        String[] delimiter = {null};
        int[][] layout = {null};
        src.forEach(StandardCharsets.UTF_8, false, ',', (text, line) -> {
            if (layout[0] == null) {
                delimiter[0] = text.indexOf('\t') >= 0 ? "\t" : text.indexOf(';') >= 0 ? ";" : ",";
                String[] names = Csv.splitPlain(text, delimiter[0]);
                layout[0] = new int[] {column(src, line, names, columns == null ? SESSION_NAMES : List.of(columns.user().toLowerCase(Locale.ROOT)), "session"),
                        column(src, line, names, columns == null ? ITEM_NAMES : List.of(columns.item().toLowerCase(Locale.ROOT)), "item"),
                        column(src, line, names, columns == null ? TIME_NAMES : List.of(columns.timestamp().toLowerCase(Locale.ROOT)), "time"),
                        names.length};
                return;
            }
            int[] at = layout[0];
            String[] f = Csv.splitPlain(text, delimiter[0]);
            if (f.length != at[3]) {
                src.malformed(line, "expected " + at[3] + " fields like the header, found " + f.length);
                return;
            }
            String session = f[at[0]].strip();
            String item = f[at[1]].strip();
            if (session.isEmpty() || item.isEmpty()) {
                src.malformed(line, session.isEmpty() ? "empty session id" : "empty item id");
                return;
            }
            String t = f[at[2]].strip();
            double seconds;
            try {
                seconds = Double.parseDouble(t);
            } catch (NumberFormatException e) {
                seconds = Double.NaN;
            }
            if (!Double.isFinite(seconds) || Math.abs(seconds) > 1e13 || t.isEmpty() || Character.isLetter(t.charAt(t.length() - 1))) {
                src.malformed(line, "time '" + t + "' is not a number of seconds since 1970");
                return;
            }
            b.add(session, item, 1f, Math.round(seconds * 1000));
            src.accepted();
        });
        if (layout[0] == null) {
            throw src.fatal(0, "the file is empty; expected a header naming the session, item and time columns");
        }
        return new Dataset(file.getFileName().toString(), b.build(), ItemCatalog.empty(b.items()),
                new ReadReport(List.of(src.report())));
    }

    private static int column(RecordSource src, long line, String[] names, List<String> accepted, String role)
            throws DataFormatException {
        int found = -1;
        for (int i = 0; i < names.length; i++) {
            if (accepted.contains(names[i].strip().toLowerCase(Locale.ROOT))) {
                if (found >= 0) {
                    throw src.fatal(line, "the header has two " + role + " columns ('" + names[found].strip() + "', '" + names[i].strip() + "')");
                }
                found = i;
            }
        }
        if (found < 0) {
            throw src.fatal(line, "the header has no " + role + " column (one of " + accepted + "); its columns are: "
                    + String.join(", ", names));
        }
        return found;
    }

    // ------------------------------------------------------------------ sequences

    /**
     * Each user's (session's) items ordered by (timestamp, row): row {@code u} of the result holds the
     * items of user index {@code u}, empty for users without rows in {@code data}.
     */
    public static int[][] sequences(Interactions data) {
        int[] order = Splits.timeOrder(data);
        int[] counts = new int[data.numUsers()];
        for (int r = 0; r < data.size(); r++) {
            counts[data.user(r)]++;
        }
        int[][] out = new int[counts.length][];
        for (int u = 0; u < counts.length; u++) {
            out[u] = new int[counts[u]];
        }
        int[] fill = new int[counts.length];
        for (int r : order) {
            int u = data.user(r);
            out[u][fill[u]++] = data.item(r);
        }
        return out;
    }

    /**
     * One evaluation case: the items seen so far in a session, oldest first, and the item that came next.
     *
     * @param session the session (user) index
     * @param prefix  at least one item
     * @param target  the next item
     */
    public record Case(int session, int[] prefix, int target) {
        public Case {
            if (prefix.length == 0) {
                throw new IllegalArgumentException("a next-item case needs at least one item before the target");
            }
        }
    }

    /** Every (prefix, next item) case of the sessions of {@code heldOut}, session by session. */
    public static List<Case> nextItemCases(Interactions heldOut) {
        int[][] seqs = sequences(heldOut);
        List<Case> cases = new ArrayList<>();
        for (int s = 0; s < seqs.length; s++) {
            for (int t = 1; t < seqs[s].length; t++) {
                cases.add(new Case(s, Arrays.copyOf(seqs[s], t), seqs[s][t]));
            }
        }
        return cases;
    }

    // ------------------------------------------------------------------ preprocessing

    /**
     * The preprocessing settings (see the class comment).
     *
     * @param minSessionLength sessions shorter than this are dropped (2: a session needs a next item)
     * @param minItemSupport   items clicked fewer times are dropped (5 in GRU4Rec and NARM)
     * @param testDays         the final days whose sessions are held out for testing (at least 1)
     * @param validationDays   the final days of the remaining sessions held out for validation (0: none)
     */
    public record Preprocessing(int minSessionLength, int minItemSupport, int testDays, int validationDays) {
        /** GRU4Rec/NARM's filters with the last 7 days as test (DIGINETICA in NARM and SR-GNN) and no validation. */
        public static final Preprocessing STANDARD = new Preprocessing(2, 5, 7, 0);

        public Preprocessing {
            if (minSessionLength < 2 || minItemSupport < 1 || testDays < 1 || validationDays < 0) {
                throw new IllegalArgumentException("session preprocessing needs minSessionLength >= 2, minItemSupport >= 1, testDays >= 1 "
                        + "and validationDays >= 0; got " + minSessionLength + ", " + minItemSupport + ", " + testDays + ", " + validationDays);
            }
        }

        public Preprocessing withTestDays(int days) {
            return new Preprocessing(minSessionLength, minItemSupport, days, validationDays);
        }

        public Preprocessing withValidationDays(int days) {
            return new Preprocessing(minSessionLength, minItemSupport, testDays, days);
        }
    }

    /**
     * The clicks of {@code data} (sessions as users, with timestamps in milliseconds) cut as the class
     * comment describes. The parts share new vocabularies: the sessions that remain and the items that
     * occur in training.
     *
     * @throws IllegalArgumentException if the data has no timestamps, or nothing is left for training or
     *                                  testing (the message gives the counts and what to change)
     */
    public static Split prepare(Interactions data, Preprocessing p) {
        if (!data.hasTimestamps()) {
            throw new IllegalArgumentException("session preprocessing needs timestamps to order the clicks and split by day");
        }
        // each session's rows in time order
        int[] order = Splits.timeOrder(data);
        int[] counts = new int[data.numUsers()];
        for (int r = 0; r < data.size(); r++) {
            counts[data.user(r)]++;
        }
        int[][] rows = new int[counts.length][];
        for (int u = 0; u < counts.length; u++) {
            rows[u] = new int[counts[u]];
        }
        int[] fill = new int[counts.length];
        for (int r : order) {
            rows[data.user(r)][fill[data.user(r)]++] = r;
        }
        // 1. short sessions; 2. rare items (counted over the remaining sessions); 3. short sessions again
        int[] support = new int[data.numItems()];
        for (int[] s : rows) {
            if (s.length >= p.minSessionLength()) {
                for (int r : s) {
                    support[data.item(r)]++;
                }
            }
        }
        int[][] kept = new int[rows.length][];
        long[] last = new long[rows.length]; // the time of a session's last kept click decides its part, as GRU4Rec's code
        long maxTime = Long.MIN_VALUE;
        for (int s = 0; s < rows.length; s++) {
            if (rows[s].length < p.minSessionLength()) {
                continue;
            }
            int[] filtered = Arrays.stream(rows[s]).filter(r -> support[data.item(r)] >= p.minItemSupport()).toArray();
            if (filtered.length >= p.minSessionLength()) {
                kept[s] = filtered;
                last[s] = data.timestamp(filtered[filtered.length - 1]);
                maxTime = Math.max(maxTime, last[s]);
            }
        }
        long testFrom = maxTime - p.testDays() * DAY_MS;
        long validFrom = testFrom - p.validationDays() * DAY_MS;
        Vocabulary sessions = new Vocabulary(data.users().name());
        Vocabulary items = new Vocabulary(data.items().name());
        int[] itemMap = new int[data.numItems()];
        Arrays.fill(itemMap, -1);
        // training sessions first, so that the item vocabulary is the training items'
        List<int[]> parts = new ArrayList<>(); // {part, session}: part 0 train, 1 validation, 2 test
        for (int s = 0; s < rows.length; s++) {
            if (kept[s] != null && last[s] <= validFrom) {
                for (int r : kept[s]) {
                    if (itemMap[data.item(r)] < 0) {
                        itemMap[data.item(r)] = items.add(data.items().id(data.item(r)));
                    }
                }
                parts.add(new int[] {0, s});
            }
        }
        for (int s = 0; s < rows.length; s++) {
            if (kept[s] != null && last[s] > validFrom) {
                parts.add(new int[] {last[s] > testFrom ? 2 : 1, s});
            }
        }
        Interactions.Builder[] out = new Interactions.Builder[3];
        for (int k = 0; k < 3; k++) {
            out[k] = Interactions.builder(sessions, items, false, true);
        }
        for (int[] ps : parts) {
            int s = ps[1];
            // held-out clicks on items unseen in training go; rows keep their timestamps, so the order stays the file's
            int[] known = Arrays.stream(kept[s]).filter(r -> itemMap[data.item(r)] >= 0).toArray();
            if (known.length < p.minSessionLength()) {
                continue;
            }
            int idx = sessions.add(data.users().id(s));
            for (int r : known) {
                out[ps[0]].addIndices(idx, itemMap[data.item(r)], 1f, data.timestamp(r));
            }
        }
        Interactions train = out[0].build();
        Interactions validation = out[1].build();
        Interactions test = out[2].build();
        if (train.isEmpty() || test.isEmpty()) {
            throw new IllegalArgumentException("session preprocessing left " + train.size() + " training and " + test.size()
                    + " test clicks (of " + data.size() + "); the data spans too few days for " + p.testDays() + " test days"
                    + (p.validationDays() > 0 ? " and " + p.validationDays() + " validation days" : "")
                    + ", or too few items have " + p.minItemSupport() + " clicks");
        }
        return new Split(train, validation, test);
    }
}
