package io.panrec.models.general;

import io.panrec.models.data.Interactions;
import io.panrec.models.spi.Batch;
import io.panrec.models.spi.AbstractModelProvider;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.Family;
import io.panrec.models.spi.Setting;
import io.panrec.models.spi.Settings;
import io.panrec.models.train.Trainer;
import io.panrec.models.train.TrainingPlan;
import io.panrec.models.train.TrainingSettings;
import io.panrec.nn.Conv2d;
import io.panrec.nn.Embedding;
import io.panrec.nn.Init;
import io.panrec.nn.Linear;
import io.panrec.nn.ModuleList;
import io.panrec.ops.Losses;
import io.panrec.ops.Reductions;
import io.panrec.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Outer-product-based neural collaborative filtering: X. He, X. Du, X. Wang, F. Tian, J. Tang, T.-S. Chua,
 * "Outer Product-based Neural Collaborative Filtering", IJCAI 2018.
 *
 * <p>The interaction map {@code E = p_u q_i^T} (d x d, the outer product of the embeddings) is read by a
 * stack of 2x2 convolutions with stride 2 and ReLU, each halving the map, {@code log2(d)} of them down to
 * 1 x 1 x {@code channels}; a linear layer makes the score. Trained with BPR on each positive and sampled
 * negatives, with L2 on the looked-up embeddings ({@code regularization}).
 *
 * <p>Reads {@code users [B]}, {@code items [B]}, {@code negatives [B, S]} (pairwise batches).
 *
 * <p>State: {@code userEmbedding.weight} [U, d], {@code itemEmbedding.weight} [N, d],
 * {@code convs.K.weight} [C, C_in, 2, 2], {@code convs.K.bias} [C], {@code output.weight} [1, C],
 * {@code output.bias} [1].
 *
 * <p>Defaults: the paper's architecture (d = 64, six layers of 32 channels), trained with Adam at
 * learning rate 0.001, starting, as the paper does, from a trained MF-BPR: {@code pretrainEpochs} epochs
 * of a {@link BPRMF} with its defaults, whose factor tables are rescaled to a root-mean-square entry of
 * {@code initStd} = 1 ({@code pretrainEpochs=0} starts from random N(0, initStd) embeddings instead).
 * The scale matters: the outer product of N(0, 0.1) embeddings is about 0.01, which six convolutions
 * shrink below the biases, so every pair scores the same and the BPR loss stays at log 2 (measured on
 * MovieLens-100K: unchanged after 80 steps, while N(0, 1) learns at once). The pretraining matters too:
 * on MovieLens-100K from random N(0, 1) embeddings the validation NDCG@10 was 0.200, 0.225, 0.233 after
 * 1, 2, 3 epochs (below popularity's 0.246), from 25 epochs of BPRMF 0.389 after one (bench/README.md).
 *
 * <p>Cost: about 3 MFLOP per (user, item) pair forward (two pairs a triple) and twice that backward,
 * so about 18 MFLOP per triple; on two shared cores about 500-750 triples per second on the oneDNN backend (its gemm
 * convolution: see {@code OneDnnBackend}'s convolution layouts) and about 300 on the vector backend. A
 * full ranking scores every (user, item) pair through the convolutions, which is costly for large
 * catalogues: the sampled protocol is the paper's.
 */
public final class ConvNCF extends GradientModel {
    public static final String NAME = "ConvNCF";

    private final int d;
    final Embedding userEmbedding;
    final Embedding itemEmbedding;
    private final io.panrec.models.train.ParameterDevice parameterDevice = new io.panrec.models.train.ParameterDevice(this);
    final ModuleList<Conv2d> convs;
    final Linear output;
    private final float regularization;
    private final double initStd;
    private final int pretrainEpochs;

    ConvNCF(Settings settings, DatasetSchema schema) {
        super(NAME, settings, schema);
        this.d = Models.positive(settings, "embeddingSize");
        if (d < 2 || Integer.bitCount(d) != 1) {
            throw new IllegalArgumentException(NAME + " setting 'embeddingSize' must be a power of two >= 2 (each stride-2 "
                    + "convolution halves the d x d map down to 1 x 1), got " + d);
        }
        int channels = Models.positive(settings, "channels");
        Models.positive(settings, TrainingSettings.NEGATIVES);
        this.regularization = (float) Models.nonNegative(settings, "regularization");
        double std = Models.nonNegative(settings, "initStd");
        this.initStd = std;
        this.pretrainEpochs = settings.getInt("pretrainEpochs");
        if (pretrainEpochs < 0) {
            throw new IllegalArgumentException(NAME + " setting 'pretrainEpochs' must be at least 0 (0: no pretraining), got "
                    + pretrainEpochs);
        }
        SplittableRandom random = new SplittableRandom(settings.getLong(TrainingSettings.SEED));
        userEmbedding = registerModule("userEmbedding", new Embedding(schema.numUsers(), d, -1, true, random));
        itemEmbedding = registerModule("itemEmbedding", new Embedding(schema.numItems(), d, -1, true, random));
        Init.normal(userEmbedding.weight(), 0, std, random);
        Init.normal(itemEmbedding.weight(), 0, std, random);
        convs = registerModule("convs", new ModuleList<>());
        int in = 1;
        for (int size = d; size > 1; size /= 2) {
            convs.add(new Conv2d(in, channels, 2, 2, 0, random));
            in = channels;
        }
        output = registerModule("output", new Linear(channels, 1, random));
    }

    /** Registered in {@code META-INF/services}. */
    public static final class Provider extends AbstractModelProvider {
        public Provider() {
            super(NAME, Family.GENERAL, "a CNN over the outer product of user and item embeddings, trained with BPR (He et al. 2018)",
                    ConvNCF::new);
        }

        @Override
        public List<Setting> defaults() {
            List<Setting> s = new ArrayList<>();
            s.add(Setting.of("embeddingSize", 64, "d, a power of two: the interaction map is d x d and log2(d) convolutions reduce it"));
            s.add(Setting.of("channels", 32, "feature maps of each convolution"));
            s.add(Setting.of("initStd", 1.0, "standard deviation of the normal initialisation of the embeddings (keep the "
                    + "interaction map near unit scale: smaller maps vanish through the convolutions)"));
            s.add(Setting.of("regularization", 0.0, "L2 penalty on the looked-up user and item embeddings of each triple"));
            s.add(Setting.of("pretrainEpochs", 25, "epochs of a BPRMF (its defaults, d = embeddingSize) trained first, whose "
                    + "embeddings, rescaled to initStd, start this model's (the paper's pretraining); 0: random embeddings"));
            s.add(TrainingSettings.negatives(1, "one per positive, as BPR"));
            s.addAll(TrainingSettings.gradient(20, 512, "adam", 0.001, 0.0));
            s.add(TrainingSettings.seed(2018));
            return s;
        }
    }

    /**
     * With {@code pretrainEpochs > 0}: trains a BPRMF of the same embedding size on {@code train} and starts
     * from its user and item factors, each table scaled so that its root-mean-square entry is {@code initStd}
     * (a per-table factor leaves the MF's ranking of items for a user unchanged, and the interaction map
     * keeps the scale the convolutions need: see the class comment).
     */
    @Override
    public void beforeTraining(Interactions train) {
        if (pretrainEpochs == 0) {
            return;
        }
        Settings mf = new BPRMF.Provider().defaultSettings().with("embeddingSize", d)
                .with(TrainingSettings.EPOCHS, pretrainEpochs)
                .with(TrainingSettings.SEED, settings.getLong(TrainingSettings.SEED) + 1);
        BPRMF bpr = new BPRMF(mf, schema);
        System.err.println(NAME + ": pretraining BPRMF for " + pretrainEpochs + " epochs");
        Trainer.builder(bpr, train).interactive(false).build().fit();
        Map<String, Tensor> pretrained = bpr.stateDict();
        Map<String, Tensor> state = new LinkedHashMap<>(stateDict());
        state.put("userEmbedding.weight", rescaled(pretrained.get("userFactors.weight")));
        state.put("itemEmbedding.weight", rescaled(pretrained.get("itemFactors.weight")));
        loadStateDict(state);
    }

    /** {@code table} times the factor that makes its root-mean-square entry {@code initStd} (unchanged if all 0). */
    private Tensor rescaled(Tensor table) {
        float[] v = table.toFloatArray();
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        double rms = Math.sqrt(sum / Math.max(1, v.length));
        float c = rms > 0 ? (float) (initStd / rms) : 1f;
        for (int k = 0; k < v.length; k++) {
            v[k] *= c;
        }
        return Tensor.of(v, table.shape());
    }

    @Override
    TrainingPlan.Sampling sampling() {
        return TrainingPlan.Sampling.PAIRWISE;
    }

    /** Scores of embedding rows p [B, d] and q [B, d] -> [B]. */
    private Tensor score(Tensor p, Tensor q) {
        int b = p.shape(0);
        Tensor map = p.unsqueeze(2).mul(q.unsqueeze(1)).unsqueeze(1);  // [B, 1, d, d]
        Tensor x = map;
        for (int k = 0; k < convs.size(); k++) {
            x = convs.get(k).forward(x).relu();
        }
        return output.forward(x.reshape(b, x.shape(1))).reshape(b);
    }

    @Override
    public java.util.Set<Batch.Key> hostBatchFields() {
        return java.util.Set.of(Batch.USERS, Batch.ITEMS, Batch.NEGATIVES);
    }

    @Override
    public Tensor calculateLoss(Batch batch) {
        // the ids are read here in Java (the trainer leaves them on the host, see hostBatchFields) and the
        // lookups go to the tables' device: one explicit copy each when the model is on a device, none on the host
        io.panrec.tensor.Device device = parameterDevice.get();
        Tensor userIds = batch.get(Batch.USERS);
        long[] users = userIds.toLongArray();
        Tensor negatives = batch.get(Batch.NEGATIVES);
        int b = users.length;
        int s = negatives.shape(1);
        long[] repeated = new long[b * s];
        for (int r = 0; r < b; r++) {
            java.util.Arrays.fill(repeated, r * s, r * s + s, users[r]);
        }
        Tensor p = userEmbedding.forward(userIds.to(device));                       // [B, d]
        Tensor q = itemEmbedding.forward(batch.get(Batch.ITEMS).to(device));        // [B, d]
        Tensor pn = userEmbedding.forward(Tensor.ofLongs(repeated).to(device));     // [B*S, d]
        Tensor qn = itemEmbedding.forward(negatives.reshape(b * s).to(device));     // [B*S, d]
        Tensor pos = score(p, q);
        Tensor neg = score(pn, qn).reshape(b, s);
        Tensor loss = Losses.bpr(pos, neg);
        if (regularization > 0) {
            Tensor reg = Reductions.sum(p.mul(p), new int[] {1}, false).add(Reductions.sum(q.mul(q), new int[] {1}, false))
                    .add(Reductions.sum(qn.mul(qn), new int[] {1}, false).reshape(b, s).mean(1, false));
            loss = loss.add(reg.mean().mul(regularization));
        }
        return loss;
    }

    /** {@code users [B]}, {@code items [B]} -> {@code [B]} scores. */
    @Override
    public Tensor predict(Batch batch) {
        Models.users(NAME, batch, schema);
        Models.items(NAME, batch, schema);
        return score(userEmbedding.forward(batch.get(Batch.USERS)), itemEmbedding.forward(batch.get(Batch.ITEMS)));
    }

    /** {@code users [U]} -> {@code [U, N]}: every pair through the network, in chunks. */
    @Override
    public Tensor fullSortPredict(Tensor users) {
        long[] u = Models.fullSortUsers(NAME, users, schema);
        // a chunk's first feature maps are pairs x channels x (d/2)^2 floats: far fewer pairs per chunk than NCF's
        int pairs = Math.max(1, (1 << 24) / (d * d / 4 * convs.get(0).weight().shape(0)));
        return NcfModel.allPairs(u, schema.numItems(), pairs, (us, is) -> score(userEmbedding.forward(us), itemEmbedding.forward(is)));
    }
}
