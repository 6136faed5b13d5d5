package io.panrec.lucene;

import io.panrec.models.spi.Batch;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.Recommender;
import io.panrec.models.spi.Setting;
import io.panrec.models.spi.Settings;
import io.panrec.nn.Embedding;
import io.panrec.nn.Module;
import io.panrec.tensor.Tensor;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongBinaryOperator;

/** Small recommenders for the Lucene tests: none of them depends on a trained bundle. */
final class TestModels {
    private TestModels() {
    }

    static Settings settings(String name) {
        return Settings.of(name, List.of(Setting.of("dim", 8, "width")));
    }

    /**
     * A fixed dot-product model over random embeddings, computed with panrec's tensor ops (gather, mul,
     * sum, matmul): what a trained MF does at inference, allocating in the caller's scope.
     */
    static final class DotModel extends Module implements Recommender {
        final Embedding users;
        final Embedding items;
        final float[][] userVectors;
        final float[][] itemVectors;
        private final DatasetSchema schema;

        DotModel(int numUsers, int numItems, int dim, long seed) {
            SplittableRandom r = new SplittableRandom(seed);
            userVectors = new float[numUsers][dim];
            itemVectors = new float[numItems][dim];
            float[] u = fill(userVectors, r);
            float[] i = fill(itemVectors, r);
            this.users = registerModule("users", Embedding.fromPretrained(Tensor.of(u, numUsers, dim), true, false));
            this.items = registerModule("items", Embedding.fromPretrained(Tensor.of(i, numItems, dim), true, false));
            this.schema = DatasetSchema.implicit(numUsers, numItems);
            train(false);
        }

        private static float[] fill(float[][] rows, SplittableRandom r) {
            int d = rows[0].length;
            float[] flat = new float[rows.length * d];
            for (int a = 0; a < rows.length; a++) {
                for (int b = 0; b < d; b++) {
                    rows[a][b] = (float) r.nextGaussian();
                    flat[a * d + b] = rows[a][b];
                }
            }
            return flat;
        }

        VectorModel vectors() {
            return VectorModel.ofTables(users.weight(), items.weight());
        }

        @Override
        public Settings settings() {
            return TestModels.settings("DotModel");
        }

        @Override
        public DatasetSchema schema() {
            return schema;
        }

        @Override
        public Tensor calculateLoss(Batch batch) {
            throw new UnsupportedOperationException("a fixed model");
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

    /**
     * A model computed in plain Java from a function of (user, item) -> score bits, so that tests can
     * compute the expected scores exactly. Counts its calls and the rows it was asked for.
     */
    static final class FunctionModel implements Recommender {
        private final DatasetSchema schema;
        private final LongBinaryOperator score; // returns Float.floatToRawIntBits of the score
        final AtomicInteger predictCalls = new AtomicInteger();
        final AtomicInteger predictRows = new AtomicInteger();
        private volatile boolean training;

        FunctionModel(int numUsers, int numItems, LongBinaryOperator scoreBits) {
            this.schema = DatasetSchema.implicit(numUsers, numItems);
            this.score = scoreBits;
        }

        static FunctionModel of(int numUsers, int numItems, ScoreFunction f) {
            return new FunctionModel(numUsers, numItems, (u, i) -> Float.floatToRawIntBits(f.score((int) u, (int) i)));
        }

        interface ScoreFunction {
            float score(int user, int item);
        }

        float scoreOf(int user, int item) {
            return Float.intBitsToFloat((int) score.applyAsLong(user, item));
        }

        @Override
        public Settings settings() {
            return TestModels.settings("FunctionModel");
        }

        @Override
        public DatasetSchema schema() {
            return schema;
        }

        @Override
        public Tensor calculateLoss(Batch batch) {
            throw new UnsupportedOperationException("a fixed model");
        }

        @Override
        public Tensor predict(Batch batch) {
            predictCalls.incrementAndGet();
            long[] u = batch.get(Batch.USERS).toLongArray();
            long[] it = batch.get(Batch.ITEMS).toLongArray();
            predictRows.addAndGet(u.length);
            float[] out = new float[u.length];
            for (int k = 0; k < u.length; k++) {
                if (u[k] < 0 || u[k] >= schema.numUsers() || it[k] < 0 || it[k] >= schema.numItems()) {
                    throw new IndexOutOfBoundsException("pair (" + u[k] + ", " + it[k] + ") outside the model");
                }
                out[k] = scoreOf((int) u[k], (int) it[k]);
            }
            return Tensor.of(out);
        }

        @Override
        public Tensor fullSortPredict(Tensor users) {
            long[] u = users.toLongArray();
            float[] out = new float[u.length * schema.numItems()];
            for (int r = 0; r < u.length; r++) {
                for (int i = 0; i < schema.numItems(); i++) {
                    out[r * schema.numItems() + i] = scoreOf((int) u[r], i);
                }
            }
            return Tensor.of(out, u.length, schema.numItems());
        }

        @Override
        public List<Tensor> parameters() {
            return List.of();
        }

        @Override
        public void setTraining(boolean on) {
            training = on;
        }

        @Override
        public boolean isTraining() {
            return training;
        }

        @Override
        public Map<String, Tensor> stateDict() {
            return Map.of();
        }

        @Override
        public void loadState(Map<String, Tensor> state) {
        }
    }
}
