package io.panrec.nn;

import io.panrec.ops.Attention;
import io.panrec.ops.Shapes;
import io.panrec.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * Multi-head attention (Vaswani et al. 2017), as used by SASRec and BERT4Rec: queries, keys and values
 * are projected by {@code q_proj}, {@code k_proj}, {@code v_proj} (each a {@link Linear} E -> E), split
 * into {@code heads} heads of E / heads features, attended with {@link Attention#scaledDotProduct}, joined
 * and projected by {@code out_proj}. Dropout (training only) applies to the attention weights.
 *
 * <p>Masks are <b>keep masks</b> (non-zero = may attend) broadcastable to [B, Tq, Tk], e.g.
 * {@link Attention#keyPaddingMask} [B, 1, Tk]; they apply to every head. A query that may attend to no
 * key outputs {@code out_proj}'s bias (its attention result is zeros), never NaN.
 */
public final class MultiHeadAttention extends Module {
    private final int embedDim;
    private final int heads;
    private final float dropout;
    private final SplittableRandom dropoutRandom;
    private final Linear qProj;
    private final Linear kProj;
    private final Linear vProj;
    private final Linear outProj;

    /** With biases and no dropout. */
    public MultiHeadAttention(int embedDim, int heads, SplittableRandom random) {
        this(embedDim, heads, true, 0f, random);
    }

    /**
     * @param embedDim E, divisible by heads
     * @param dropout  dropout on the attention weights in training
     * @param random   initialises the projections; the dropout pattern comes from a split of it
     */
    public MultiHeadAttention(int embedDim, int heads, boolean bias, float dropout, SplittableRandom random) {
        if (heads < 1 || embedDim < 1 || embedDim % heads != 0) {
            throw new IllegalArgumentException("MultiHeadAttention: embedDim " + embedDim + " must be a positive multiple of "
                    + "heads " + heads);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("MultiHeadAttention: dropout must be in [0, 1), got " + dropout);
        }
        this.embedDim = embedDim;
        this.heads = heads;
        this.dropout = dropout;
        this.qProj = registerModule("q_proj", new Linear(embedDim, embedDim, bias, random));
        this.kProj = registerModule("k_proj", new Linear(embedDim, embedDim, bias, random));
        this.vProj = registerModule("v_proj", new Linear(embedDim, embedDim, bias, random));
        this.outProj = registerModule("out_proj", new Linear(embedDim, embedDim, bias, random));
        this.dropoutRandom = random.split();
    }

    /** Self-attention: {@code forward(x, x, x, keepMask, causal)}. */
    public Tensor forward(Tensor x, Tensor keepMask, boolean causal) {
        return forward(x, x, x, keepMask, causal);
    }

    /**
     * @param query    [B, Tq, E]
     * @param key      [B, Tk, E]
     * @param value    [B, Tk, E]
     * @param keepMask nullable keep mask broadcastable to [B, Tq, Tk]
     * @param causal   query i attends only to keys j <= i
     * @return [B, Tq, E]
     */
    public Tensor forward(Tensor query, Tensor key, Tensor value, Tensor keepMask, boolean causal) {
        check("query", query);
        check("key", key);
        check("value", value);
        if (key.shape(0) != query.shape(0) || value.shape(0) != query.shape(0) || key.shape(1) != value.shape(1)) {
            throw new IllegalArgumentException("MultiHeadAttention: query " + query.describe() + ", key " + key.describe()
                    + " and value " + value.describe() + " must share B, and key and value must share Tk");
        }
        int b = query.shape(0);
        int tq = query.shape(1);
        Tensor q = split(qProj.forward(query));
        Tensor k = split(kProj.forward(key));
        Tensor v = split(vProj.forward(value));
        Tensor mask = keepMask;
        if (mask != null && mask.rank() > 3) {
            throw new IllegalArgumentException("MultiHeadAttention: keepMask " + mask.describe()
                    + " must broadcast to [B, Tq, Tk] (one mask for all heads)");
        }
        if (mask != null && mask.rank() == 3) {
            mask = Shapes.unsqueeze(mask, mask.rank() - 2); // [B, 1, Tq|1, Tk]: the same for every head
        }
        boolean dropping = isTraining() && dropout > 0;
        Tensor attended = Attention.scaledDotProduct(q, k, v, mask, null, causal, dropout, dropping ? dropoutRandom : null);
        Tensor joined = Shapes.reshape(Shapes.permute(attended, 0, 2, 1, 3), b, tq, embedDim);
        return outProj.forward(joined);
    }

    /** [B, T, E] -> [B, heads, T, E / heads]. */
    private Tensor split(Tensor x) {
        return Shapes.permute(Shapes.reshape(x, x.shape(0), x.shape(1), heads, embedDim / heads), 0, 2, 1, 3);
    }

    private void check(String what, Tensor t) {
        if (t.rank() != 3 || t.shape(2) != embedDim) {
            throw new IllegalArgumentException("MultiHeadAttention: " + what + " must be [B, T, " + embedDim + "], got "
                    + t.describe());
        }
    }

    public int heads() {
        return heads;
    }

    public int embedDim() {
        return embedDim;
    }

    public Linear qProj() {
        return qProj;
    }

    public Linear kProj() {
        return kProj;
    }

    public Linear vProj() {
        return vProj;
    }

    public Linear outProj() {
        return outProj;
    }
}
