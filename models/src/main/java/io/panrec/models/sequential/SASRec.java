package io.panrec.models.sequential;

import io.panrec.models.data.Interactions;
import io.panrec.models.data.Sessions;
import io.panrec.models.spi.Batch;
import io.panrec.models.spi.AbstractModelProvider;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.Family;
import io.panrec.models.spi.Setting;
import io.panrec.models.spi.Settings;
import io.panrec.models.train.BatchSource;
import io.panrec.models.train.TrainingPlan;
import io.panrec.models.train.TrainingSettings;
import io.panrec.nn.Dropout;
import io.panrec.nn.Embedding;
import io.panrec.nn.Init;
import io.panrec.nn.LayerNorm;
import io.panrec.nn.Linear;
import io.panrec.nn.Module;
import io.panrec.nn.MultiHeadAttention;
import io.panrec.ops.Checks;
import io.panrec.ops.Losses;
import io.panrec.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * SASRec: W.-C. Kang, J. McAuley, "Self-attentive sequential recommendation", ICDM 2018.
 *
 * <p>The items of a sequence (its last {@code maxLength}) are embedded ({@code embeddingSize} d, scaled
 * by sqrt(d) as the authors' code does) and added to learned positional embeddings; {@code blocks}
 * self-attention blocks follow, each {@code LayerNorm -> causal multi-head attention (query normalised)
 * -> residual -> LayerNorm -> point-wise feed-forward (ReLU) with residual}, with dropout
 * ({@code dropout}) on the embeddings, the attention weights and the feed-forward layers, padding
 * positions zeroed after every block, and a final LayerNorm. Position {@code t} attends to positions
 * {@code <= t} only, so its output {@code F_t} depends on the first {@code t + 1} items alone. The
 * score of item {@code i} after position {@code t} is {@code F_t . M_i}, M the (shared) item embedding.
 *
 * <p><b>Training</b> ({@link SequenceWindows}): every position of every user's most recent
 * {@code maxLength + 1} items predicts the next item against one negative sampled among the items the
 * user has not interacted with; binary cross-entropy over the real positions (section III-E).
 * Sequences are right-padded here (the paper pads on the left), so position embeddings count from a
 * sequence's oldest kept item.
 *
 * <p><b>Batches.</b> Training: {@code sequences [B, L]}, {@code lengths [B]}, {@code targets [B, L]},
 * {@code negatives [B, L]}. Scoring: {@code sequences [B, L]} and {@code lengths [B]}, or
 * {@code users [B]} with their kept histories; {@link #predict} adds {@code items [B]}.
 *
 * <p>Defaults: the paper's (d = 50, 2 blocks, 1 head, dropout 0.2 as for MovieLens-1M, maxLength 50 as
 * for its sparser datasets, Adam with learning rate 0.001 in batches of 128), 100 epochs.
 */
public final class SASRec extends SequenceModel {
    public static final String NAME = "SASRec";

    private final int dim;
    private final Embedding itemEmbedding; // row 0 is padding, item i is row i + 1
    private final Embedding positions;
    private final Dropout embeddingDropout;
    private final List<Block> blocks = new ArrayList<>();
    private final LayerNorm lastNorm;

    /** One self-attention block. */
    static final class Block extends Module {
        final LayerNorm attentionNorm;
        final MultiHeadAttention attention;
        final LayerNorm feedForwardNorm;
        final Linear feedForward1;
        final Linear feedForward2;
        final Dropout dropout;

        Block(int d, int heads, float p, SplittableRandom random) {
            attentionNorm = registerModule("attentionNorm", new LayerNorm(d, 1e-8f, true));
            attention = registerModule("attention", new MultiHeadAttention(d, heads, true, p, random));
            feedForwardNorm = registerModule("feedForwardNorm", new LayerNorm(d, 1e-8f, true));
            feedForward1 = registerModule("feedForward1", new Linear(d, d, true, random));
            feedForward2 = registerModule("feedForward2", new Linear(d, d, true, random));
            dropout = registerModule("dropout", new Dropout(p, random.split()));
        }

        /** x [B, L, d], keep [B, L, 1] (1 for real positions) -> [B, L, d]. */
        Tensor forward(Tensor x, Tensor keep) {
            Tensor q = attentionNorm.forward(x);
            Tensor y = q.add(attention.forward(q, x, x, null, true));
            y = feedForwardNorm.forward(y);
            Tensor f = dropout.forward(feedForward2.forward(dropout.forward(feedForward1.forward(y).relu())));
            return y.add(f).mul(keep);
        }
    }

    SASRec(Settings settings, DatasetSchema schema) {
        super(NAME, settings, schema, positive(settings, "maxLength"));
        this.dim = positive(settings, "embeddingSize");
        int heads = positive(settings, "heads");
        int nBlocks = positive(settings, "blocks");
        float p = (float) inRange(settings, "dropout", 0, 1);
        if (dim % heads != 0) {
            throw new IllegalArgumentException(NAME + ": embeddingSize " + dim + " must be a multiple of heads " + heads);
        }
        SplittableRandom random = new SplittableRandom(settings.getLong(TrainingSettings.SEED));
        this.itemEmbedding = registerModule("itemEmbedding", new Embedding(schema.numItems() + 1, dim, 0, false, random));
        this.positions = registerModule("positions", new Embedding(maxLength, dim, -1, false, random));
        // the authors' PyTorch code initialises every weight matrix Xavier-uniform
        Init.xavierUniform(itemEmbedding.weight(), 1, random);
        Init.xavierUniform(positions.weight(), 1, random);
        try (var _ = io.panrec.autograd.Autograd.noGrad()) {
            Init.zeros(itemEmbedding.weight().slice(0, 0, 1));
        }
        this.embeddingDropout = registerModule("embeddingDropout", new Dropout(p, random.split()));
        for (int k = 0; k < nBlocks; k++) {
            blocks.add(registerModule("block" + k, new Block(dim, heads, p, random)));
        }
        this.lastNorm = registerModule("lastNorm", new LayerNorm(dim, 1e-8f, true));
    }

    /** Registered in {@code META-INF/services}. */
    public static final class Provider extends AbstractModelProvider {
        public Provider() {
            super(NAME, Family.SEQUENTIAL, "self-attentive sequential recommendation: causal Transformer blocks over the item sequence "
                    + "(Kang & McAuley 2018)", (settings, schema) -> {
                        if (schema.numItems() < 2) {
                            throw new IllegalArgumentException(NAME + " needs at least 2 items (one negative per position)");
                        }
                        return new SASRec(settings, schema);
                    });
        }

        @Override
        public List<Setting> defaults() {
            List<Setting> s = new ArrayList<>();
            s.add(Setting.of("embeddingSize", 50, "d: size of the item and position embeddings and of every block"));
            s.add(Setting.of("blocks", 2, "self-attention blocks"));
            s.add(Setting.of("heads", 1, "attention heads per block (the paper uses one)"));
            s.add(Setting.of("dropout", 0.2, "dropout on embeddings, attention weights and feed-forward layers in training"));
            s.add(Setting.of("maxLength", 50, "n: the most recent items of a sequence read (and kept per training user)"));
            s.addAll(TrainingSettings.gradient(100, 128, "adam", 0.001, 0.0));
            s.add(TrainingSettings.seed(2018));
            return s;
        }
    }

    @Override
    public BatchSource batches(Interactions train, TrainingPlan plan) {
        return new SequenceWindows(Sessions.sequences(train), maxLength, plan.batchSize(), schema.numItems(), plan.seed());
    }

    /**
     * The outputs F of every position: {@code sequences [B, L]} (item indices, checked), {@code lengths [B]}
     * -> {@code [B, L, d]}, zero at padding positions.
     */
    Tensor sequenceOutputs(long[] items, int b, int l, long[] lengths) {
        if (l > maxLength) {
            throw new IllegalArgumentException(NAME + ": sequences of " + l + " positions exceed maxLength " + maxLength);
        }
        long[] rows = new long[b * l];
        float[] keep = new float[b * l];
        for (int r = 0; r < b; r++) {
            for (int t = 0; t < lengths[r]; t++) {
                rows[r * l + t] = items[r * l + t] + 1;
                keep[r * l + t] = 1;
            }
        }
        long[] pos = new long[l];
        for (int t = 0; t < l; t++) {
            pos[t] = t;
        }
        Tensor x = itemEmbedding.forward(onDevice(Tensor.ofLongs(rows, b, l))).mul((float) Math.sqrt(dim))
                .add(positions.forward(onDevice(Tensor.ofLongs(pos))).unsqueeze(0));
        Tensor mask = onDevice(Tensor.of(keep, b, l, 1).to(x.dtype()));
        x = embeddingDropout.forward(x).mul(mask);
        for (Block block : blocks) {
            x = block.forward(x, mask);
        }
        return lastNorm.forward(x);
    }

    /** Every field of its windows: read in Java to build the rows, targets and masks. */
    @Override
    public java.util.Set<Batch.Key> hostBatchFields() {
        return java.util.Set.of(Batch.SEQUENCES, Batch.LENGTHS, SequenceWindows.TARGETS, Batch.NEGATIVES);
    }

    /** BCE of each real position's next item against its negative (see the class comment). */
    @Override
    public Tensor calculateLoss(Batch batch) {
        Tensor seq = batch.get(Batch.SEQUENCES);
        int b = seq.shape(0);
        int l = seq.shape(1);
        long[] items = Checks.indexRange(NAME + " sequences", seq, schema.numItems());
        long[] lengths = Checks.indexRange(NAME + " lengths", batch.get(Batch.LENGTHS), l + 1L);
        long[] targets = Checks.indexRange(NAME + " targets", batch.get(SequenceWindows.TARGETS), schema.numItems());
        long[] negatives = Checks.indexRange(NAME + " negatives", batch.get(Batch.NEGATIVES), schema.numItems());
        Checks.shape(NAME, "targets", batch.get(SequenceWindows.TARGETS), b, l);
        Checks.shape(NAME, "negatives", batch.get(Batch.NEGATIVES), b, l);
        Tensor out = sequenceOutputs(items, b, l, lengths);                              // [B, L, d]
        float[] keep = new float[b * l];
        long[] posRows = new long[b * l];
        long[] negRows = new long[b * l];
        int real = 0;
        for (int r = 0; r < b; r++) {
            for (int t = 0; t < lengths[r]; t++) {
                keep[r * l + t] = 1;
                posRows[r * l + t] = targets[r * l + t] + 1;
                negRows[r * l + t] = negatives[r * l + t] + 1;
                real++;
            }
        }
        if (real == 0) {
            throw new IllegalArgumentException(NAME + ": the batch has no real position (every length is 0)");
        }
        Tensor posLogits = out.mul(itemEmbedding.forward(onDevice(Tensor.ofLongs(posRows, b, l)))).sum(2, false); // [B, L]
        Tensor negLogits = out.mul(itemEmbedding.forward(onDevice(Tensor.ofLongs(negRows, b, l)))).sum(2, false);
        Tensor mask = onDevice(Tensor.of(keep, b, l).to(out.dtype()));
        Tensor perPosition = Losses.bceWithLogits(posLogits, Tensor.onesLike(posLogits), Losses.Reduction.NONE)
                .add(Losses.bceWithLogits(negLogits, Tensor.zerosLike(negLogits), Losses.Reduction.NONE));
        return perPosition.mul(mask).sum().mul(1f / real);
    }

    @Override
    Tensor encode(Tensor sequences, long[] lengths) {
        int b = sequences.shape(0);
        int l = sequences.shape(1);
        Tensor out = sequenceOutputs(Checks.onHost(sequences).contiguous().toLongArray(), b, l, lengths);
        float[] select = new float[b * l];
        for (int r = 0; r < b; r++) {
            select[r * l + (int) lengths[r] - 1] = 1;
        }
        return out.mul(onDevice(Tensor.of(select, b, l, 1).to(out.dtype()))).sum(1, false);      // [B, d]: F at the last item
    }

    @Override
    Tensor outputItems() {
        return itemEmbedding.weight().slice(0, 1, schema.numItems() + 1);
    }
}
