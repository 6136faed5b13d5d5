package io.panrec.models.general;

import io.panrec.autograd.Autograd;
import io.panrec.backend.Backends;
import io.panrec.models.bundle.Bundle;
import io.panrec.models.data.Batches;
import io.panrec.models.data.Interactions;
import io.panrec.models.data.NegativeSampler;
import io.panrec.models.spi.Batch;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.Family;
import io.panrec.models.spi.ModelProvider;
import io.panrec.models.spi.ModelRegistry;
import io.panrec.models.spi.Recommender;
import io.panrec.models.spi.Setting;
import io.panrec.models.spi.Settings;
import io.panrec.models.train.DirectFit;
import io.panrec.models.train.Trainable;
import io.panrec.models.train.Trainer;
import io.panrec.models.train.TrainingPlan;
import io.panrec.models.train.TrainingResult;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every model the registry discovers through {@code META-INF/services} trains for a few steps on a toy
 * dataset: its loss falls (gradient models: on a fixed batch; direct fits: the objective over epochs,
 * where they have one), {@code predict} and {@code fullSortPredict} give finite scores of the documented
 * shapes, and a bundle round trip gives bit-identical scores.
 */
class AllModelsTest {
    static final long SEED = 11;
    static final Interactions DATA = ToyData.generate(40, 50, 12, SEED);

    @TempDir
    Path tmp;

    static Stream<Arguments> models() {
        return ModelRegistry.discover().providers().stream().map(p -> Arguments.of(Named.of(p.name(), p)));
    }

    @Test
    void theRegistryHasEveryGeneralModel() {
        ModelRegistry r = ModelRegistry.discover();
        assertTrue(r.problems().isEmpty(), r.problems().toString());
        List<String> general = r.providers().stream().filter(p -> p.family() == Family.GENERAL).map(ModelProvider::name).toList();
        assertTrue(general.containsAll(List.of("Pop", "ItemKNN", "UserKNN", "BiasedMF", "BPRMF", "iALS", "GMF", "MLP", "NeuMF",
                "ConvNCF", "IAutoRec", "UAutoRec")), general.toString());
        List<String> sequential = r.providers().stream().filter(p -> p.family() == Family.SEQUENTIAL).map(ModelProvider::name).toList();
        assertTrue(sequential.containsAll(List.of("GRU4Rec", "SASRec")), sequential.toString());
        for (ModelProvider p : r.providers()) {
            assertFalse(p.description().isBlank(), p.name());
            for (Setting s : p.defaults()) {
                assertFalse(s.explanation().isBlank(), p.name() + "." + s.key());
            }
        }
    }

    /** The defaults, made small and fast for the toy data where the model has the setting. */
    static Settings small(ModelProvider p) {
        Settings s = p.defaultSettings();
        Map<String, Object> overrides = Map.ofEntries(
                Map.entry("embeddingSize", 8), Map.entry("channels", 4), Map.entry("layers", List.of(16, 8, 4)),
                Map.entry("hiddenSize", 16), Map.entry("neighbours", 10), Map.entry("batchSize", 64),
                Map.entry("learningRate", 0.01), Map.entry("epochs", 3));
        for (Map.Entry<String, Object> e : overrides.entrySet()) {
            if (s.has(e.getKey())) {
                s = s.with(e.getKey(), e.getValue());
            }
        }
        return s;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void trainsPredictsAndRoundTrips(ModelProvider provider) throws Exception {
        String seedNote = " (toy data seed " + SEED + ")";
        Settings settings = small(provider);
        // CTR models get feature fields: user and item side fields, looked up from tables in the model's state
        DatasetSchema schema = provider.family() == Family.CONTEXT_AWARE
                ? io.panrec.models.context.ToyCtr.withSideFields(DATA.schema()) : DATA.schema();
        Recommender model = provider.create(settings, schema);
        if (provider.family() == Family.CONTEXT_AWARE) {
            io.panrec.models.context.ToyCtr.install(model);
        }
        assertEquals(settings, model.settings());
        assertEquals(schema, model.schema());
        assertTrue(model.isTraining(), "new models start in training mode");
        assertTrue(model instanceof Trainable, provider.name() + " should say how it is trained");
        TrainingPlan plan = ((Trainable) model).trainingPlan();

        if (model instanceof DirectFit) {
            assertTrue(model.parameters().isEmpty(), provider.name() + " fits itself and has no parameters");
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> model.calculateLoss(batchFor(model, plan, DATA)));
            assertTrue(e.getMessage().contains(provider.name()), e.getMessage());
            TrainingResult r = Trainer.builder(model, DATA).output(null).build().fit();
            assertEquals(plan.epochs(), r.epochs());
            double first = r.history().getFirst().loss();
            double last = r.last().loss();
            if (!Double.isNaN(first)) {
                assertTrue(last < first, provider.name() + " objective " + first + " -> " + last + seedNote);
            }
        } else {
            assertFalse(model.parameters().isEmpty());
            // what the trainer does first on a fresh run: models that keep training data (AutoRec) need it to have a loss
            ((Trainable) model).beforeTraining(DATA);
            Batch fixed;
            double before;
            try (var _ = Scope.open("before"); var _ = Autograd.noGrad()) {
                fixed = batchFor(model, plan, DATA);
                before = model.calculateLoss(fixed).item();
            }
            TrainingResult r = Trainer.builder(model, DATA).output(null).maxStepsPerEpoch(6).build().fit();
            assertEquals(plan.epochs(), r.epochs());
            assertFalse(model.isTraining(), "the trainer leaves the model in evaluation mode");
            double after;
            model.setTraining(true);
            try (var _ = Scope.open("after"); var _ = Autograd.noGrad()) {
                after = model.calculateLoss(batchFor(model, plan, DATA)).item();
            }
            model.setTraining(false);
            assertTrue(Double.isFinite(before) && after < before, provider.name() + " loss " + before + " -> " + after + seedNote);
        }

        // shapes and values of the scores
        long[] users = {0, 3, 3, 39, 17};
        long[] items = {0, 49, 7, 25, 3};
        float[] pairScores;
        float[] all;
        try (var _ = Scope.open("scores"); var _ = Autograd.noGrad()) {
            Batch pairs = new Batch().put(Batch.USERS, Tensor.ofLongs(users)).put(Batch.ITEMS, Tensor.ofLongs(items));
            Tensor p = model.predict(pairs);
            assertArrayEquals(new int[] {5}, p.shape(), provider.name() + ".predict");
            pairScores = p.toFloatArray();
            Tensor f = model.fullSortPredict(new int[] {0, 3, 39});
            assertArrayEquals(new int[] {3, schema.numItems()}, f.shape(), provider.name() + ".fullSortPredict");
            all = f.contiguous().toFloatArray();
            Tensor one = model.fullSortPredict(new int[] {17});
            assertArrayEquals(new int[] {1, schema.numItems()}, one.shape());
            float[] row17 = one.toFloatArray();
            // predict and fullSortPredict agree on the same pairs
            int[] rowOf = {0, 1, 1, 2};
            for (int k = 0; k < 4; k++) {
                assertEquals(all[rowOf[k] * schema.numItems() + (int) items[k]], pairScores[k], 1e-4f, provider.name() + " pair " + k);
            }
            assertEquals(row17[3], pairScores[4], 1e-4f);
            assertThrows(RuntimeException.class, () -> model.fullSortPredict(new int[] {schema.numUsers()}),
                    "a user index out of range is rejected");
        }
        for (float v : all) {
            assertTrue(Float.isFinite(v), provider.name() + " score " + v);
        }

        // a bundle reproduces the state bit for bit, and so the scores: compared under the scalar reference
        // backend, because the vector backend's lane reductions may round differently once the JIT compiles them
        Path dir = tmp.resolve(provider.name());
        Bundle.save(dir, model, DATA.users(), DATA.items(), Map.of("data", "toy"), null);
        Bundle loaded = Bundle.load(dir, ModelRegistry.discover());
        assertEquals(provider.name(), loaded.model().settings().owner());
        assertEquals(settings, loaded.model().settings());
        assertFalse(loaded.model().isTraining());
        Map<String, Tensor> before = model.stateDict();
        Map<String, Tensor> after = loaded.model().stateDict();
        assertEquals(before.keySet(), after.keySet());
        for (String key : before.keySet()) {
            assertEquals(before.get(key).dtype(), after.get(key).dtype(), key);
            assertArrayEquals(before.get(key).shape(), after.get(key).shape(), key);
            assertArrayEquals(before.get(key).contiguous().toDoubleArray(), after.get(key).contiguous().toDoubleArray(),
                    provider.name() + " " + key + " after load");
        }
        model.setTraining(true); // forget anything cached under the other backend (AutoRec's reconstructions)
        model.setTraining(false);
        try (var _ = Backends.use("reference"); var _ = Scope.open("reloaded"); var _ = Autograd.noGrad()) {
            Batch pairs = new Batch().put(Batch.USERS, Tensor.ofLongs(users)).put(Batch.ITEMS, Tensor.ofLongs(items));
            assertArrayEquals(model.predict(pairs).toFloatArray(), loaded.model().predict(pairs).toFloatArray(),
                    provider.name() + " predict after load");
            assertArrayEquals(model.fullSortPredict(new int[] {0, 3, 39}).contiguous().toFloatArray(),
                    loaded.model().fullSortPredict(new int[] {0, 3, 39}).contiguous().toFloatArray(),
                    provider.name() + " fullSortPredict after load");
        }
    }

    /** {@link #batchFor(TrainingPlan, Interactions)}, or the first batch a model makes itself (sequence models). */
    static Batch batchFor(Recommender model, TrainingPlan plan, Interactions data) {
        if (plan.sampling() == TrainingPlan.Sampling.MODEL) {
            return ((Trainable) model).batches(data, plan).epoch(0).next();
        }
        return batchFor(plan, data);
    }

    /** A deterministic batch of the kind the plan trains on (the first of epoch 0, up to 256 rows). */
    static Batch batchFor(TrainingPlan plan, Interactions data) {
        NegativeSampler sampler = NegativeSampler.uniform(data.byUser());
        Batches.Builder b = Batches.over(data).batchSize(256).seed(99);
        switch (plan.sampling()) {
            case PAIRWISE -> b.pairwise(sampler, Math.max(1, plan.negatives()));
            case POINTWISE -> b.pointwise(sampler, Math.max(1, plan.negatives()));
            case BY_ITEM, BY_USER -> {
                int n = plan.sampling() == TrainingPlan.Sampling.BY_ITEM ? data.numItems() : data.numUsers();
                List<Long> ids = new ArrayList<>();
                int[] counts = plan.sampling() == TrainingPlan.Sampling.BY_ITEM ? data.itemCounts() : data.userCounts();
                for (int e = 0; e < n; e++) {
                    if (counts[e] > 0) {
                        ids.add((long) e);
                    }
                }
                long[] a = ids.stream().mapToLong(Long::longValue).toArray();
                return new Batch().put(plan.sampling() == TrainingPlan.Sampling.BY_ITEM ? Batch.ITEMS : Batch.USERS, Tensor.ofLongs(a));
            }
            default -> b.plain();
        }
        return b.build().epoch(0).next();
    }
}
