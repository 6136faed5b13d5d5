package io.panrec.models.context;

import io.panrec.autograd.Autograd;
import io.panrec.backend.Backends;
import io.panrec.models.bundle.Bundle;
import io.panrec.models.eval.EvaluationResult;
import io.panrec.models.features.CtrData;
import io.panrec.models.features.CtrProtocol;
import io.panrec.models.features.CtrSplit;
import io.panrec.models.features.FeatureEncoder;
import io.panrec.models.features.RawCtrData;
import io.panrec.models.spi.Batch;
import io.panrec.models.spi.Family;
import io.panrec.models.spi.ModelProvider;
import io.panrec.models.spi.ModelRegistry;
import io.panrec.models.spi.Recommender;
import io.panrec.models.spi.Settings;
import io.panrec.models.train.Trainer;
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
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CTR models on rows with their own fields (numeric, hashed, vocabulary, bags), beside AllModelsTest's side-field data. */
class CtrModelsTest {
    static final long SEED = 5;

    @TempDir
    Path tmp;

    static Stream<Arguments> models() {
        return ModelRegistry.discover().providers().stream().filter(p -> p.family() == Family.CONTEXT_AWARE)
                .map(p -> Arguments.of(Named.of(p.name(), p)));
    }

    @Test
    void fmLinearTimeFormEqualsThePairwiseSum() {
        SplittableRandom r = new SplittableRandom(SEED);
        int b = 3;
        int f = 7;
        int k = 5;
        float[] e = new float[b * f * k];
        for (int i = 0; i < e.length; i++) {
            e[i] = (float) r.nextGaussian();
        }
        try (var _ = Scope.open("fm"); var _ = Backends.use("reference")) {
            float[] fast = FM.pairwise(Tensor.of(e, b, f, k)).toFloatArray();
            for (int row = 0; row < b; row++) {
                double direct = 0;
                for (int i = 0; i < f; i++) {
                    for (int j = i + 1; j < f; j++) {
                        for (int d = 0; d < k; d++) {
                            direct += (double) e[(row * f + i) * k + d] * e[(row * f + j) * k + d];
                        }
                    }
                }
                assertEquals(direct, fast[row], 1e-4 * (1 + Math.abs(direct)), "row " + row + " (seed " + SEED + ")");
            }
        }
    }

    @Test
    void aBagIsTheMeanOfItsIdsAndANumericFieldScalesItsFeature() {
        // LR over a numeric row field (feature 0) and a row bag of 5 tags (features 1..5): logit = b + w0 x + mean(w[tags])
        io.panrec.models.spi.DatasetSchema schema = io.panrec.models.spi.DatasetSchema.implicit(1, 1).withFeatures(List.of(
                io.panrec.models.spi.FeatureField.numeric("x"),
                io.panrec.models.spi.FeatureField.bag("tags", io.panrec.models.spi.FeatureField.Source.ROW, 5, 3)));
        ModelProvider p = ModelRegistry.discover().get("LR");
        Recommender lr = p.create(p.defaultSettings(), schema);
        float[] w = {0.5f, 1, 2, 4, 8, 16};
        try (var _ = Scope.open("w")) {
            lr.loadState(Map.of("weights.weight", Tensor.of(w, 6, 1), "bias", Tensor.of(new float[] {0.25f}, 1)));
        }
        lr.setTraining(false);
        try (var _ = Scope.open("bags"); var _ = Autograd.noGrad()) {
            // padding slots hold any valid id (here 5 = weight 16) and must not count
            Batch b = new Batch().put(Batch.FEATURES, Tensor.ofLongs(new long[] {0, 0, 0}, 3, 1))
                    .put(Batch.FEATURE_VALUES, Tensor.of(new float[] {2, 0, -1}, 3, 1))
                    .put(Batch.BAG_IDS, Tensor.ofLongs(new long[] {1, 2, 3, 4, 5, 5, 5, 5, 5}, 3, 1, 3))
                    .put(Batch.BAG_LENGTHS, Tensor.ofLongs(new long[] {3, 1, 0}, 3, 1));
            float[] got = lr.predict(b).toFloatArray();
            assertArrayEquals(new float[] {0.25f + 0.5f * 2 + (1 + 2 + 4) / 3f, 0.25f + 8, 0.25f - 0.5f}, got, 1e-5f);
            Batch outside = new Batch().put(Batch.FEATURES, Tensor.ofLongs(new long[] {0}, 1, 1))
                    .put(Batch.FEATURE_VALUES, Tensor.of(new float[] {1}, 1, 1))
                    .put(Batch.BAG_IDS, Tensor.ofLongs(new long[] {0, 1, 1}, 1, 1, 3)).put(Batch.BAG_LENGTHS, Tensor.ofLongs(new long[] {1}, 1, 1));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lr.predict(outside));
            assertTrue(e.getMessage().contains("'tags'"), e.getMessage());
        }
    }

    @Test
    void theRegistryHasTheCtrModels() {
        List<String> names = ModelRegistry.discover().providers().stream().filter(p -> p.family() == Family.CONTEXT_AWARE)
                .map(ModelProvider::name).toList();
        assertTrue(names.containsAll(List.of("LR", "FM", "WideDeep", "DeepFM", "DCNV2")), names.toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void trainsOnRowFieldsAndRoundTrips(ModelProvider provider) throws Exception {
        RawCtrData raw = ToyCtr.criteoLike(1000, SEED);
        CtrSplit split = CtrSplit.random(raw.size(), 0.1, 0.2, SEED);
        FeatureEncoder enc = FeatureEncoder.fit(raw, split.train());
        CtrData all = enc.encode(raw, null);
        CtrData train = all.select(split.train());
        CtrData test = all.select(split.test());
        Settings s = provider.defaultSettings().with("batchSize", 128).with("epochs", 3).with("learningRate", 0.01);
        if (s.has("embeddingSize")) {
            s = s.with("embeddingSize", 8);
        }
        if (s.has("layers")) {
            s = s.with("layers", List.of(16, 8));
        }
        Recommender model = provider.create(s, train.schema());
        CtrProtocol protocol = new CtrProtocol(test);
        EvaluationResult before = protocol.evaluate(model);
        TrainingResult r = Trainer.builder(model, train.interactions()).batches(train.batches(128, SEED)).output(null).build().fit();
        double first = r.history().getFirst().loss();
        double last = r.last().loss();
        assertTrue(last < first, provider.name() + " loss " + first + " -> " + last + " (seed " + SEED + ")");
        EvaluationResult after = protocol.evaluate(model);
        assertTrue(after.metric("AUC") > 0.7 && after.metric("AUC") > before.metric("AUC"),
                provider.name() + " test AUC " + before + " -> " + after + " (seed " + SEED + ")");
        assertTrue(after.metric("LogLoss") < before.metric("LogLoss") + 0.05, provider.name() + " " + before + " -> " + after);

        // rows without their fields cannot be scored, nor can all items be ranked
        try (var _ = Scope.open("pairs"); var _ = Autograd.noGrad()) {
            Batch pairs = new Batch().put(Batch.USERS, Tensor.ofLongs(new long[] {0, 0})).put(Batch.ITEMS, Tensor.ofLongs(new long[] {0, 0}));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.predict(pairs));
            assertTrue(e.getMessage().contains("features"), e.getMessage());
            assertThrows(UnsupportedOperationException.class, () -> model.fullSortPredict(new int[] {0}));
            Batch bad = test.batch(null, 0, 2);
            long[] ids = bad.get(Batch.FEATURES).toLongArray();
            ids[0] = all.layout().totalFeatures();
            bad.put(Batch.FEATURES, Tensor.ofLongs(ids, 2, ids.length / 2));
            assertThrows(IllegalArgumentException.class, () -> model.predict(bad));
        }

        // bundle: schema with features, the encoder beside it, identical scores
        Path dir = tmp.resolve(provider.name());
        Bundle.save(dir, model, train.users(), train.items(), Map.of("data", "toy"), enc::save);
        Bundle loaded = Bundle.load(dir, ModelRegistry.discover());
        assertEquals(model.schema(), loaded.model().schema());
        FeatureEncoder enc2 = FeatureEncoder.load(dir);
        CtrData test2 = enc2.encode(raw, loaded.model().schema()).select(split.test());
        try (var _ = Backends.use("reference")) {
            assertArrayEquals(new CtrProtocol(test).scores(model), new CtrProtocol(test2).scores(loaded.model()),
                    provider.name() + " scores after load");
        }
    }
}
