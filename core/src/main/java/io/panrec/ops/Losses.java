package io.panrec.ops;

import io.panrec.tensor.Shape;
import io.panrec.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The training losses of recommenders, composed from primitive ops (so they need no gradient rule of
 * their own). Each returns a scalar (shape []) mean over its terms unless a {@link Reduction} says
 * otherwise. Shapes are checked up front and a mismatch names the loss and both shapes.
 */
public final class Losses {
    /**
     * Additive logit of a masked-out candidate: finite (so no inf - inf = NaN can appear) yet far below
     * any real logit, so its softmax weight underflows to exactly 0 in F32 and F64.
     */
    static final float MASKED_LOGIT = -1e30f;

    private Losses() {
    }

    /** How the per-term losses are combined. */
    public enum Reduction {
        /** The mean over all terms: a scalar of shape []. */
        MEAN,
        /** The sum over all terms: a scalar of shape []. */
        SUM,
        /** No reduction: one loss per term, in the shape the loss documents. */
        NONE
    }

    // ------------------------------------------------------------------ regression and binary

    /** Mean squared error, mean((pred - target)^2); pred and target must have the same shape. */
    public static Tensor mse(Tensor pred, Tensor target) {
        return mse(pred, target, Reduction.MEAN);
    }

    /** Squared error per element ({@link Reduction#NONE} keeps pred's shape). */
    public static Tensor mse(Tensor pred, Tensor target, Reduction reduction) {
        Checks.floating("mse", pred, target);
        sameShape("mse", "pred", pred, "target", target);
        Tensor d = Elementwise.sub(pred, target);
        return reduce(Elementwise.mul(d, d), reduction);
    }

    /**
     * Binary cross-entropy on logits: mean over elements of {@code -t log sigmoid(x) - (1-t) log(1-sigmoid(x))},
     * computed as {@code softplus(x) - x t}, which is exact and never overflows (softplus is evaluated
     * stably for large |x|). Targets are probabilities in [0, 1], usually 0/1 labels, of logits' shape.
     */
    public static Tensor bceWithLogits(Tensor logits, Tensor targets) {
        return bceWithLogits(logits, targets, Reduction.MEAN);
    }

    public static Tensor bceWithLogits(Tensor logits, Tensor targets, Reduction reduction) {
        Checks.floating("bceWithLogits", logits, targets);
        sameShape("bceWithLogits", "logits", logits, "targets", targets);
        Tensor perElement = Elementwise.sub(Elementwise.softplus(logits), Elementwise.mul(logits, targets));
        return reduce(perElement, reduction);
    }

    // ------------------------------------------------------------------ pairwise ranking

    /**
     * Bayesian personalised ranking (Rendle et al. 2009): mean of {@code -log sigmoid(pos - neg)} =
     * {@code softplus(neg - pos)}. pos is [B]; neg is [B] (one negative per positive) or [B, S]
     * (S negatives per positive, each term counted once).
     */
    public static Tensor bpr(Tensor pos, Tensor neg) {
        Tensor diff = pairwiseDiff("bpr", pos, neg);
        return Reductions.mean(Elementwise.softplus(diff));
    }

    /**
     * TOP1 of GRU4Rec (Hidasi et al. 2016, "Session-based recommendations with recurrent neural
     * networks"): mean of {@code sigmoid(neg - pos) + sigmoid(neg^2)}, the second term a regulariser
     * pushing negative scores towards 0. pos is [B]; neg is [B] or [B, S].
     */
    public static Tensor top1(Tensor pos, Tensor neg) {
        Tensor diff = pairwiseDiff("top1", pos, neg);
        Tensor reg = Elementwise.sigmoid(Elementwise.mul(neg, neg));
        return Reductions.mean(Elementwise.add(Elementwise.sigmoid(diff), reg));
    }

    /**
     * BPR-max of GRU4Rec (B. Hidasi, A. Karatzoglou, "Recurrent neural networks with top-k gains for
     * session-based recommendations", CIKM 2018): per row,
     * {@code -log sum_j s_j sigmoid(pos - neg_j) + regularization * sum_j s_j neg_j^2} with
     * {@code s = softmax(neg)} over the row's negatives, averaged over rows. The softmax weights make the
     * loss follow the highest-scored negatives (what decides the top k) instead of averaging over all.
     * Computed as {@code -logSumExp(logSoftmax(neg) + logSigmoid(pos - neg))}, finite for any scores.
     *
     * @param pos            [B] scores of the targets
     * @param neg            [B, S] scores of the negatives
     * @param keep           null (every negative counts) or [B, S] of 1 (a negative) and 0 (not one: left out
     *                       of the softmax and the regulariser, e.g. the row's own target among in-batch
     *                       negatives); every row needs at least one kept negative
     * @param regularization lambda, at least 0 (the paper uses 1 or 2 with sampled negatives)
     */
    public static Tensor bprMax(Tensor pos, Tensor neg, Tensor keep, float regularization) {
        if (!(regularization >= 0) || Float.isInfinite(regularization)) {
            throw new IllegalArgumentException("bprMax: regularization must be finite and >= 0, got " + regularization);
        }
        Checks.rank("bprMax", "neg", neg, 2);
        pairwiseDiff("bprMax", pos, neg); // checks pos [B] against neg [B, S]
        Tensor scores = neg;
        Tensor logits = neg;
        if (keep != null) {
            Checks.floating("bprMax", keep);
            sameShape("bprMax", "neg", neg, "keep", keep);
            io.panrec.backend.Backends.on("bprMax", neg, keep); // mixed devices fail before keep is read
            Tensor keepHost = Checks.onHost(keep);
            for (int b = 0, s = neg.shape(1); b < keep.shape(0); b++) {
                boolean any = false;
                for (int j = 0; j < s && !any; j++) {
                    any = keepHost.get(b, j) != 0;
                }
                if (!any) {
                    throw new IllegalArgumentException("bprMax: row " + b + " of keep " + keep.describe() + " keeps no negative");
                }
            }
            scores = Elementwise.mul(neg, keep);
            // masked entries get a logit so low that their softmax weight is exactly 0
            logits = Elementwise.add(scores, Elementwise.mul(Elementwise.rsub(1f, keep), MASKED_LOGIT));
        }
        Tensor logWeights = Reductions.logSoftmax(logits, 1);
        Tensor logTerms = Elementwise.add(logWeights, Elementwise.logSigmoid(Elementwise.sub(Shapes.unsqueeze(pos, 1), scores)));
        Tensor perRow = Elementwise.neg(Reductions.logSumExp(logTerms, 1, false));
        if (regularization > 0) {
            Tensor reg = Reductions.sum(Elementwise.mul(Reductions.softmax(logits, 1), Elementwise.mul(scores, scores)),
                    new int[] {1}, false);
            perRow = Elementwise.add(perRow, Elementwise.mul(reg, regularization));
        }
        return Reductions.mean(perRow);
    }

    /** neg - pos, with pos broadcast over the S negatives of its row. */
    private static Tensor pairwiseDiff(String loss, Tensor pos, Tensor neg) {
        Checks.floating(loss, pos, neg);
        Checks.rank(loss, "pos", pos, 1);
        int b = pos.shape(0);
        if (neg.rank() == 1) {
            if (neg.shape(0) != b) {
                throw new IllegalArgumentException(loss + ": pos " + pos.describe() + " and neg " + neg.describe()
                        + " must have the same batch size B (neg is [B] or [B, S])");
            }
            return Elementwise.sub(neg, pos);
        }
        if (neg.rank() != 2 || neg.shape(0) != b) {
            throw new IllegalArgumentException(loss + ": neg must be [B] or [B, S] with B = " + b + " (from pos "
                    + pos.describe() + "), got " + neg.describe());
        }
        return Elementwise.sub(neg, Shapes.unsqueeze(pos, 1));
    }

    // ------------------------------------------------------------------ softmax family

    /**
     * Softmax cross-entropy, {@code -log softmax(logits)[target]}, averaged over rows. logits are
     * [..., C] and targets (I32/I64, each in [0, C)) have logits' shape without the last axis, e.g.
     * [B, C] with [B], or [B, T, C] with [B, T] for sequence models.
     */
    public static Tensor softmaxCrossEntropy(Tensor logits, Tensor targets) {
        return softmaxCrossEntropy(logits, targets, Reduction.MEAN);
    }

    /** {@link Reduction#NONE} returns the loss per row, in targets' shape. */
    public static Tensor softmaxCrossEntropy(Tensor logits, Tensor targets, Reduction reduction) {
        Tensor perRow = crossEntropyRows("softmaxCrossEntropy", logits, targets, null);
        return reduce(Shapes.reshape(perRow, targets.shape()), reduction);
    }

    /**
     * Softmax cross-entropy that skips rows whose target equals {@code ignoreIndex} (PyTorch's
     * {@code ignore_index}, e.g. the padding positions of a sequence batch): the mean runs over the
     * other rows only. If every row is ignored the loss is 0 (and so is its gradient), not NaN.
     */
    public static Tensor softmaxCrossEntropy(Tensor logits, Tensor targets, long ignoreIndex) {
        checkLogitsTargets("softmaxCrossEntropy", logits, targets, false);
        io.panrec.backend.Backends.on("softmaxCrossEntropy", logits, targets); // mixed devices fail before targets are read
        long[] t = Checks.onHost(targets).toLongArray();
        long[] safe = new long[t.length];
        double[] keep = new double[t.length];
        int kept = 0;
        for (int i = 0; i < t.length; i++) {
            if (t[i] == ignoreIndex) {
                safe[i] = 0; // any valid class; its term is multiplied by 0
            } else {
                safe[i] = t[i];
                keep[i] = 1;
                kept++;
            }
        }
        Tensor perRow = crossEntropyRows("softmaxCrossEntropy", logits, Tensor.ofLongs(safe, targets.shape()).to(logits.device()),
                null);
        Tensor masked = Elementwise.mul(perRow, Tensor.ofDoubles(keep, t.length).to(logits.dtype()).to(logits.device()));
        Tensor sum = Reductions.sum(masked);
        return Elementwise.mul(sum, Elementwise.constant(sum, 1.0 / Math.max(kept, 1)));
    }

    /**
     * -log softmax(logits)[target] per row, as [R] for R = rows of the flattened logits. {@code additive}
     * (same flattened [R, C] shape, or null) is added to the logits first (masks).
     */
    private static Tensor crossEntropyRows(String loss, Tensor logits, Tensor targets, Tensor additive) {
        checkLogitsTargets(loss, logits, targets, true);
        int c = logits.shape(-1);
        int rows = (int) (logits.numel() / Math.max(c, 1));
        Tensor flat = Shapes.reshape(logits, rows, c);
        if (additive != null) {
            flat = Elementwise.add(flat, additive);
        }
        Tensor logp = Reductions.logSoftmax(flat, 1);
        Tensor ids = Shapes.reshape(targets, rows);
        return Elementwise.neg(Indexing.takeAlongLastAxis(logp, ids));
    }

    private static void checkLogitsTargets(String loss, Tensor logits, Tensor targets, boolean checkRange) {
        Checks.floating(loss, logits);
        Checks.indices(loss, targets);
        if (logits.rank() < 2) {
            throw new IllegalArgumentException(loss + ": logits must be [..., C] with at least a batch axis, got "
                    + logits.describe());
        }
        int[] lead = Arrays.copyOf(logits.shape(), logits.rank() - 1);
        if (!Arrays.equals(lead, targets.shape())) {
            throw new IllegalArgumentException(loss + ": targets must have shape " + Shape.format(lead) + " (logits "
                    + logits.describe() + " without the class axis), got " + targets.describe());
        }
        if (logits.shape(-1) == 0) {
            throw new IllegalArgumentException(loss + ": logits " + logits.describe() + " have no classes");
        }
        if (checkRange) {
            io.panrec.backend.Backends.on(loss, logits, targets); // mixed devices fail before the targets are read
            Checks.indexRange(loss, targets, logits.shape(-1));
        }
    }

    /**
     * Sampled softmax (Jean et al. 2015; Yi et al. 2019 for recommenders) with negatives shared across
     * the batch: for each query b the logits are {@code [q_b . e(pos_b), q_b . e(neg_1), ..., q_b . e(neg_S)]}
     * and the loss is the cross-entropy of class 0, averaged over the batch.
     *
     * <p>A negative that happens to equal the row's positive is masked out (its logit is removed), as
     * TensorFlow's {@code remove_accidental_hits}: otherwise the model would be pushed away from the item
     * it should score highest.
     *
     * @param query     [B, D] query (user/context) embeddings
     * @param itemTable [V, D] item embeddings (an {@code Embedding}'s weight; with sparse gradients on, the
     *                  table gets row-sparse gradients for the B + S rows used)
     * @param positives [B] item ids (I32/I64) in [0, V)
     * @param negatives [S] sampled item ids in [0, V), shared by every row
     */
    public static Tensor sampledSoftmax(Tensor query, Tensor itemTable, Tensor positives, Tensor negatives) {
        return sampledSoftmax(query, itemTable, positives, negatives, (double[]) null);
    }

    /**
     * Sampled softmax with the log-Q correction (Bengio and Senecal 2008; Yi et al. 2019, "Sampling-bias-
     * corrected neural modeling"): every logit, positive and negatives alike, has {@code log q(item)}
     * subtracted, where {@code samplingProbability[item]} (length V, each in (0, 1]) is the chance that the
     * sampler draws the item. Without it, popular items that are sampled often are over-penalised. Pass
     * expected counts instead of probabilities to get TensorFlow's {@code subtract_log_q} exactly; a
     * constant factor cancels in the softmax. {@code null} means no correction.
     */
    public static Tensor sampledSoftmax(Tensor query, Tensor itemTable, Tensor positives, Tensor negatives,
                                        double[] samplingProbability) {
        String loss = "sampledSoftmax";
        checkSampled(query, itemTable, positives, negatives);
        if (samplingProbability != null && samplingProbability.length != itemTable.shape(0)) {
            throw new IllegalArgumentException(loss + ": samplingProbability has " + samplingProbability.length
                    + " entries but the item table " + itemTable.describe() + " has " + itemTable.shape(0) + " rows");
        }
        return sampledSoftmax(query, itemTable, positives, negatives,
                samplingProbability == null ? null : id -> samplingProbability[(int) id]);
    }

    /** As {@link #sampledSoftmax(Tensor, Tensor, Tensor, Tensor, double[])} with the probabilities in a [V] tensor. */
    public static Tensor sampledSoftmax(Tensor query, Tensor itemTable, Tensor positives, Tensor negatives,
                                        Tensor samplingProbability) {
        checkSampled(query, itemTable, positives, negatives);
        if (samplingProbability == null) {
            return sampledSoftmax(query, itemTable, positives, negatives, (double[]) null);
        }
        Checks.alive("sampledSoftmax", samplingProbability);
        Checks.shape("sampledSoftmax", "samplingProbability", samplingProbability, itemTable.shape(0));
        // Only the B + S entries used are read, so a large vocabulary costs nothing per step.
        Tensor probabilities = Checks.onHost(samplingProbability); // read in Java: the whole [V] once if on a device
        return sampledSoftmax(query, itemTable, positives, negatives, id -> probabilities.get((int) id));
    }

    private static void checkSampled(Tensor query, Tensor itemTable, Tensor positives, Tensor negatives) {
        String loss = "sampledSoftmax";
        Checks.floating(loss, query, itemTable);
        Checks.rank(loss, "query", query, 2);
        Checks.rank(loss, "itemTable", itemTable, 2);
        if (query.shape(1) != itemTable.shape(1)) {
            throw new IllegalArgumentException(loss + ": query " + query.describe() + " and itemTable "
                    + itemTable.describe() + " differ in the embedding size D");
        }
        Checks.indices(loss, positives);
        Checks.indices(loss, negatives);
        Checks.shape(loss, "positives", positives, query.shape(0));
        Checks.rank(loss, "negatives", negatives, 1);
        if (negatives.shape(0) == 0) {
            throw new IllegalArgumentException(loss + ": no negatives given (negatives " + negatives.describe() + ")");
        }
    }

    private static Tensor sampledSoftmax(Tensor query, Tensor itemTable, Tensor positives, Tensor negatives,
                                         java.util.function.LongToDoubleFunction probability) {
        String loss = "sampledSoftmax";
        int b = query.shape(0);
        int s = negatives.shape(0);
        long v = itemTable.shape(0);
        io.panrec.backend.Backends.on(loss, query, itemTable, positives, negatives); // mixed devices fail first
        long[] pos = Checks.indexRange(loss, positives, v);
        long[] neg = Checks.indexRange(loss, negatives, v);

        Tensor posEmb = Indexing.gatherRows(itemTable, positives);           // [B, D]
        Tensor negEmb = Indexing.gatherRows(itemTable, negatives);           // [S, D]
        Tensor posLogit = Shapes.unsqueeze(Linalg.rowDot(query, posEmb), 1); // [B, 1]
        Tensor negLogits = Linalg.matmul(query, Shapes.transpose(negEmb, 0, 1)); // [B, S]

        // Constants added to the logits: -log q (correction) and the accidental-hit mask, one [B, 1 + S]
        // tensor built in Java, or nothing at all when neither applies.
        double[] add = null;
        if (probability != null) {
            add = new double[b * (1 + s)];
            double[] negLogQ = new double[s];
            for (int j = 0; j < s; j++) {
                negLogQ[j] = -Math.log(checkProbability(probability.applyAsDouble(neg[j]), neg[j]));
            }
            for (int i = 0; i < b; i++) {
                add[i * (1 + s)] = -Math.log(checkProbability(probability.applyAsDouble(pos[i]), pos[i]));
                System.arraycopy(negLogQ, 0, add, i * (1 + s) + 1, s);
            }
        }
        // Accidental hits in O(B + S): where each negative id sits, then one look-up per positive.
        java.util.Map<Long, List<Integer>> slots = new java.util.HashMap<>();
        for (int j = 0; j < s; j++) {
            slots.computeIfAbsent(neg[j], id -> new ArrayList<>(1)).add(j);
        }
        for (int i = 0; i < b; i++) {
            List<Integer> hits = slots.get(pos[i]);
            if (hits == null) {
                continue;
            }
            if (add == null) {
                add = new double[b * (1 + s)];
            }
            for (int j : hits) {
                add[i * (1 + s) + 1 + j] = MASKED_LOGIT;
            }
        }
        Tensor logits = Shapes.concat(1, posLogit, negLogits);               // [B, 1 + S]
        Tensor additive = add == null ? null : Tensor.ofDoubles(add, b, 1 + s).to(logits.dtype()).to(logits.device());
        Tensor perRow = crossEntropyRows(loss, logits, Tensor.ofLongs(new long[b], b).to(logits.device()), additive);
        return Reductions.mean(perRow);
    }

    private static double checkProbability(double p, long item) {
        if (!(p > 0 && p <= 1)) {
            throw new IllegalArgumentException("sampledSoftmax: sampling probability of item " + item + " is " + p
                    + "; log-Q correction needs every probability in (0, 1]");
        }
        return p;
    }

    /**
     * InfoNCE / in-batch softmax (van den Oord et al. 2018; SimCLR; two-tower retrieval): row b of
     * {@code queries} should match row b of {@code keys} against every other key of the batch, i.e.
     * {@code softmaxCrossEntropy(q k^T / temperature, arange(B))}.
     *
     * @param queries     [B, D]
     * @param keys        [B, D]
     * @param temperature > 0; smaller sharpens the softmax
     * @param normalize   L2-normalise queries and keys first (cosine similarity, as SimCLR)
     */
    public static Tensor infoNce(Tensor queries, Tensor keys, float temperature, boolean normalize) {
        String loss = "infoNce";
        Checks.floating(loss, queries, keys);
        Checks.rank(loss, "queries", queries, 2);
        sameShape(loss, "queries", queries, "keys", keys);
        if (!(temperature > 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException(loss + ": temperature must be positive and finite, got " + temperature);
        }
        Tensor q = normalize ? Reductions.normalize(queries, 1, 1e-12f) : queries;
        Tensor k = normalize ? Reductions.normalize(keys, 1, 1e-12f) : keys;
        Tensor sim = Linalg.matmul(q, Shapes.transpose(k, 0, 1));
        Tensor logits = Elementwise.mul(sim, Elementwise.constant(sim, 1.0 / temperature));
        return softmaxCrossEntropy(logits, Indexing.arange(queries.shape(0), logits.device()));
    }

    // ------------------------------------------------------------------ helpers

    private static void sameShape(String loss, String aName, Tensor a, String bName, Tensor b) {
        if (!a.sameShape(b)) {
            throw new IllegalArgumentException(loss + ": " + aName + " " + a.describe() + " and " + bName + " "
                    + b.describe() + " must have the same shape (no broadcasting, so that a forgotten axis is caught)");
        }
    }

    private static Tensor reduce(Tensor perTerm, Reduction reduction) {
        return switch (reduction) {
            case MEAN -> Reductions.mean(perTerm);
            case SUM -> Reductions.sum(perTerm);
            case NONE -> perTerm;
        };
    }
}
