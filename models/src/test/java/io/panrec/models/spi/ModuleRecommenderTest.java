package io.panrec.models.spi;

import io.panrec.models.data.Batches;
import io.panrec.models.data.Interactions;
import io.panrec.models.data.Split;
import io.panrec.models.data.Splits;
import io.panrec.models.data.Vocabulary;
import io.panrec.models.eval.RatingProtocol;
import io.panrec.models.eval.RecommenderScorer;
import io.panrec.nn.Embedding;
import io.panrec.nn.Module;
import io.panrec.optim.Adam;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract fits {@code io.panrec.nn.Module}: a model extends Module and implements Recommender, gets
 * {@code parameters()}, {@code isTraining()} and {@code stateDict()} from Module, trains on
 * {@link Batches} with a core optimizer, is evaluated through {@link RecommenderScorer}, and is restored
 * by the provider's default {@link ModelProvider#load} to identical scores.
 */
class ModuleRecommenderTest {
    /** Dot-product matrix factorisation for ratings: r(u, i) = p_u . q_i, trained with MSE. */
    static final class DotMF extends Module implements Recommender {
        private final Settings settings;
        private final DatasetSchema schema;
        private final Embedding users;
        private final Embedding items;

        DotMF(Settings settings, DatasetSchema schema) {
            this.settings = settings;
            this.schema = schema;
            SplittableRandom random = new SplittableRandom(settings.getLong("seed"));
            int d = settings.getInt("dim");
            this.users = registerModule("users", new Embedding(schema.numUsers(), d, random));
            this.items = registerModule("items", new Embedding(schema.numItems(), d, random));
        }

        @Override
        public Settings settings() {
            return settings;
        }

        @Override
        public DatasetSchema schema() {
            return schema;
        }

        @Override
        public Tensor calculateLoss(Batch batch) {
            return predict(batch).sub(batch.get(Batch.RATINGS)).pow(2).mean();
        }

        @Override
        public Tensor predict(Batch batch) {
            return users.forward(batch.get(Batch.USERS)).mul(items.forward(batch.get(Batch.ITEMS))).sum(1, false);
        }

        @Override
        public Tensor fullSortPredict(Tensor u) {
            return users.forward(u).matmul(items.weight().t());
        }

        @Override
        public void setTraining(boolean on) {
            train(on);
        }

        @Override
        public void loadState(Map<String, Tensor> state) {
            loadStateDict(state);
        }
    }

    static final class DotMFProvider implements ModelProvider {
        public String name() {
            return "DotMF";
        }

        public Family family() {
            return Family.GENERAL;
        }

        public String description() {
            return "dot-product matrix factorisation, for the contract test";
        }

        public List<Setting> defaults() {
            return List.of(Setting.of("dim", 4, "embedding width"), Setting.of("seed", 1L, "initialisation seed"));
        }

        public Recommender create(Settings s, DatasetSchema schema) {
            return new DotMF(s, schema);
        }
    }

    @Test
    void trainsEvaluatesAndReloads() {
        // ratings from a rank-2 structure: learnable by a 4-wide factorisation
        SplittableRandom r = new SplittableRandom(5);
        Vocabulary uv = new Vocabulary("users");
        Vocabulary iv = new Vocabulary("items");
        Interactions.Builder b = Interactions.builder(uv, iv, true, true);
        for (int u = 0; u < 30; u++) {
            for (int i = 0; i < 20; i++) {
                if (r.nextInt(3) == 0) {
                    double x = Math.sin(u) * Math.cos(i) + 0.5 * Math.cos(u * 0.7) * Math.sin(i * 1.3);
                    b.add("u" + u, "i" + i, (float) x, u * 100L + i);
                }
            }
        }
        Split split = Splits.ratio(b.build(), 0.1, 0, 3);
        ModelProvider provider = ModelRegistry.empty().register(new DotMFProvider()).get("dotmf");
        Settings settings = provider.defaultSettings();
        DatasetSchema schema = split.train().schema();
        Recommender model = provider.create(settings, schema);
        assertEquals(2, model.parameters().size());
        assertTrue(model.isTraining());
        Adam adam = new Adam(model.parameters(), 0.05);
        Batches batches = Batches.over(split.train()).batchSize(32).seed(9).build();
        double first = Double.NaN;
        double last = Double.NaN;
        for (int epoch = 0; epoch < 30; epoch++) {
            double sum = 0;
            int n = 0;
            Iterator<Batch> it = batches.epoch(epoch);
            while (it.hasNext()) {
                try (var _ = Scope.open("step")) {
                    Batch batch = it.next();
                    adam.zeroGrad();
                    Tensor loss = model.calculateLoss(batch);
                    loss.backward();
                    adam.step();
                    sum += loss.item();
                    n++;
                }
            }
            if (epoch == 0) {
                first = sum / n;
            }
            last = sum / n;
        }
        assertTrue(last < first * 0.3, "training loss " + first + " -> " + last);
        double rmse = new RatingProtocol(split.test()).evaluate(new RecommenderScorer(model)).metric("RMSE");
        assertTrue(Double.isFinite(rmse), "RMSE " + rmse);
        assertTrue(model.isTraining(), "the scorer restores training mode");

        Recommender loaded = provider.load(settings, schema, model.stateDict());
        assertFalse(loaded.isTraining());
        int[] someUsers = {0, 3, 7};
        try (var _ = Scope.open("compare")) {
            Tensor a = model.fullSortPredict(someUsers);
            Tensor c = loaded.fullSortPredict(someUsers);
            assertArrayEquals(new int[] {3, schema.numItems()}, a.shape());
            assertArrayEquals(a.toFloatArray(), c.toFloatArray());
        }
    }
}
