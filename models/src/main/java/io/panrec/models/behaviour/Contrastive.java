package io.panrec.models.behaviour;

import io.panrec.ops.Elementwise;
import io.panrec.ops.Indexing;
import io.panrec.ops.Linalg;
import io.panrec.ops.Losses;
import io.panrec.ops.Reductions;
import io.panrec.tensor.Tensor;

/**
 * InfoNCE over in-batch negatives with the popularity (log-Q) correction of X. Yi, J. Yang, L. Hong,
 * D. Z. Cheng, L. Heldt, A. Kumthekar, Z. Zhao, L. Wei, E. Chi, "Sampling-Bias-Corrected Neural Modeling
 * for Large Corpus Item Recommendations", RecSys 2019. In a batch of (user, item) pairs every other row's
 * item is a negative, so an item is a negative with probability proportional to its popularity: popular
 * items are over-penalised unless each logit has {@code log q(item)} subtracted. Core's
 * {@link Losses#infoNce} is the uncorrected form; this adds the correction and removes accidental hits.
 */
final class Contrastive {
    static final double MASKED = -1e9;

    private Contrastive() {
    }

    /**
     * {@code mean_b -log softmax_k(s(b, k))[b]} with {@code s(b, k) = q_b . k_k / temperature - log q(item_k)}
     * (queries and keys L2-normalised first when {@code normalize}), and {@code s(b, k)} removed where
     * {@code k != b} holds the same item as row b (that item is not a negative of row b).
     *
     * @param queries     {@code [B, D]} user vectors
     * @param keys        {@code [B, D]} item vectors, row b the positive of query b
     * @param itemIds     {@code [B]} the item of each key row (for the accidental hits), or null
     * @param logQ        {@code [B]} log of each key item's sampling probability, or null for no correction
     */
    static Tensor infoNce(Tensor queries, Tensor keys, long[] itemIds, double[] logQ, float temperature, boolean normalize) {
        if (!(temperature > 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("infoNce: temperature must be positive and finite, got " + temperature);
        }
        if (queries.rank() != 2 || !queries.sameShape(keys)) {
            throw new IllegalArgumentException("infoNce: queries " + queries.describe() + " and keys " + keys.describe()
                    + " must both be [B, D]");
        }
        int b = queries.shape(0);
        if ((itemIds != null && itemIds.length != b) || (logQ != null && logQ.length != b)) {
            throw new IllegalArgumentException("infoNce: item ids and log q need one entry per row (" + b + ")");
        }
        Tensor q = normalize ? Reductions.normalize(queries, 1, 1e-12f) : queries;
        Tensor k = normalize ? Reductions.normalize(keys, 1, 1e-12f) : keys;
        Tensor logits = Elementwise.mul(Linalg.matmul(q, k.t()), 1f / temperature);              // [B, B]
        double[] add = new double[b * b];
        boolean any = false;
        for (int r = 0; r < b; r++) {
            for (int c = 0; c < b; c++) {
                double v = logQ == null ? 0 : -logQ[c];
                if (c != r && itemIds != null && itemIds[c] == itemIds[r]) {
                    v = MASKED;
                }
                add[r * b + c] = v;
                any |= v != 0;
            }
        }
        if (any) {
            logits = Elementwise.add(logits, Tensor.ofDoubles(add, b, b).to(logits.dtype()).to(logits.device()));
        }
        return Losses.softmaxCrossEntropy(logits, Indexing.arange(b, logits.device()));
    }
}
