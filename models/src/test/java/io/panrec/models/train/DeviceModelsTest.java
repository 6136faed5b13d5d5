package io.panrec.models.train;

import io.panrec.backend.Backends;
import io.panrec.models.context.ToyCtr;
import io.panrec.models.data.Interactions;
import io.panrec.models.data.ItemCatalog;
import io.panrec.models.features.CtrData;
import io.panrec.models.features.FeatureEncoder;
import io.panrec.models.features.RawCtrData;
import io.panrec.models.general.ToyData;
import io.panrec.models.spi.Batch;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.Family;
import io.panrec.models.spi.ModelProvider;
import io.panrec.models.spi.ModelRegistry;
import io.panrec.models.spi.Recommender;
import io.panrec.models.spi.Settings;
import io.panrec.models.spi.UsesItemCatalog;
import io.panrec.tensor.Device;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import io.panrec.testing.EmulatedDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every gradient-trained model that trains on a device ({@link Trainer#moveTo}) does so to the host's losses and
 * weights: a few steps on core's {@link EmulatedDevice} (host memory flagged as a GPU's, reference kernels, host
 * tensors refused by every kernel) against the same steps on the host. Plain SGD, so that the host's row-sparse
 * embedding updates equal the device's dense ones exactly. The models cite their papers in their own headers.
 */
class DeviceModelsTest {
    static final Interactions DATA = ToyData.generate(30, 40, 10, 5);
    static final Device DEV = EmulatedDevice.DEVICE;

    static Settings small(String name) {
        ModelProvider p = ModelRegistry.discover().get(name);
        Settings s = p.defaultSettings();
        Map<String, Object> overrides = Map.ofEntries(
                Map.entry("embeddingSize", 8), Map.entry("layers", List.of(16, 8)), Map.entry("hiddenSize", 16),
                Map.entry("batchSize", 32), Map.entry("epochs", 2), Map.entry("optimizer", "sgd"), Map.entry("learningRate", 0.05),
                Map.entry("pretrainEpochs", 1), Map.entry("channels", 4));
        for (Map.Entry<String, Object> e : overrides.entrySet()) {
            if (s.has(e.getKey())) {
                s = s.with(e.getKey(), e.getValue());
            }
        }
        return s;
    }

    /** A fresh model of {@code name} on the toy interactions (CTR models with toy user and item fields). */
    static Recommender create(String name) {
        ModelProvider p = ModelRegistry.discover().get(name);
        boolean ctr = p.family() == Family.CONTEXT_AWARE;
        DatasetSchema schema = ctr ? ToyCtr.withSideFields(DATA.schema()) : DATA.schema();
        Recommender m = p.create(small(name), schema);
        return ctr ? ToyCtr.install(m) : m;
    }

    /** Trains {@code host} on the host and {@code dev} on the emulated device, 3 steps an epoch; same losses and weights. */
    static void sameRun(String name, Recommender host, Recommender dev, Function<Trainer.Builder, Trainer.Builder> options) {
        EmulatedDevice emu = EmulatedDevice.install();
        Trainer.moveTo(dev, DEV);
        assertEquals(DEV, Trainer.device(dev), name);
        TrainingResult rh;
        TrainingResult rd;
        long kernels = emu.kernelCalls();
        try (var _ = Backends.use("reference")) {
            rh = options.apply(Trainer.builder(host, DATA)).output(null).maxStepsPerEpoch(3).build().fit();
            rd = options.apply(Trainer.builder(dev, DATA)).output(null).maxStepsPerEpoch(3).build().fit();
        }
        assertTrue(emu.kernelCalls() > kernels, name + ": nothing ran on the device");
        assertEquals(rh.epochs(), rd.epochs(), name);
        for (int e = 0; e < rh.epochs(); e++) {
            assertEquals(rh.history().get(e).loss(), rd.history().get(e).loss(), 1e-5, name + " epoch " + (e + 1) + " loss");
        }
        Trainer.moveTo(dev, Device.CPU);
        assertEquals(Device.CPU, Trainer.device(dev), name);
        Map<String, Tensor> hs = host.stateDict();
        Map<String, Tensor> ds = dev.stateDict();
        assertEquals(hs.keySet(), ds.keySet(), name);
        for (var e : hs.entrySet()) {
            if (e.getValue().dtype().isFloating()) {
                assertArrayEquals(e.getValue().toFloatArray(), ds.get(e.getKey()).toFloatArray(), 1e-5f, name + " " + e.getKey());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"BPRMF", "GMF", "MLP", "NeuMF", "ConvNCF", "LR", "FM", "WideDeep", "DeepFM", "DCNV2", "SASRec", "GRU4Rec", "IAutoRec",
            "UAutoRec"})
    void trainsOnTheDeviceToTheHostLosses(String name) {
        sameRun(name, create(name), create(name), b -> b);
    }

    /** GRU4Rec's other losses (TOP1, BPR over the in-batch candidates; the default is BPR-max with sampled negatives). */
    @ParameterizedTest(name = "GRU4Rec loss={0}")
    @ValueSource(strings = {"top1", "bpr"})
    void gru4recLossesTrainOnTheDevice(String loss) {
        Function<String, Recommender> make = n -> ModelRegistry.discover().get(n).create(small(n).with("loss", loss), DATA.schema());
        sameRun("GRU4Rec " + loss, make.apply("GRU4Rec"), make.apply("GRU4Rec"), b -> b);
    }

    /** Every item but multiples of 5 gets one or two of four genres, so the genre paths of the behaviour models run. */
    static ItemCatalog genres(Interactions data) {
        ItemCatalog.Builder c = ItemCatalog.builder(data.items());
        String[] names = {"Comedy", "Drama", "Action", "Horror"};
        for (int i = 0; i < data.numItems(); i++) {
            List<String> g = i % 5 == 0 ? List.of() : i % 2 == 0 ? List.of(names[i % 4], names[(i + 1) % 4]) : List.of(names[i % 4]);
            c.put(data.items().id(i), "item " + i, g);
        }
        return c.build();
    }

    /** The behaviour models (TwoTower, YouTubeDNN, DIN), which hold their network, with a genre catalog, in several variants. */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = ';', value = {
            "TwoTower;", "TwoTower;itemCnn=true,pooling=max", "TwoTower;pooling=lp,normalize=false",
            "YouTubeDNN;", "YouTubeDNN;pooling=max", "YouTubeDNN;pooling=lp",
            "DIN;", "DIN;activation=prelu,attentionNormalization=none"})
    void behaviourModelsTrainOnTheDevice(String name, String options) {
        Function<String, Recommender> make = n -> {
            Settings s = small(n).with("historyLength", 6).with("genreVocabulary", 6);
            if (options != null) {
                s = s.withAssignments(List.of(options.split(",")));
            }
            Recommender m = ModelRegistry.discover().get(n).create(s, DATA.schema());
            ((UsesItemCatalog) m).useItemCatalog(genres(DATA));
            return m;
        };
        sameRun(name + " " + options, make.apply(name), make.apply(name), b -> b);
    }

    /** The CTR models on rows with their own fields (numeric, hashed, a bag) read from the batch, as Criteo's. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"LR", "FM", "WideDeep", "DeepFM", "DCNV2"})
    void ctrModelsTrainOnRowFieldsOnTheDevice(String name) {
        RawCtrData raw = ToyCtr.criteoLike(300, 5);
        int[] rows = IntStream.range(0, raw.size()).toArray();
        CtrData data = FeatureEncoder.fit(raw, rows).encode(raw, null);
        ModelProvider p = ModelRegistry.discover().get(name);
        Recommender host = p.create(small(name), data.schema());
        Recommender dev = p.create(small(name), data.schema());
        EmulatedDevice emu = EmulatedDevice.install();
        Trainer.moveTo(dev, DEV);
        TrainingResult rh;
        TrainingResult rd;
        long kernels = emu.kernelCalls();
        try (var _ = Backends.use("reference")) {
            rh = Trainer.builder(host, data.interactions()).batches(data.batches(64, 5)).output(null).maxStepsPerEpoch(3).build().fit();
            rd = Trainer.builder(dev, data.interactions()).batches(data.batches(64, 5)).output(null).maxStepsPerEpoch(3).build().fit();
        }
        assertTrue(emu.kernelCalls() > kernels, name + ": nothing ran on the device");
        for (int e = 0; e < rh.epochs(); e++) {
            assertEquals(rh.history().get(e).loss(), rd.history().get(e).loss(), 1e-5, name + " epoch " + (e + 1) + " loss");
        }
    }

    /**
     * A model that holds its network checkpoints from the device and resumes there: the network's weights load into
     * the device parameters, the users' histories (host state) come back from the checkpoint.
     */
    @Test
    void aNetworkHolderResumesOnTheDevice(@TempDir Path tmp) {
        EmulatedDevice.install();
        Function<Integer, Recommender> make = epochs -> {
            Recommender m = ModelRegistry.discover().get("TwoTower").create(small("TwoTower").with("historyLength", 6)
                    .with("genreVocabulary", 6).with("epochs", epochs), DATA.schema());
            ((UsesItemCatalog) m).useItemCatalog(genres(DATA));
            return Trainer.moveTo(m, DEV);
        };
        TrainingResult full = Trainer.builder(make.apply(2), DATA).output(null).maxStepsPerEpoch(3).build().fit();
        Trainer.builder(make.apply(1), DATA).output(null).maxStepsPerEpoch(3).checkpoints(tmp.resolve("ck")).build().fit();
        Recommender resumed = make.apply(2);
        TrainingResult r = Trainer.builder(resumed, DATA).output(null).maxStepsPerEpoch(3).checkpoints(tmp.resolve("ck"))
                .resume(true).build().fit();
        assertEquals(1, r.resumedFrom());
        assertEquals(DEV, Trainer.device(resumed));
        assertEquals(full.last().loss(), r.last().loss(), 1e-5, "a resumed device run continues where it stopped");
    }

    /** The device a model sends its ids to follows its moves (ParameterDevice caches it per state version). */
    @Test
    void theIdsFollowTheModelBackToTheHost() {
        EmulatedDevice.install();
        Recommender lr = create("LR");
        lr.setTraining(false);
        try (var _ = Scope.open("pairs"); var _ = io.panrec.autograd.Autograd.noGrad(); var _ = Backends.use("reference")) {
            Batch pairs = new Batch().put(Batch.USERS, Tensor.ofLongs(new long[] {0, 1, 2})).put(Batch.ITEMS, Tensor.ofLongs(new long[] {3, 4, 5}));
            float[] host = lr.predict(pairs).toFloatArray();
            Trainer.moveTo(lr, DEV);
            Tensor there = lr.predict(pairs);
            assertEquals(DEV, there.device(), "the ids went to the device of the tables");
            assertArrayEquals(host, there.to(Device.CPU).toFloatArray(), 1e-6f);
            Trainer.moveTo(lr, Device.CPU);
            assertArrayEquals(host, lr.predict(pairs).toFloatArray(), 1e-6f, "and came back with the model");
        }
    }

    @Test
    void fieldsTheModelReadsInJavaStayOnTheHost() {
        EmulatedDevice.install();
        try (var _ = Scope.open("fields")) {
            Batch b = new Batch().put(Batch.USERS, Tensor.ofLongs(new long[] {0, 1})).put(Batch.LABELS, Tensor.of(new float[] {1, 0}, 2));
            Batch d = Trainer.toDevice(b, DEV, Set.of(Batch.USERS, Batch.ITEMS));
            assertEquals(Device.CPU, d.get(Batch.USERS).device());
            assertEquals(DEV, d.get(Batch.LABELS).device());
            assertEquals(DEV, Trainer.toDevice(b, DEV, Set.of()).get(Batch.USERS).device(), "by default every field moves");
            assertSame(b, Trainer.toDevice(b, Device.CPU, Set.of(Batch.USERS)), "no copy on the host");
        }
        // the CTR models read every input field in Java; only the labels meet the logits on the device
        assertTrue(((Trainable) create("DeepFM")).hostBatchFields().containsAll(Set.of(Batch.USERS, Batch.ITEMS, Batch.FEATURES)));
        assertFalse(((Trainable) create("DeepFM")).hostBatchFields().contains(Batch.LABELS));
    }

    @Test
    void aModelThatCannotMoveSaysSo() {
        Recommender counting = ModelRegistry.discover().get("Pop").create(ModelRegistry.discover().get("Pop").defaultSettings(),
                DATA.schema());
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> Trainer.moveTo(counting, DEV));
        assertTrue(e.getMessage().contains("Pop") && e.getMessage().contains("host"), e.getMessage());
    }
}
