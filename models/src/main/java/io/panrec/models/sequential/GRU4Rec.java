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
import io.panrec.nn.GRU;
import io.panrec.nn.Init;
import io.panrec.nn.Parameter;
import io.panrec.ops.Checks;
import io.panrec.ops.Indexing;
import io.panrec.ops.Linalg;
import io.panrec.ops.Losses;
import io.panrec.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * GRU4Rec: B. Hidasi, A. Karatzoglou, L. Baltrunas, D. Tikk, "Session-based recommendations with
 * recurrent neural networks", ICLR 2016; with the BPR-max loss and popularity-sampled negatives of
 * B. Hidasi, A. Karatzoglou, "Recurrent neural networks with top-k gains for session-based
 * recommendations", CIKM 2018.
 *
 * <p>A session's clicks are embedded ({@code embeddingSize}) and read by a GRU ({@code gruLayers} x
 * {@code hiddenSize}); the score of item {@code j} after the session so far is {@code h . W_j + b_j}
 * with an output item table {@code W [N, H]} and bias {@code b [N]}.
 *
 * <p><b>Training</b> uses {@link SessionParallelBatches session-parallel mini-batches}: one GRU step
 * per batch, the hidden state of every slot carried to the next batch (detached, as the paper's
 * one-step truncated back-propagation) and reset to zero where a new session starts. The candidates of
 * each row are the targets of all rows of the batch (in-batch negatives, the paper's mini-batch
 * sampling) plus {@code sampledNegatives} items shared by the batch, drawn with probability
 * proportional to {@code count^sampleAlpha}. Losses ({@code loss}): {@code top1} and {@code bpr} over all
 * candidates as the 2016 paper (the row's own target included, as its code does), {@code bpr-max} as the
 * 2018 paper with the target and accidental hits left out of the softmax. Gradients are clipped to a
 * global norm of {@code gradientClip}.
 *
 * <p><b>Batches.</b> Training: {@code items [B]} (inputs), {@code nextItems [B]},
 * {@code sessionStarts [B]}, optionally {@code negatives [B, S]} (the same S items in every row).
 * Scoring: {@code sequences [B, L]} with {@code lengths [B]} (see {@link SequentialRecommender}), or
 * {@code users [B]} (sessions) whose kept histories are used; {@link #predict} adds {@code items [B]}.
 *
 * <p>Defaults: 100 hidden units and embedding size, one layer, hidden dropout 0.2, BPR-max with
 * lambda 1 and 128 negatives sampled with alpha 0.75, Adagrad with learning rate 0.05 in batches of 32,
 * 10 epochs, clipping at norm 5 (close to the settings of the 2018 paper's code, but untuned here).
 */
public final class GRU4Rec extends SequenceModel {
    public static final String NAME = "GRU4Rec";
    /** The losses of the {@code loss} setting. */
    public static final List<String> LOSSES = List.of("top1", "bpr", "bpr-max");

    private final Embedding itemEmbedding;
    private final GRU gru;
    private final Dropout dropout;
    private final Embedding outputItems;
    private final Parameter outputBias;
    private final String loss;
    private final float bprMaxRegularization;
    private final int sampledNegatives;
    private final double sampleAlpha;
    private final double gradientClip;
    /** The hidden state [layers, B, H] after the last training step, carried into the next one. */
    private float[] carried;

    GRU4Rec(Settings settings, DatasetSchema schema) {
        super(NAME, settings, schema, positive(settings, "maxLength"));
        int e = positive(settings, "embeddingSize");
        int h = positive(settings, "hiddenSize");
        int layers = positive(settings, "gruLayers");
        float p = (float) inRange(settings, "dropout", 0, 1);
        this.loss = settings.getString("loss").toLowerCase(Locale.ROOT);
        if (!LOSSES.contains(loss)) {
            throw new IllegalArgumentException(NAME + " setting 'loss' must be one of " + LOSSES + ", got '" + settings.getString("loss") + "'");
        }
        this.bprMaxRegularization = (float) inRange(settings, "bprMaxRegularization", 0, Double.MAX_VALUE);
        this.sampledNegatives = settings.getInt("sampledNegatives");
        if (sampledNegatives < 0) {
            throw new IllegalArgumentException(NAME + " setting 'sampledNegatives' must be at least 0, got " + sampledNegatives);
        }
        this.sampleAlpha = inRange(settings, "sampleAlpha", 0, 1.000001);
        this.gradientClip = inRange(settings, "gradientClip", 0, Double.MAX_VALUE);
        SplittableRandom random = new SplittableRandom(settings.getLong(TrainingSettings.SEED));
        this.itemEmbedding = registerModule("itemEmbedding", new Embedding(schema.numItems(), e, -1, false, random));
        this.gru = registerModule("gru", new GRU(e, h, layers, true, p, random));
        this.dropout = registerModule("dropout", new Dropout(p, random.split()));
        this.outputItems = registerModule("outputItems", new Embedding(schema.numItems(), h, -1, false, random));
        this.outputBias = registerParameter("outputBias", Parameter.zeros(schema.numItems()));
        // the initialisation of GRU4Rec's code: U(-s, s) with s = sqrt(6 / (rows + columns))
        Init.uniform(itemEmbedding.weight(), -Math.sqrt(6.0 / (schema.numItems() + e)), Math.sqrt(6.0 / (schema.numItems() + e)), random);
        Init.uniform(outputItems.weight(), -Math.sqrt(6.0 / (schema.numItems() + h)), Math.sqrt(6.0 / (schema.numItems() + h)), random);
    }

    /** Registered in {@code META-INF/services}. */
    public static final class Provider extends AbstractModelProvider {
        public Provider() {
            super(NAME, Family.SEQUENTIAL, "session-based GRU trained on session-parallel mini-batches with TOP1, BPR or BPR-max (Hidasi et al. 2016, 2018)",
                    GRU4Rec::new);
        }

        @Override
        public List<Setting> defaults() {
            List<Setting> s = new ArrayList<>();
            s.add(Setting.of("embeddingSize", 100, "size of the input item embeddings"));
            s.add(Setting.of("hiddenSize", 100, "units of each GRU layer (the session representation)"));
            s.add(Setting.of("gruLayers", 1, "stacked GRU layers"));
            s.add(Setting.of("dropout", 0.2, "dropout on the GRU output (and between layers) in training"));
            s.add(Setting.of("loss", "bpr-max", "training loss: top1 and bpr (2016 paper) or bpr-max (2018 paper)"));
            s.add(Setting.of("bprMaxRegularization", 1.0, "lambda of BPR-max's score regulariser sum_j s_j r_j^2"));
            s.add(Setting.of("sampledNegatives", 128, "items sampled per batch as extra negatives, besides the other rows' targets (0: in-batch only)"));
            s.add(Setting.of("sampleAlpha", 0.75, "the sampling probability is proportional to count^alpha: 0 uniform, 1 popularity"));
            s.add(Setting.of("gradientClip", 5.0, "largest global L2 norm of the gradients of a step (0: no clipping)"));
            s.add(Setting.of("maxLength", 50, "the most recent items of a session read when scoring it (and kept per training session)"));
            s.addAll(TrainingSettings.gradient(10, 32, "adagrad", 0.05, 0.0));
            s.add(TrainingSettings.seed(2016));
            return s;
        }
    }

    @Override
    public BatchSource batches(Interactions train, TrainingPlan plan) {
        return new SessionParallelBatches(Sessions.sequences(train), plan.batchSize(), sampledNegatives, sampleAlpha,
                schema.numItems(), plan.seed());
    }

    @Override
    public double gradientClipNorm() {
        return gradientClip;
    }

    /** Every field of its session-parallel batches: read in Java for the candidates, targets and state resets. */
    @Override
    public java.util.Set<Batch.Key> hostBatchFields() {
        return java.util.Set.of(Batch.ITEMS, SessionParallelBatches.NEXT_ITEMS, SessionParallelBatches.SESSION_STARTS, Batch.NEGATIVES);
    }

    /**
     * The loss of one session-parallel step (see the class comment). Carries the new hidden state to the
     * next call; rows marked in {@code sessionStarts} start from zero, as does a call whose batch size
     * differs from the previous one.
     */
    @Override
    public Tensor calculateLoss(Batch batch) {
        long[] in = Checks.indexRange(NAME + " items", batch.get(Batch.ITEMS), schema.numItems());
        long[] next = Checks.indexRange(NAME + " nextItems", batch.get(SessionParallelBatches.NEXT_ITEMS), schema.numItems());
        float[] starts = Checks.onHost(batch.get(SessionParallelBatches.SESSION_STARTS)).toFloatArray();
        int b = in.length;
        int h = gru.hiddenSize();
        int layers = gru.numLayers();
        float[] h0 = new float[layers * b * h];
        if (carried != null && carried.length == h0.length) {
            for (int k = 0; k < layers; k++) {
                for (int r = 0; r < b; r++) {
                    if (starts[r] == 0) {
                        System.arraycopy(carried, (k * b + r) * h, h0, (k * b + r) * h, h);
                    }
                }
            }
        }
        Tensor x = itemEmbedding.forward(onDevice(Tensor.ofLongs(in))).unsqueeze(1);        // [B, 1, E]
        GRU.Output o = gru.forward(x, onDevice(Tensor.of(h0, layers, b, h).to(x.dtype())), null);
        // the carried state outlives the step's scope and is reset per row in Java: on a device it makes one
        // small round trip ([layers, B, H]) per step
        carried = Checks.onHost(o.hidden().detach()).contiguous().to(io.panrec.tensor.DType.F32).toFloatArray();
        Tensor state = dropout.forward(o.last());                                          // [B, H]

        long[] candidates = next;
        if (batch.has(Batch.NEGATIVES)) {
            long[] sampled = Checks.indexRange(NAME + " negatives", batch.get(Batch.NEGATIVES), schema.numItems());
            int s = batch.get(Batch.NEGATIVES).shape(1);
            candidates = java.util.Arrays.copyOf(next, b + s);
            System.arraycopy(sampled, 0, candidates, b, s); // row 0: the batch's shared sample
        }
        Tensor ids = onDevice(Tensor.ofLongs(candidates));
        Tensor w = Indexing.gatherRows(outputItems.weight(), ids);                          // [C, H]
        Tensor bias = Indexing.gatherRows(outputBias.value().unsqueeze(1), ids).reshape(candidates.length);
        Tensor scores = state.matmul(w.t()).add(bias.unsqueeze(0));                        // [B, C]
        Tensor targets = onDevice(Tensor.ofLongs(next));
        Tensor pos = Linalg.rowDot(state, Indexing.gatherRows(outputItems.weight(), targets))
                .add(Indexing.gatherRows(outputBias.value().unsqueeze(1), targets).reshape(b)); // [B]
        return switch (loss) {
            case "top1" -> Losses.top1(pos, scores);
            case "bpr" -> Losses.bpr(pos, scores);
            default -> {
                float[] keep = new float[b * candidates.length];
                for (int r = 0; r < b; r++) {
                    int kept = 0;
                    for (int c = 0; c < candidates.length; c++) {
                        keep[r * candidates.length + c] = candidates[c] == next[r] ? 0 : 1;
                        kept += candidates[c] == next[r] ? 0 : 1;
                    }
                    if (kept == 0) {
                        // every candidate is this row's target (one slot, no sampling): a degenerate row that
                        // ranks the target against itself rather than an error in the middle of training
                        java.util.Arrays.fill(keep, r * candidates.length, (r + 1) * candidates.length, 1f);
                    }
                }
                yield Losses.bprMax(pos, scores, onDevice(Tensor.of(keep, b, candidates.length).to(scores.dtype())), bprMaxRegularization);
            }
        };
    }

    /** Forgets the carried hidden state when the mode changes (a new run of training starts from zero). */
    @Override
    public void setTraining(boolean training) {
        carried = null;
        super.setTraining(training);
    }

    /** The carried hidden state [layers, B, H] (a copy), or null before the first step; for tests. */
    float[] carriedState() {
        return carried == null ? null : carried.clone();
    }

    @Override
    Tensor encode(Tensor sequences, long[] lengths) {
        Tensor x = itemEmbedding.forward(sequences);                                        // [B, L, E]
        return dropout.forward(gru.forward(x, null, onDevice(Tensor.ofLongs(lengths))).last());      // [B, H]
    }

    @Override
    Tensor outputItems() {
        return outputItems.weight();
    }

    @Override
    Tensor outputBias() {
        return outputBias.value();
    }
}
