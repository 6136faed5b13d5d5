package io.panrec.ops;

import io.panrec.autograd.Autograd;
import io.panrec.tensor.Shape;
import io.panrec.tensor.Tensor;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Scaled dot-product attention (Vaswani et al. 2017), composed from primitive ops.
 *
 * <h2>Masks</h2>
 * Masks here are <b>keep masks</b>: an element that is non-zero lets the query attend to that key, a
 * zero masks it out. Any dtype works (F32, F64, I32, I64), and the mask may have any shape that
 * broadcasts to the scores {@code [..., Tq, Tk]}, e.g. {@code [B, 1, Tk]} for key padding (see
 * {@link #keyPaddingMask}) or {@code [Tq, Tk]} for one pattern shared by the batch. Keep masks compose by
 * multiplication and are what sequence lengths naturally give. Internally a masked score gets a large
 * negative constant added (finite, so no {@code inf - inf} can make a NaN).
 *
 * <h2>Fully masked rows</h2>
 * A query whose every key is masked (e.g. a padding position that may attend nowhere) gets an output of
 * <b>zeros</b>, and no gradient flows through that row; it never produces NaN. (PyTorch's
 * {@code scaled_dot_product_attention} returns NaN there.)
 */
public final class Attention {
    private Attention() {
    }

    /** {@code softmax(q k^T / sqrt(d) + masks) v}: see {@link #scaledDotProduct(Tensor, Tensor, Tensor, Tensor, Tensor, boolean, float, SplittableRandom)}. */
    public static Tensor scaledDotProduct(Tensor q, Tensor k, Tensor v, Tensor keepMask, boolean causal) {
        return scaledDotProduct(q, k, v, keepMask, null, causal, 0f, null);
    }

    /**
     * Attention of queries over keys:
     * {@code out = dropout(softmax(q k^T / sqrt(d) + bias + mask)) v}.
     *
     * @param q        [..., Tq, d] queries
     * @param k        [..., Tk, d] keys; batch dimensions broadcast against q's
     * @param v        [..., Tk, dv] values
     * @param keepMask nullable keep mask broadcastable to [..., Tq, Tk] (non-zero = attend, zero = masked)
     * @param bias     nullable additive, differentiable bias broadcastable to [..., Tq, Tk] (relative
     *                 position biases and the like); added to the scaled scores
     * @param causal   if true, query i may only attend to keys j <= i (top-left aligned as PyTorch's
     *                 {@code is_causal}: with Tq = Tk, position i sees itself and the past)
     * @param dropout  probability of dropping an attention weight (inverted dropout), used only when
     *                 {@code random} is not null: pass 0 or a null random outside training
     * @param random   the source of the dropout pattern, or null for no dropout
     * @return [..., Tq, dv]
     */
    public static Tensor scaledDotProduct(Tensor q, Tensor k, Tensor v, Tensor keepMask, Tensor bias, boolean causal,
                                          float dropout, SplittableRandom random) {
        String op = "scaledDotProduct";
        Checks.floating(op, q, k, v, bias);
        if (q.rank() < 2 || k.rank() < 2 || v.rank() < 2) {
            throw new IllegalArgumentException(op + ": q, k and v must be at least [T, d], got q " + q.describe()
                    + ", k " + k.describe() + ", v " + v.describe());
        }
        int d = q.shape(-1);
        int tq = q.shape(-2);
        int tk = k.shape(-2);
        if (k.shape(-1) != d) {
            throw new IllegalArgumentException(op + ": q " + q.describe() + " and k " + k.describe()
                    + " must share the feature size d (last axis)");
        }
        if (v.shape(-2) != tk) {
            throw new IllegalArgumentException(op + ": v " + v.describe() + " must have as many positions as k "
                    + k.describe() + " (axis -2)");
        }
        if (tk == 0) {
            throw new IllegalArgumentException(op + ": no keys (k " + k.describe() + ")");
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException(op + ": dropout must be in [0, 1), got " + dropout);
        }
        int[] batch = Shape.broadcast(op + " (batch dimensions of q and k)", lead(q), lead(k));
        Shape.broadcast(op + " (batch dimensions of q/k and v)", batch, lead(v));
        int[] scoreShape = Arrays.copyOf(batch, batch.length + 2);
        scoreShape[batch.length] = tq;
        scoreShape[batch.length + 1] = tk;

        Tensor qk = Linalg.matmul(q, Shapes.transpose(k, -2, -1));
        Tensor scores = Elementwise.mul(qk, Elementwise.constant(qk, 1.0 / Math.sqrt(d)));
        if (bias != null) {
            checkBroadcast(op, "bias", bias, scoreShape);
            scores = Elementwise.add(scores, bias);
        }
        Tensor rowAlive = null;
        Tensor additive = null;
        try (var ignored = Autograd.noGrad()) {
            // The masks are constants: built with recording off, and a keep mask that happens to require
            // a gradient is detached, so no gradient is ever sent into it.
            Tensor causalKeep = causal ? causalKeep(q, tq, tk) : null;
            if (keepMask != null) {
                Checks.alive(op, keepMask);
                checkBroadcast(op, "keepMask", keepMask, scoreShape);
                Tensor m = keepMask.detach().to(q.dtype());
                Tensor dropped = Elementwise.eq(m, Elementwise.constant(q, 0)); // 1 where masked
                additive = Elementwise.mul(dropped, Losses.MASKED_LOGIT);
                Tensor keep = Elementwise.rsub(1f, dropped);
                if (causalKeep != null) {
                    keep = Elementwise.mul(keep, causalKeep);
                }
                // [..., Tq or 1, 1]: 0 for a query row that keeps no key at all
                Tensor anyKept = Reductions.max(keep, new int[] {-1}, true);
                if (min(anyKept) == 0) {
                    rowAlive = anyKept;
                }
            }
            if (causalKeep != null) {
                Tensor c = Elementwise.mul(Elementwise.rsub(1f, causalKeep), Losses.MASKED_LOGIT);
                additive = additive == null ? c : Elementwise.add(additive, c);
            }
        }
        if (additive != null) {
            scores = Elementwise.add(scores, additive); // recorded: the gradient flows through to the scores
        }
        Tensor weights = Reductions.softmax(scores, -1);
        if (random != null && dropout > 0) {
            weights = Normalization.dropout(weights, dropout, true, random);
        }
        Tensor out = Linalg.matmul(weights, v);
        if (rowAlive != null) {
            out = Elementwise.mul(out, rowAlive);
        }
        return out;
    }

    /**
     * A key-padding keep mask [B, 1, T] from sequence lengths (I32/I64 [B], each in [0, T]): 1 for the
     * first lengths[b] positions, 0 after. It broadcasts against scores [B, Tq, T]; for a per-head layout
     * [B, H, Tq, T] unsqueeze it at axis 1 (the {@code MultiHeadAttention} module does this itself).
     */
    public static Tensor keyPaddingMask(Tensor lengths, int maxLength) {
        String op = "keyPaddingMask";
        Checks.indices(op, lengths);
        Checks.rank(op, "lengths", lengths, 1);
        if (maxLength < 0) {
            throw new IllegalArgumentException(op + ": maxLength must be >= 0, got " + maxLength);
        }
        long[] len = Checks.indexRange(op, lengths, maxLength + 1L);
        int b = len.length;
        float[] keep = new float[b * maxLength];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < len[i]; j++) {
                keep[i * maxLength + j] = 1;
            }
        }
        return Tensor.of(keep, b, 1, maxLength).to(lengths.device());
    }

    /**
     * The causal keep mask [Tq, Tk] (F32): 1 where key j <= query i, top-left aligned. The
     * {@code causal} flag does the same; the mask is for combining with other patterns by multiplication.
     */
    public static Tensor causalMask(int tq, int tk) {
        if (tq < 0 || tk < 0) {
            throw new IllegalArgumentException("causalMask: sizes must be >= 0, got " + tq + " x " + tk);
        }
        float[] keep = new float[tq * tk];
        for (int i = 0; i < tq; i++) {
            for (int j = 0; j <= i && j < tk; j++) {
                keep[i * tk + j] = 1;
            }
        }
        return Tensor.of(keep, tq, tk);
    }

    private static Tensor causalKeep(Tensor like, int tq, int tk) {
        return causalMask(tq, tk).to(like.dtype()).to(like.device());
    }

    private static int[] lead(Tensor t) {
        return Arrays.copyOf(t.shape(), t.rank() - 2);
    }

    private static void checkBroadcast(String op, String what, Tensor t, int[] scoreShape) {
        int[] joint = Shape.broadcast(op + " (" + what + " against the scores " + Shape.format(scoreShape) + ")",
                t.shape(), scoreShape);
        if (!Arrays.equals(joint, scoreShape)) {
            throw new IllegalArgumentException(op + ": " + what + " " + t.describe()
                    + " must broadcast to the scores [..., Tq, Tk] = " + Shape.format(scoreShape) + " without enlarging them");
        }
    }

    private static double min(Tensor t) {
        double m = Double.POSITIVE_INFINITY;
        for (double x : Checks.onHost(t).toDoubleArray()) {
            m = Math.min(m, x);
        }
        return m;
    }
}
