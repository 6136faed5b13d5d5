package io.panrec.cli.models;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A generated MovieLens 100K folder in the real formats: {@code u.data} (tab-separated user, item,
 * rating, timestamp), {@code u.item} ('|'-separated, 19 genre flags, ISO-8859-1) and the five folds
 * {@code u1.base/u1.test .. u5.*} (disjoint test sets whose union is {@code u.data}, as the real ones).
 *
 * <p>The data has structure to learn: users and items fall into two groups; a user rates mostly items
 * of its own group, highly (4-5), and sometimes items of the other group, low (1-2); within a group the
 * first items are more popular. Timestamps grow with each user's interactions.
 */
final class ToyMovieLens {
    static final int USERS = 60;
    static final int ITEMS = 150;
    static final int PER_USER = 25;

    private ToyMovieLens() {
    }

    /** One line of u.data. */
    record Row(int user, int item, int rating, long time) {
        String line() {
            return user + "\t" + item + "\t" + rating + "\t" + time;
        }
    }

    /** Writes the folder and returns its rows (ids are 1-based, as in the real files). */
    static List<Row> write(Path dir, long seed) throws IOException {
        Files.createDirectories(dir);
        SplittableRandom random = new SplittableRandom(seed);
        List<Row> rows = new ArrayList<>();
        int half = ITEMS / 2;
        for (int u = 0; u < USERS; u++) {
            int group = u % 2;
            boolean[] taken = new boolean[ITEMS];
            for (int k = 0; k < PER_USER; k++) {
                boolean own = random.nextDouble() < 0.85;
                int item;
                do {
                    double x = random.nextDouble();
                    item = (own ? group : 1 - group) * half + (int) (half * x * x);
                } while (taken[item]);
                taken[item] = true;
                int rating = own ? 4 + random.nextInt(2) : 1 + random.nextInt(2);
                rows.add(new Row(u + 1, item + 1, rating, 880_000_000L + 1_000L * u + 10L * k));
            }
        }
        // u.data is ordered as the real one is not (by nothing in particular): shuffle it
        List<Row> shuffled = new ArrayList<>(rows);
        for (int i = shuffled.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            Row t = shuffled.get(i);
            shuffled.set(i, shuffled.get(j));
            shuffled.set(j, t);
        }
        writeRows(dir.resolve("u.data"), shuffled);
        StringBuilder items = new StringBuilder();
        for (int i = 1; i <= ITEMS; i++) {
            // Latin-1 titles, as the real u.item has ("Misérables")
            items.append(i).append("|Film ").append(i).append(i % 7 == 0 ? " Misérables" : "").append(" (1995)|01-Jan-1995||http://x/")
                    .append(i);
            for (int g = 0; g < 19; g++) {
                items.append('|').append(g == 1 + (i <= half ? 0 : 4) ? 1 : 0);
            }
            items.append('\n');
        }
        Files.write(dir.resolve("u.item"), items.toString().getBytes(StandardCharsets.ISO_8859_1));
        // five folds: row r of the shuffled table is tested in fold r % 5 + 1
        for (int f = 1; f <= 5; f++) {
            List<Row> base = new ArrayList<>();
            List<Row> test = new ArrayList<>();
            for (int r = 0; r < shuffled.size(); r++) {
                (r % 5 + 1 == f ? test : base).add(shuffled.get(r));
            }
            writeRows(dir.resolve("u" + f + ".base"), base);
            writeRows(dir.resolve("u" + f + ".test"), test);
        }
        return rows;
    }

    static void writeRows(Path file, List<Row> rows) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Row r : rows) {
            sb.append(r.line()).append('\n');
        }
        Files.writeString(file, sb.toString(), StandardCharsets.ISO_8859_1);
    }
}
