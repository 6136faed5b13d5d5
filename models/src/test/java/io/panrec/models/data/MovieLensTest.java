package io.panrec.models.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class MovieLensTest {
    @TempDir
    Path dir;

    private void latin1(String name, String text) throws Exception {
        Files.write(dir.resolve(name), text.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String uItem(String id, String title, int... genres) {
        StringBuilder sb = new StringBuilder(id).append('|').append(title).append("|01-Jan-1995||http://us.imdb.com/x");
        boolean[] on = new boolean[19];
        for (int g : genres) {
            on[g] = true;
        }
        for (boolean b : on) {
            sb.append('|').append(b ? '1' : '0');
        }
        return sb.append('\n').toString();
    }

    @Test
    void reads100kWithLatin1TitlesAndGenres() throws Exception {
        latin1("u.data", "196\t242\t3\t881250949\n186\t302\t3\t891717742\n196\t543\t5\t878887116\n");
        latin1("u.item", uItem("242", "Kolya (1996)", 5) + uItem("302", "L.A. Confidential (1997)", 6, 10, 16)
                + uItem("543", "Misérables, Les (1995)", 8, 12) + uItem("999", "Never rated (1990)", 0));
        Dataset d = MovieLens.read100k(dir, ReadOptions.STRICT);
        Interactions x = d.interactions();
        assertEquals(3, x.size());
        assertEquals(List.of("196", "186"), x.users().ids());
        assertEquals(List.of("242", "302", "543"), x.items().ids());
        assertArrayEquals(new float[] {3, 3, 5}, x.ratingColumn());
        assertArrayEquals(new long[] {881250949L, 891717742L, 878887116L}, x.timestampColumn());
        int mis = x.items().index("543");
        assertEquals(Optional.of("Misérables, Les (1995)"), d.catalog().title(mis));
        assertEquals(List.of("Drama", "Musical"), d.catalog().genres(mis));
        assertEquals(List.of("Crime", "Film-Noir", "Thriller"), d.catalog().genres(x.items().index("302")));
        assertEquals(3, d.catalog().entries()); // the unrated movie has no index
        assertEquals("u.data: 3 records", d.report().files().get(0).toString());
        assertEquals(4, d.report().files().get(1).records()); // read, though one has no index
    }

    @Test
    void genreNamesComeFromUGenreWhenPresent() throws Exception {
        latin1("u.data", "1\t1\t4\t10\n");
        latin1("u.genre", "a|0\nb|1\n\n");
        latin1("u.item", "1|Film|d||url|0|1\n");
        Dataset d = MovieLens.read100k(dir, ReadOptions.STRICT);
        assertEquals(List.of("b"), d.catalog().genres(0));
        latin1("u.genre", "a|0\nb|2\n");
        assertThrows(DataFormatException.class, () -> MovieLens.read100k(dir, ReadOptions.LENIENT));
    }

    @Test
    void malformed100kLines() throws Exception {
        latin1("u.data", "1\t1\t4\t10\n2\t1\t4\n3\t1\tfive\t10\n4\t2\t1\t10\t99\n5\t3\t2\t11\n");
        DataFormatException e = assertThrows(DataFormatException.class, () -> MovieLens.read100k(dir, ReadOptions.STRICT));
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("u.data line 2: expected 4 fields separated by tab, found 3"), e.getMessage());
        Dataset d = MovieLens.read100k(dir, ReadOptions.LENIENT);
        assertEquals(List.of("1", "5"), d.interactions().users().ids());
        assertEquals(3, d.report().skipped());
        latin1("u.data", "1\t1\t4\t10\n");
        latin1("u.item", uItem("1", "Ok") + "2|Broken|x\n" + "1|Bad flag|d||u|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|2\n");
        assertEquals(2, assertThrows(DataFormatException.class, () -> MovieLens.read100k(dir, ReadOptions.STRICT)).line());
        Dataset lenient = MovieLens.read100k(dir, ReadOptions.LENIENT);
        assertEquals(2, lenient.report().files().get(1).skipped());
        assertEquals(Optional.of("Ok"), lenient.catalog().title(0));
    }

    @Test
    void officialFoldsShareVocabulariesTrainingFirst() throws Exception {
        latin1("u1.base", "1\t10\t4\t5\n2\t20\t3\t6\n");
        latin1("u1.test", "1\t20\t5\t7\n3\t30\t1\t8\n");
        MovieLens.Fold fold = MovieLens.read100kFold(dir, 1, ReadOptions.STRICT);
        Split s = fold.split();
        assertEquals(2, s.train().size());
        assertEquals(0, s.validation().size());
        assertEquals(2, s.test().size());
        assertEquals(List.of("1", "2", "3"), s.train().users().ids());
        assertEquals(List.of("10", "20", "30"), s.test().items().ids());
        assertArrayEquals(new int[] {0, 2}, s.test().userColumn());
        assertArrayEquals(new int[] {1, 2}, s.test().itemColumn());
        assertArrayEquals(new float[] {5, 1}, s.test().ratingColumn());
        assertEquals(4, fold.dataset().interactions().size());
        assertThrows(IllegalArgumentException.class, () -> MovieLens.read100kFold(dir, 6, ReadOptions.STRICT));
        assertThrows(java.nio.file.NoSuchFileException.class, () -> MovieLens.read100kFold(dir, 2, ReadOptions.STRICT));
    }

    @Test
    void reads1mWithDoubleColonsAndLatin1Movies() throws Exception {
        latin1("ratings.dat", "1::1193::5::978300760\n1::661::3::978302109\n2::1193::4::978298413\n");
        latin1("movies.dat", "1193::One Flew Over the Cuckoo's Nest (1975)::Drama\n661::James and the Giant Peach (1996)::Animation|Children's|Musical\n"
                + "2::Misérables, Les (1995)::Drama|Musical\n");
        Dataset d = MovieLens.read1m(dir, ReadOptions.STRICT);
        Interactions x = d.interactions();
        assertEquals(3, x.size());
        assertEquals(2, x.numUsers());
        assertEquals(List.of("1193", "661"), x.items().ids());
        assertEquals(List.of("Animation", "Children's", "Musical"), d.catalog().genres(1));
        assertEquals(Optional.of("One Flew Over the Cuckoo's Nest (1975)"), d.catalog().title(0));
        latin1("ratings.dat", "1::1193::5::978300760\n1::661::3\n");
        DataFormatException e = assertThrows(DataFormatException.class, () -> MovieLens.read1m(dir, ReadOptions.STRICT));
        assertTrue(e.getMessage().contains("ratings.dat line 2") && e.getMessage().contains("'::'"), e.getMessage());
    }

    @Test
    void readsLatestWithCrlfQuotedTitlesAndHalfStars() throws Exception {
        Files.writeString(dir.resolve("ratings.csv"),
                "userId,movieId,rating,timestamp\r\n1,1,4.0,964982703\r\n1,3,4.5,964981247\r\n2,1,0.5,964982224\r\n",
                StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("movies.csv"),
                "movieId,title,genres\r\n1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy\r\n"
                        + "3,\"American President, The (1995)\",Comedy|Drama|Romance\r\n"
                        + "5,\"Father of the Bride Part II (1995)\",(no genres listed)\r\n",
                StandardCharsets.UTF_8);
        Dataset d = MovieLens.readLatest(dir, ReadOptions.STRICT);
        Interactions x = d.interactions();
        assertArrayEquals(new float[] {4f, 4.5f, 0.5f}, x.ratingColumn());
        assertEquals(0.5f, x.minRating());
        assertEquals(Optional.of("American President, The (1995)"), d.catalog().title(x.items().index("3")));
        assertEquals(List.of("Comedy", "Drama", "Romance"), d.catalog().genres(x.items().index("3")));
        assertEquals(2, d.catalog().entries());
        assertEquals(3, d.report().files().get(1).records()); // movie 5 is read but has no ratings, so no index

        Files.writeString(dir.resolve("movies.csv"), "movieId,title,genres\n1,Toy Story, The (1995),Animation\n", StandardCharsets.UTF_8);
        DataFormatException e = assertThrows(DataFormatException.class, () -> MovieLens.readLatest(dir, ReadOptions.STRICT));
        assertTrue(e.getMessage().contains("movies.csv line 2") && e.getMessage().contains("must be quoted"), e.getMessage());
        Files.writeString(dir.resolve("movies.csv"), "id,name\n", StandardCharsets.UTF_8);
        assertThrows(DataFormatException.class, () -> MovieLens.readLatest(dir, ReadOptions.LENIENT));
    }

    /** The real files, when the shared data folder is there (it is not in the repository). */
    @Test
    void realMovieLens100k() throws Exception {
        Path real = findShared("ml-100k");
        assumeTrue(real != null, "shared/data/ml-100k not found above the working directory; skipped");
        Dataset d = MovieLens.read100k(real, ReadOptions.STRICT);
        assertEquals(100_000, d.interactions().size());
        assertEquals(943, d.interactions().numUsers());
        assertEquals(1682, d.interactions().numItems());
        assertEquals(1682, d.catalog().entries());
        assertEquals(Optional.of("Misérables, Les (1995)"), d.catalog().title(d.interactions().items().index("543")));
        assertEquals(Optional.of("Á köldum klaka (Cold Fever) (1994)"), d.catalog().title(d.interactions().items().index("1633")));
        assertEquals(1f, d.interactions().minRating());
        assertEquals(5f, d.interactions().maxRating());
        // the five official test folds are disjoint and together make u.data
        Set<String> union = new HashSet<>();
        int total = 0;
        for (int k = 1; k <= 5; k++) {
            MovieLens.Fold f = MovieLens.read100kFold(real, k, ReadOptions.STRICT);
            Interactions t = f.split().test();
            assertEquals(100_000, f.split().train().size() + t.size());
            total += t.size();
            for (int r = 0; r < t.size(); r++) {
                union.add(t.users().id(t.user(r)) + "/" + t.items().id(t.item(r)));
            }
        }
        assertEquals(100_000, total);
        assertEquals(100_000, union.size());
    }

    static Path findShared(String name) {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared").resolve("data").resolve(name);
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
