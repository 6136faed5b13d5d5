package org.example.recency;

import io.panrec.host.PluginHost;
import io.panrec.lucene.CatalogIndexer;
import io.panrec.lucene.CatalogItem;
import io.panrec.lucene.CatalogQueries;
import io.panrec.lucene.Combination;
import io.panrec.lucene.RerankModel;
import io.panrec.lucene.UserContext;
import io.panrec.models.data.Interactions;
import io.panrec.models.data.Vocabulary;
import io.panrec.models.spi.ModelProvider;
import io.panrec.models.spi.Recommender;
import io.panrec.models.spi.Settings;
import io.panrec.tensor.Scope;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The plugin as a user meets it: its jar is dropped into an empty plugins folder, a host finds the
 * model, trains it on interactions with timestamps and reranks Lucene hits with it. The test never
 * names the plugin's classes: they are not on its classpath (see the pom), only in the jar.
 */
class RecentPopularityPluginTest {
    private static final long DAY = 86_400;
    private static final int ITEMS = 40;

    @TempDir
    Path tmp;

    @Test
    void dropsIntoAHostTrainsAndReranks() throws Exception {
        Path plugins = Files.createDirectory(tmp.resolve("plugins"));
        Path jar = packageJar(plugins.resolve("panrec-example-plugin.jar"));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.example.recency.RecentPopularity"),
                "the plugin must be reachable through the host only");

        try (PluginHost host = PluginHost.load(plugins)) {
            assertEquals(List.of(), host.problems(), "problems");
            assertEquals(List.of(), host.conflicts());
            ModelProvider provider = host.models().get("recentpop");
            assertEquals(jar, host.jarOf(provider));
            assertNotSame(getClass().getClassLoader(), provider.getClass().getClassLoader());

            // interactions: items 0-9 were popular long ago, items 10-19 are recent hits, the rest are rare
            Vocabulary users = new Vocabulary("users");
            Vocabulary items = new Vocabulary("items");
            for (int i = 0; i < ITEMS; i++) {
                items.add("m" + i);
            }
            Interactions.Builder b = Interactions.builder(users, items, false, true);
            SplittableRandom r = new SplittableRandom(11);
            for (int i = 0; i < ITEMS; i++) {
                int n = i < 10 ? 30 : i < 20 ? 4 + (i - 10) : 1 + r.nextInt(2);
                for (int k = 0; k < n; k++) {
                    long day = i < 10 ? r.nextInt(60) : i < 20 ? 170 + r.nextInt(11) : r.nextInt(181);
                    b.add("u" + r.nextInt(25), "m" + i, 1f, day * DAY + r.nextInt((int) DAY));
                }
            }
            b.add("u0", "m0", 1f, 180 * DAY + DAY - 1); // fixes the latest timestamp
            Interactions train = b.build();

            Settings settings = provider.defaultSettings().with("halfLife", 10.0 * DAY);
            Recommender model = provider.create(settings, train.schema());
            assertThrows(UnsupportedOperationException.class, () -> model.calculateLoss(null), "fitted, not trained by gradients");
            // Training: the model is fitted in one pass, as a trainer does for models without gradients
            // (by the method's name here: the trainer's interface for such models is not in the API yet).
            Method fit = model.getClass().getMethod("fitEpoch", Interactions.class, int.class);
            fit.invoke(model, train, 0);
            model.setTraining(false);

            double[] expected = decayedCounts(train, 10.0 * DAY);
            float[] all;
            try (var _ = Scope.open("scores")) {
                all = model.fullSortPredict(new int[] {0}).toFloatArray();
            }
            for (int i = 0; i < ITEMS; i++) {
                assertEquals(expected[i], all[i], 1e-4 * Math.max(1, expected[i]), "item m" + i);
            }

            // a catalogue in Lucene, a text query, reranked by the plugin's model
            try (ByteBuffersDirectory dir = new ByteBuffersDirectory()) {
                try (CatalogIndexer ix = CatalogIndexer.create(dir)) {
                    for (int i = 0; i < ITEMS; i++) {
                        ix.add(CatalogItem.of("m" + i, "film number " + i + (i % 3 == 0 ? " about the sea" : ""), List.of(i % 2 == 0 ? "Drama" : "Comedy")));
                    }
                }
                try (DirectoryReader reader = DirectoryReader.open(dir)) {
                    IndexSearcher searcher = new IndexSearcher(reader);
                    TopDocs bm25 = searcher.search(CatalogQueries.text("film sea"), ITEMS);
                    assertEquals(ITEMS, bm25.scoreDocs.length);
                    RerankModel reranker = RerankModel.builder(model, items).users(users).combination(Combination.replace()).build();
                    TopDocs top = reranker.rescorer(UserContext.user("u3")).rescore(searcher, bm25, 10);

                    List<Integer> want = new ArrayList<>();
                    for (int i = 0; i < ITEMS; i++) {
                        want.add(i);
                    }
                    want.sort(Comparator.comparingDouble((Integer i) -> -expected[i]));
                    List<Integer> got = new ArrayList<>();
                    for (ScoreDoc sd : top.scoreDocs) {
                        got.add(Integer.parseInt(searcher.storedFields().document(sd.doc).get(CatalogIndexer.ID).substring(1)));
                    }
                    assertEquals(want.subList(0, 10), got, "the ten items with the largest decayed counts, best first");
                    assertTrue(got.stream().allMatch(i -> i >= 10 && i < 20), "recent hits beat old favourites: " + got);

                    // the BM25 order was different: reranking did something
                    List<Integer> firstPass = new ArrayList<>();
                    for (int k = 0; k < 10; k++) {
                        firstPass.add(Integer.parseInt(searcher.storedFields().document(bm25.scoreDocs[k].doc).get(CatalogIndexer.ID).substring(1)));
                    }
                    assertFalse(firstPass.equals(got));
                }
            }

            // the trained state reloads to the same scores
            Recommender loaded = provider.load(settings, train.schema(), model.stateDict());
            try (var _ = Scope.open("reload")) {
                assertArrayEquals(all, loaded.fullSortPredict(new int[] {5}).toFloatArray());
            }
        }
    }

    private static double[] decayedCounts(Interactions train, double halfLife) {
        long latest = 0;
        for (int r = 0; r < train.size(); r++) {
            latest = Math.max(latest, train.timestamp(r));
        }
        double[] s = new double[train.numItems()];
        for (int r = 0; r < train.size(); r++) {
            s[train.item(r)] += Math.pow(0.5, (latest - train.timestamp(r)) / halfLife);
        }
        return s;
    }

    /** What {@code mvn package} makes of this module: its compiled classes and resources in a jar. */
    private static Path packageJar(Path jar) throws IOException {
        Path classes = Path.of("target", "classes");
        assertTrue(Files.isRegularFile(classes.resolve("META-INF/services/io.panrec.models.spi.ModelProvider")),
                "no compiled plugin in " + classes.toAbsolutePath() + ": run this test through Maven (./mvnw -pl example-plugin -am test)");
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_TITLE, "panrec example plugin");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), mf); Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                out.write(Files.readAllBytes(f));
                out.closeEntry();
            }
        }
        return jar;
    }
}
