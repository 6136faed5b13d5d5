package io.panrec.models.general;

import io.panrec.models.spi.Batch;
import io.panrec.models.spi.AbstractModelProvider;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.EmbeddingRecommender;
import io.panrec.models.spi.Family;
import io.panrec.models.spi.Setting;
import io.panrec.models.spi.Settings;
import io.panrec.models.train.TrainingPlan;
import io.panrec.models.train.TrainingSettings;
import io.panrec.nn.Embedding;
import io.panrec.nn.Init;
import io.panrec.ops.Linalg;
import io.panrec.ops.Losses;
import io.panrec.ops.Reductions;
import io.panrec.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Matrix factorisation trained with Bayesian personalised ranking: S. Rendle, C. Freudenthaler,
 * Z. Gantner, L. Schmidt-Thieme, "BPR: Bayesian personalized ranking from implicit feedback", UAI 2009.
 *
 * <p>{@code x(u, i) = p_u . q_i}. Loss per batch: the mean over (u, i, j) triples of
 * {@code -log sigmoid(x(u, i) - x(u, j))}, j a sampled item u has not interacted with, plus
 * {@code regularization * mean(|p_u|^2 + |q_i|^2 + mean_j |q_j|^2)} (the paper's per-triple L2 with
 * one lambda).
 *
 * <p>Reads {@code users [B]}, {@code items [B]} (positives) and {@code negatives [B, S]} (pairwise batches).
 *
 * <p>Defaults: 64 factors initialised N(0, 0.1), 4 negatives per positive (the paper samples 1), Adam with
 * learning rate 0.002 in batches of 1024, regularisation 0.003, up to 100 epochs with early stopping.
 * Rate and regularisation were chosen on the validation item of MovieLens-100K's leave-one-out split
 * (validation NDCG@10 against 99 sampled negatives): 0.001 and 1e-4 reached 0.394 (test HR@10 0.626),
 * 0.001 and 0.001 0.394, 0.005 and 0.001 0.392, 0.005 and 0.01 0.384, 0.002 and 0.003 0.396 (test
 * HR@10 0.634, NDCG@10 0.368, stopping after 30 epochs instead of 48). Then, at 0.002 and 0.003, four
 * negatives per positive (four triples) reached 0.408 (test HR@10 0.662, NDCG@10 0.382), and with
 * regularisation 0.01 0.403: one negative left the model 2 points of HR@10 above ItemKNN, four leave it 5.
 */
public final class BPRMF extends GradientModel implements EmbeddingRecommender {
    public static final String NAME = "BPRMF";

    private final Embedding userFactors;
    private final Embedding itemFactors;
    private final float regularization;

    BPRMF(Settings settings, DatasetSchema schema) {
        super(NAME, settings, schema);
        int d = Models.positive(settings, "embeddingSize");
        double std = Models.nonNegative(settings, "initStd");
        this.regularization = (float) Models.nonNegative(settings, "regularization");
        Models.positive(settings, TrainingSettings.NEGATIVES);
        SplittableRandom random = new SplittableRandom(settings.getLong(TrainingSettings.SEED));
        this.userFactors = registerModule("userFactors", new Embedding(schema.numUsers(), d, -1, true, random));
        this.itemFactors = registerModule("itemFactors", new Embedding(schema.numItems(), d, -1, true, random));
        Init.normal(userFactors.weight(), 0, std, random);
        Init.normal(itemFactors.weight(), 0, std, random);
    }

    /** Registered in {@code META-INF/services}. */
    public static final class Provider extends AbstractModelProvider {
        public Provider() {
            super(NAME, Family.GENERAL, "matrix factorisation trained with the BPR pairwise ranking loss (Rendle et al. 2009)",
                    BPRMF::new);
        }

        @Override
        public List<Setting> defaults() {
            List<Setting> s = new ArrayList<>();
            s.add(Setting.of("embeddingSize", 64, "number of latent factors of p_u and q_i"));
            s.add(Setting.of("initStd", 0.1, "standard deviation of the normal initialisation of the factors"));
            s.add(Setting.of("regularization", 0.003, "lambda: L2 penalty on the user, positive and negative item factors of each triple"));
            s.add(TrainingSettings.negatives(4, "four triples per positive; the paper samples one (validation NDCG@10 0.396 with one, "
                    + "0.408 with four, on MovieLens-100K)"));
            s.addAll(TrainingSettings.gradient(100, 1024, "adam", 0.002, 0.0));
            s.add(TrainingSettings.seed(2009));
            return s;
        }
    }

    @Override
    TrainingPlan.Sampling sampling() {
        return TrainingPlan.Sampling.PAIRWISE;
    }

    @Override
    public Tensor calculateLoss(Batch batch) {
        Tensor p = userFactors.forward(batch.get(Batch.USERS));          // [B, d]
        Tensor q = itemFactors.forward(batch.get(Batch.ITEMS));          // [B, d]
        Tensor qn = itemFactors.forward(batch.get(Batch.NEGATIVES));     // [B, S, d]
        Tensor pos = Linalg.rowDot(p, q);                                // [B]
        Tensor neg = Linalg.rowDot(p.unsqueeze(1), qn);                  // [B, S]
        Tensor loss = Losses.bpr(pos, neg);
        if (regularization > 0) {
            Tensor reg = Reductions.sum(p.mul(p), new int[] {1}, false).add(Reductions.sum(q.mul(q), new int[] {1}, false))
                    .add(Reductions.mean(Reductions.sum(qn.mul(qn), new int[] {2}, false), new int[] {1}, false));
            loss = loss.add(reg.mean().mul(regularization));
        }
        return loss;
    }

    /** {@code users [B]}, {@code items [B]} -> {@code [B]}: p_u . q_i. */
    @Override
    public Tensor predict(Batch batch) {
        return Linalg.rowDot(userFactors.forward(batch.get(Batch.USERS)), itemFactors.forward(batch.get(Batch.ITEMS)));
    }

    /** {@code users [U]} -> {@code [U, N]}: P_users Q^T. */
    @Override
    public Tensor fullSortPredict(Tensor users) {
        Models.fullSortUsers(NAME, users, schema);
        return userFactors.forward(users).matmul(itemFactors.weight().t());
    }

    @Override
    public int dimension() {
        return itemFactors.dim();
    }

    /** p_u. */
    @Override
    public float[] userVector(int user) {
        if (user < 0 || user >= schema.numUsers()) {
            throw new IllegalArgumentException(NAME + ".userVector: user " + user + " outside [0, " + schema.numUsers() + ")");
        }
        try (var _ = io.panrec.autograd.Autograd.noGrad()) {
            return userFactors.weight().slice(0, user, user + 1).contiguous().toFloatArray();
        }
    }

    /** Q [N, d], row-major. */
    @Override
    public float[] itemVectors() {
        try (var _ = io.panrec.autograd.Autograd.noGrad()) {
            return itemFactors.weight().contiguous().toFloatArray();
        }
    }
}
