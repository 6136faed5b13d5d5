package io.panrec.models.general;

import io.panrec.models.data.Interactions;
import io.panrec.models.spi.Batch;
import io.panrec.models.spi.AbstractModelProvider;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.Family;
import io.panrec.models.spi.Setting;
import io.panrec.models.spi.Settings;
import io.panrec.models.train.DirectFit;
import io.panrec.models.train.TrainingPlan;
import io.panrec.models.train.TrainingSettings;
import io.panrec.tensor.DType;
import io.panrec.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Biased matrix factorisation for rating prediction: Y. Koren, R. Bell, C. Volinsky, "Matrix
 * factorization techniques for recommender systems", IEEE Computer 42(8), 2009, equations 4 and 5,
 * learnt by the paper's stochastic gradient descent (one rating at a time, as S. Funk's "Netflix update").
 *
 * <p>{@code r(u, i) = mu + b_u + b_i + p_u . q_i}, with {@code mu} the training mean rating, user and
 * item biases and {@code embeddingSize}-dimensional factors. Objective: {@code sum_(u,i) (r - r(u,i))^2
 * + lambda (|p_u|^2 + |q_i|^2) + lambda_b (b_u^2 + b_i^2)}. For each rating, in a shuffled order, with
 * {@code e = r - r(u,i)} and rate {@code gamma}: {@code b_u += gamma (e - lambda_b b_u)}, {@code b_i +=
 * gamma (e - lambda_b b_i)}, {@code p_u += gamma (e q_i - lambda p_u)}, {@code q_i += gamma (e p_u -
 * lambda q_i)} (both factor updates from the old values). The rate decays geometrically per epoch,
 * {@code gamma_t = learningRate * learningRateDecay^t}.
 *
 * <p>Fitted by {@link DirectFit} in plain Java rather than through autograd: the per-rating updates the
 * paper prescribes are far too small for tensor ops to pay off (an epoch of MovieLens-100K takes tens
 * of milliseconds), and mini-batches with a scaled rate reached a worse RMSE (0.911 against 0.905 on the
 * five official folds). The order of each epoch is drawn from {@code seed} and the epoch, so a run
 * resumed from a checkpoint does what an uninterrupted one does, and results do not depend on threads
 * (there is one). The epoch's "loss" is the objective above divided by the number of ratings, measured
 * during the epoch.
 *
 * <p>Predictions are clipped to the training data's rating range outside training ({@code clip}).
 *
 * <p>State: {@code userFactors} F32 [U, d], {@code itemFactors} F32 [N, d], {@code userBias} F32 [U, 1],
 * {@code itemBias} F32 [N, 1], {@code globalMean} F32 [1].
 *
 * <p>Defaults, chosen on validation only: each official base file u1..u5.base of MovieLens-100K with a
 * random tenth held out (the test files untouched), mean validation RMSE 0.9057 over the five: 200
 * factors initialised N(0, 0.01) (a small start acts as extra regularisation: N(0, 0.1) was 0.004 worse),
 * rate 0.02 decaying by 0.95 per epoch, lambda 0.07 on the factors and 0.01 on the biases, 60 epochs.
 * Trained on each full base file they reach a test RMSE of 0.9049 on the five official folds (mean;
 * u1 0.915, u2 0.906, u3 0.900, u4 0.902, u5 0.902), where mini-batch SGD at batch 64 reached 0.911.
 * An epoch of MovieLens-100K takes about 0.1 s on one core.
 */
public final class BiasedMF extends DirectFitModel {
    public static final String NAME = "BiasedMF";
    /** Key of the per-epoch decay factor of the learning rate. */
    public static final String LEARNING_RATE_DECAY = "learningRateDecay";

    private final int d;
    private final double learningRate;
    private final double decay;
    private final double lambda;
    private final double lambdaBias;
    private final boolean clip;
    private final int epochs;
    private final long seed;
    private float[] userFactors;   // [U * d]
    private float[] itemFactors;   // [N * d]
    private float[] userBias;      // [U]
    private float[] itemBias;      // [N]
    private float globalMean;

    BiasedMF(Settings settings, DatasetSchema schema) {
        super(NAME, settings, schema);
        Models.requireRatings(NAME, schema);
        this.d = Models.positive(settings, "embeddingSize");
        double std = Models.nonNegative(settings, "initStd");
        this.learningRate = Models.nonNegative(settings, TrainingSettings.LEARNING_RATE);
        this.decay = Models.nonNegative(settings, LEARNING_RATE_DECAY);
        if (learningRate <= 0 || decay <= 0 || decay > 1) {
            throw new IllegalArgumentException(NAME + ": learningRate must be > 0 and learningRateDecay in (0, 1], got "
                    + learningRate + " and " + decay);
        }
        this.lambda = Models.nonNegative(settings, "regularization");
        this.lambdaBias = Models.nonNegative(settings, "biasRegularization");
        this.clip = settings.getBoolean("clip");
        this.epochs = Models.positive(settings, TrainingSettings.EPOCHS);
        this.seed = settings.getLong(TrainingSettings.SEED);
        SplittableRandom random = new SplittableRandom(seed);
        this.userFactors = normal(Math.multiplyExact(schema.numUsers(), d), std, random);
        this.itemFactors = normal(Math.multiplyExact(schema.numItems(), d), std, random);
        this.userBias = new float[schema.numUsers()];
        this.itemBias = new float[schema.numItems()];
        // the midpoint of the scale until beforeTraining sets the training mean
        this.globalMean = (schema.minRating() + schema.maxRating()) / 2;
    }

    private static float[] normal(int n, double std, SplittableRandom random) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (random.nextGaussian() * std);
        }
        return a;
    }

    /** Registered in {@code META-INF/services}. */
    public static final class Provider extends AbstractModelProvider {
        public Provider() {
            super(NAME, Family.GENERAL, "rating prediction by biased matrix factorisation, mu + b_u + b_i + p_u.q_i, per-rating SGD "
                    + "(Koren, Bell, Volinsky 2009)", BiasedMF::new);
        }

        // chosen on held-out tenths of u1..u5.base of MovieLens-100K (class comment); the benchmark is in bench/README.md
        @Override
        public List<Setting> defaults() {
            List<Setting> s = new ArrayList<>();
            s.add(Setting.of("embeddingSize", DEFAULT_FACTORS, "number of latent factors of p_u and q_i"));
            s.add(Setting.of("initStd", DEFAULT_INIT_STD, "standard deviation of the normal initialisation of the factors (biases start at 0)"));
            s.add(Setting.of(TrainingSettings.LEARNING_RATE, DEFAULT_LEARNING_RATE, "gamma: SGD step per rating in the first epoch"));
            s.add(Setting.of(LEARNING_RATE_DECAY, DEFAULT_DECAY, "the learning rate is multiplied by this after every epoch (1: constant)"));
            s.add(Setting.of("regularization", DEFAULT_LAMBDA, "lambda: L2 penalty on the factors p_u, q_i, applied at each rating"));
            s.add(Setting.of("biasRegularization", DEFAULT_LAMBDA_BIAS, "L2 penalty on the biases b_u, b_i, applied at each rating "
                    + "(Koren et al. use one lambda for both)"));
            s.add(Setting.of("clip", true, "clip predictions to the training data's rating range outside training"));
            s.add(TrainingSettings.epochs(DEFAULT_EPOCHS));
            s.add(TrainingSettings.seed(2009));
            return s;
        }
    }

    static final int DEFAULT_FACTORS = 200;
    static final double DEFAULT_INIT_STD = 0.01;
    static final double DEFAULT_LEARNING_RATE = 0.02;
    static final double DEFAULT_DECAY = 0.95;
    static final double DEFAULT_LAMBDA = 0.07;
    static final double DEFAULT_LAMBDA_BIAS = 0.01;
    static final int DEFAULT_EPOCHS = 60;

    @Override
    public TrainingPlan trainingPlan() {
        return TrainingPlan.direct(epochs).withSeed(seed);
    }

    @Override
    public void beforeTraining(Interactions train) {
        globalMean = (float) train.meanRating();
    }

    @Override
    public double fitEpoch(Interactions train, int epoch) {
        if (!train.hasRatings()) {
            throw new IllegalArgumentException(NAME + " fits ratings but the training data has none");
        }
        int n = train.size();
        int[] users = train.userColumn();
        int[] items = train.itemColumn();
        float[] ratings = train.ratingColumn();
        int[] order = new int[n];
        for (int k = 0; k < n; k++) {
            order[k] = k;
        }
        // a fresh, reproducible permutation per epoch (Fisher-Yates)
        SplittableRandom random = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (epoch + 1)));
        for (int k = n - 1; k > 0; k--) {
            int j = random.nextInt(k + 1);
            int t = order[k];
            order[k] = order[j];
            order[j] = t;
        }
        float gamma = (float) (learningRate * Math.pow(decay, epoch));
        float lam = (float) lambda;
        float lamB = (float) lambdaBias;
        float[] p = userFactors;
        float[] q = itemFactors;
        float mu = globalMean;
        double objective = 0;
        for (int k = 0; k < n; k++) {
            int row = order[k];
            int u = users[row];
            int i = items[row];
            int pu = u * d;
            int qi = i * d;
            float dot = 0;
            for (int a = 0; a < d; a++) {
                dot += p[pu + a] * q[qi + a];
            }
            float e = ratings[row] - (mu + userBias[u] + itemBias[i] + dot);
            double reg = (double) userBias[u] * userBias[u] + (double) itemBias[i] * itemBias[i];
            double regF = 0;
            userBias[u] += gamma * (e - lamB * userBias[u]);
            itemBias[i] += gamma * (e - lamB * itemBias[i]);
            for (int a = 0; a < d; a++) {
                float pa = p[pu + a];
                float qa = q[qi + a];
                regF += pa * pa + qa * qa;
                p[pu + a] = pa + gamma * (e * qa - lam * pa);
                q[qi + a] = qa + gamma * (e * pa - lam * qa);
            }
            objective += (double) e * e + lamB * reg + lam * regF;
        }
        if (!Double.isFinite(objective)) {
            throw new IllegalStateException(NAME + " diverged in epoch " + (epoch + 1) + " (learning rate " + gamma
                    + "): lower learningRate");
        }
        return objective / n;
    }

    @Override
    public Tensor calculateLoss(Batch batch) {
        throw new UnsupportedOperationException(NAME + " is fitted by per-rating SGD (DirectFit.fitEpoch), not by the Trainer's "
                + "optimizers; it has no batch loss");
    }

    private float score(int u, int i) {
        float dot = 0;
        for (int a = 0; a < d; a++) {
            dot += userFactors[u * d + a] * itemFactors[i * d + a];
        }
        float r = globalMean + userBias[u] + itemBias[i] + dot;
        return clip && !isTraining() ? Math.clamp(r, schema.minRating(), schema.maxRating()) : r;
    }

    /** {@code users [B]}, {@code items [B]} -> {@code [B]} predicted ratings. */
    @Override
    public Tensor predict(Batch batch) {
        long[] u = Models.users(NAME, batch, schema);
        long[] it = Models.items(NAME, batch, schema);
        if (u.length != it.length) {
            throw new IllegalArgumentException(NAME + ".predict: " + u.length + " users but " + it.length + " items");
        }
        float[] out = new float[u.length];
        for (int b = 0; b < out.length; b++) {
            out[b] = score((int) u[b], (int) it[b]);
        }
        return Tensor.of(out, out.length);
    }

    /** {@code users [U]} -> {@code [U, N]} predicted ratings. */
    @Override
    public Tensor fullSortPredict(Tensor users) {
        long[] u = Models.fullSortUsers(NAME, users, schema);
        int n = schema.numItems();
        float[] out = new float[Math.multiplyExact(u.length, n)];
        for (int r = 0; r < u.length; r++) {
            for (int i = 0; i < n; i++) {
                out[r * n + i] = score((int) u[r], i);
            }
        }
        return Tensor.of(out, u.length, n);
    }

    @Override
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("userFactors", Tensor.of(userFactors.clone(), schema.numUsers(), d));
        m.put("itemFactors", Tensor.of(itemFactors.clone(), schema.numItems(), d));
        m.put("userBias", Tensor.of(userBias.clone(), schema.numUsers(), 1));
        m.put("itemBias", Tensor.of(itemBias.clone(), schema.numItems(), 1));
        m.put("globalMean", Tensor.of(new float[] {globalMean}, 1));
        return m;
    }

    @Override
    public void loadState(Map<String, Tensor> state) {
        Models.expectKeys(NAME, state, Set.of("userFactors", "itemFactors", "userBias", "itemBias", "globalMean"));
        float[] p = Models.expect(NAME, state, "userFactors", DType.F32, schema.numUsers(), d).toFloatArray();
        float[] q = Models.expect(NAME, state, "itemFactors", DType.F32, schema.numItems(), d).toFloatArray();
        float[] bu = Models.expect(NAME, state, "userBias", DType.F32, schema.numUsers(), 1).toFloatArray();
        float[] bi = Models.expect(NAME, state, "itemBias", DType.F32, schema.numItems(), 1).toFloatArray();
        float[] mu = Models.expect(NAME, state, "globalMean", DType.F32, 1).toFloatArray();
        for (float[] a : List.of(p, q, bu, bi, mu)) {
            for (float v : a) {
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException(NAME + ".loadState: the state holds " + v);
                }
            }
        }
        userFactors = p;
        itemFactors = q;
        userBias = bu;
        itemBias = bi;
        globalMean = mu[0];
    }
}
