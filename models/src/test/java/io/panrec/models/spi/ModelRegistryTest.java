package io.panrec.models.spi;

import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelRegistryTest {
    @TempDir
    Path dir;

    /** A provider whose models hold one fixed score per item, enough to exercise create and load. */
    public static class Alpha implements ModelProvider {
        @Override
        public String name() {
            return "Alpha";
        }

        @Override
        public Family family() {
            return Family.GENERAL;
        }

        @Override
        public String description() {
            return "test model";
        }

        @Override
        public List<Setting> defaults() {
            return List.of(Setting.of("bias", 0.5, "added to every score"));
        }

        @Override
        public Recommender create(Settings settings, DatasetSchema schema) {
            if (!settings.owner().equals(name())) {
                throw new IllegalArgumentException("settings of " + settings.owner());
            }
            return new ItemScores(settings, schema);
        }
    }

    /** Same name in another case: a duplicate. */
    public static class AlphaTwin extends Alpha {
        @Override
        public String name() {
            return "ALPHA";
        }
    }

    public static class Beta extends Alpha {
        @Override
        public String name() {
            return "Beta";
        }

        @Override
        public Family family() {
            return Family.CONTEXT_AWARE;
        }
    }

    public static class Broken extends Alpha {
        public Broken() {
            throw new IllegalStateException("missing native library");
        }
    }

    static final class ItemScores implements Recommender {
        final Settings settings;
        final DatasetSchema schema;
        final float[] scores;
        boolean training = true;

        ItemScores(Settings settings, DatasetSchema schema) {
            this.settings = settings;
            this.schema = schema;
            this.scores = new float[schema.numItems()];
        }

        public Settings settings() {
            return settings;
        }

        public DatasetSchema schema() {
            return schema;
        }

        public Tensor calculateLoss(Batch batch) {
            throw new UnsupportedOperationException();
        }

        public Tensor predict(Batch batch) {
            long[] items = batch.get(Batch.ITEMS).toLongArray();
            float[] out = new float[items.length];
            for (int k = 0; k < items.length; k++) {
                out[k] = scores[(int) items[k]] + (float) settings.getDouble("bias");
            }
            return Tensor.of(out);
        }

        public Tensor fullSortPredict(Tensor users) {
            throw new UnsupportedOperationException();
        }

        public List<Tensor> parameters() {
            return List.of();
        }

        public void setTraining(boolean on) {
            training = on;
        }

        public boolean isTraining() {
            return training;
        }

        public Map<String, Tensor> stateDict() {
            return Map.of("scores", Tensor.of(scores.clone()));
        }

        public void loadState(Map<String, Tensor> state) {
            Tensor t = state.get("scores");
            if (t == null || state.size() != 1 || t.numel() != scores.length) {
                throw new IllegalArgumentException("expected only 'scores' [" + scores.length + "], got " + state.keySet());
            }
            System.arraycopy(t.toFloatArray(), 0, scores, 0, scores.length);
        }
    }

    private ClassLoader loaderWith(Class<?>... providers) throws Exception {
        Path services = dir.resolve("META-INF/services");
        Files.createDirectories(services);
        StringBuilder sb = new StringBuilder("# test providers\n");
        for (Class<?> c : providers) {
            sb.append(c.getName()).append('\n');
        }
        Files.writeString(services.resolve(ModelProvider.class.getName()), sb.toString());
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader());
    }

    @Test
    void registersAndFindsIgnoringCase() {
        ModelRegistry r = ModelRegistry.empty().register(new Beta()).register(new Alpha());
        assertEquals(List.of("Alpha", "Beta"), r.names());
        assertEquals("Alpha", r.get("alpha").name());
        assertEquals("Beta", r.get("BETA").name());
        assertTrue(r.find("gamma").isEmpty());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.get("NeuMF"));
        assertEquals("unknown model 'NeuMF'; known models: Alpha, Beta", e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ModelRegistry.empty().get("x")).getMessage().contains("none registered"));
        assertEquals(List.of(Family.GENERAL, Family.CONTEXT_AWARE), r.providers().stream().map(ModelProvider::family).toList());
    }

    @Test
    void duplicateNamesNameBothClasses() {
        ModelRegistry r = ModelRegistry.empty().register(new Alpha());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> r.register(new AlphaTwin()));
        assertTrue(e.getMessage().contains(Alpha.class.getName()) && e.getMessage().contains(AlphaTwin.class.getName()), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ModelRegistry.empty().register(new Alpha() {
            @Override
            public String name() {
                return "has space";
            }
        }));
    }

    @Test
    void discoversThroughServiceLoaderAndReportsBrokenProviders() throws Exception {
        ModelRegistry r = ModelRegistry.discover(loaderWith(Alpha.class, Broken.class, Beta.class));
        assertTrue(r.names().containsAll(List.of("Alpha", "Beta")), r.names().toString());
        assertEquals(1, r.problems().size());
        assertTrue(r.problems().getFirst().contains(Broken.class.getName()), r.problems().toString());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> r.get("Broken")).getMessage().contains("failed to load"));
    }

    @Test
    void discoveryRejectsDuplicates() throws Exception {
        ClassLoader cl = loaderWith(Alpha.class, AlphaTwin.class);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ModelRegistry.discover(cl));
        assertTrue(e.getMessage().contains("AlphaTwin"), e.getMessage());
    }

    @Test
    void createAndLoadThroughTheProvider() {
        ModelProvider p = ModelRegistry.empty().register(new Alpha()).get("alpha");
        Settings s = p.defaultSettings().withText("bias", "1.5");
        Recommender trained = p.create(s, DatasetSchema.implicit(2, 3));
        ((ItemScores) trained).scores[2] = 7;
        Recommender loaded = p.load(s, trained.schema(), trained.stateDict());
        assertEquals(false, loaded.isTraining());
        assertSame(s, loaded.settings());
        Batch b = new Batch().put(Batch.USERS, Tensor.ofLongs(new long[] {0, 1})).put(Batch.ITEMS, Tensor.ofLongs(new long[] {2, 0}));
        assertEquals(List.of(8.5f, 1.5f), List.of(loaded.predict(b).toFloatArray()[0], loaded.predict(b).toFloatArray()[1]));
        assertThrows(IllegalArgumentException.class, () -> p.load(s, trained.schema(), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> p.create(Settings.of("Other", List.of()), trained.schema()));
    }
}
