package io.panrec.ops;

import io.panrec.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Gated recurrent units (Cho et al. 2014) as in PyTorch's {@code nn.GRU}, composed from primitive ops:
 * <pre>
 *   r  = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
 *   z  = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
 *   n  = tanh(W_in x + b_in + r * (W_hn h + b_hn))
 *   h' = (1 - z) * n + z * h
 * </pre>
 * The weights stack the three gates in PyTorch's order (r, z, n): {@code wIh} is [3H, I], {@code wHh}
 * [3H, H], the biases [3H]; so PyTorch checkpoints ({@code weight_ih_l0}, ...) load unchanged.
 */
public final class Recurrent {
    private Recurrent() {
    }

    /** Outputs of {@link #gru}: every step's hidden state and the last valid one of each row. */
    public record GruResult(Tensor output, Tensor last) {
    }

    /**
     * One GRU step.
     *
     * @param x   [B, I] input
     * @param h   [B, H] previous hidden state
     * @param wIh [3H, I], {@code wHh} [3H, H]; {@code bIh}, {@code bHh} [3H] or null
     * @return [B, H] the next hidden state
     */
    public static Tensor gruCell(Tensor x, Tensor h, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        String op = "gruCell";
        Checks.floating(op, x, h, wIh, wHh, bIh, bHh);
        Checks.rank(op, "x", x, 2);
        Checks.rank(op, "h", h, 2);
        int hidden = checkWeights(op, x.shape(1), wIh, wHh, bIh, bHh);
        Checks.shape(op, "h", h, x.shape(0), hidden);
        return step(Linalg.linear(x, wIh, bIh), h, wHh, bHh, hidden);
    }

    /**
     * A GRU over a batch of sequences (batch first).
     *
     * @param x       [B, T, I] inputs
     * @param h0      [B, H] initial hidden state, or null for zeros
     * @param wIh     [3H, I], {@code wHh} [3H, H]; {@code bIh}, {@code bHh} [3H] or null
     * @param lengths null (every row has T steps) or I32/I64 [B] with each length in [0, T]: row b is
     *                run for its first lengths[b] steps only, its outputs after that are zero, and its
     *                last hidden state is the one of step lengths[b] - 1 (h0 for an empty row), as with
     *                PyTorch's packed sequences
     * @return output [B, T, H] (the hidden state after each step) and last [B, H]
     */
    public static GruResult gru(Tensor x, Tensor h0, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh, Tensor lengths) {
        String op = "gru";
        Checks.floating(op, x, h0, wIh, wHh, bIh, bHh);
        Checks.rank(op, "x", x, 3);
        int b = x.shape(0);
        int t = x.shape(1);
        int hidden = checkWeights(op, x.shape(2), wIh, wHh, bIh, bHh);
        io.panrec.backend.Backends.on(op, x, h0, wIh, wHh, bIh, bHh, lengths); // mixed devices fail first
        Tensor h = h0;
        if (h == null) {
            h = Tensor.zeros(x.device(), x.dtype(), b, hidden);
        } else {
            Checks.shape(op, "h0", h0, b, hidden);
        }
        long[] len = null;
        int steps = t;
        if (lengths != null) {
            Checks.indices(op, lengths);
            Checks.shape(op, "lengths", lengths, b);
            len = Checks.indexRange(op + " (lengths must lie in [0, T])", lengths, t + 1L);
            steps = 0;
            for (long l : len) {
                steps = (int) Math.max(steps, l);
            }
        }
        if (t == 0) {
            return new GruResult(Tensor.zeros(x.device(), x.dtype(), b, 0, hidden), h);
        }
        // The input projections of all steps at once: one large matrix product instead of T small ones.
        Tensor gatesIn = Linalg.linear(x, wIh, bIh); // [B, T, 3H]
        List<Tensor> outputs = new ArrayList<>(t);
        for (int s = 0; s < steps; s++) {
            Tensor gi = Shapes.squeeze(Shapes.slice(gatesIn, 1, s, s + 1), 1);
            Tensor next = step(gi, h, wHh, bHh, hidden);
            Tensor active = len == null ? null : activeRows(len, s, x);
            if (active == null) {
                h = next;
                outputs.add(next);
            } else {
                // exact selection for 0/1 masks: finished rows keep their state and output zeros
                h = Elementwise.add(Elementwise.mul(next, active), Elementwise.mul(h, Elementwise.rsub(1f, active)));
                outputs.add(Elementwise.mul(next, active));
            }
        }
        Tensor zeros = null;
        for (int s = steps; s < t; s++) {
            if (zeros == null) {
                zeros = Tensor.zeros(x.device(), x.dtype(), b, hidden);
            }
            outputs.add(zeros);
        }
        return new GruResult(Shapes.stack(1, outputs.toArray(new Tensor[0])), h);
    }

    /** [B, 1] with 1 for rows still running at step s, or null when all are. */
    private static Tensor activeRows(long[] len, int s, Tensor like) {
        double[] m = new double[len.length];
        boolean all = true;
        for (int i = 0; i < len.length; i++) {
            m[i] = s < len[i] ? 1 : 0;
            all &= s < len[i];
        }
        return all ? null : Tensor.ofDoubles(m, len.length, 1).to(like.dtype()).to(like.device());
    }

    /** One step from precomputed input gates gi [B, 3H]. */
    private static Tensor step(Tensor gi, Tensor h, Tensor wHh, Tensor bHh, int hidden) {
        Tensor gh = Linalg.linear(h, wHh, bHh);
        Tensor r = Elementwise.sigmoid(Elementwise.add(gate(gi, 0, hidden), gate(gh, 0, hidden)));
        Tensor z = Elementwise.sigmoid(Elementwise.add(gate(gi, 1, hidden), gate(gh, 1, hidden)));
        Tensor n = Elementwise.tanh(Elementwise.add(gate(gi, 2, hidden), Elementwise.mul(r, gate(gh, 2, hidden))));
        // (1 - z) * n + z * h, written as n + z * (h - n): one product fewer
        return Elementwise.add(n, Elementwise.mul(z, Elementwise.sub(h, n)));
    }

    private static Tensor gate(Tensor g, int index, int hidden) {
        return Shapes.slice(g, -1, index * hidden, (index + 1) * hidden);
    }

    /** Checks the weight shapes against the input size; returns H. */
    private static int checkWeights(String op, int inputSize, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        Checks.rank(op, "wIh", wIh, 2);
        Checks.rank(op, "wHh", wHh, 2);
        int g = wIh.shape(0);
        if (g % 3 != 0) {
            throw new IllegalArgumentException(op + ": wIh " + wIh.describe()
                    + " must stack the three gates (r, z, n) as [3H, I]; its first axis is not a multiple of 3");
        }
        int hidden = g / 3;
        Checks.shape(op, "wIh (the input weights [3H, I], for the input size I of x)", wIh, 3 * hidden, inputSize);
        Checks.shape(op, "wHh (the hidden weights [3H, H])", wHh, 3 * hidden, hidden);
        if (bIh != null) {
            Checks.shape(op, "bIh", bIh, 3 * hidden);
        }
        if (bHh != null) {
            Checks.shape(op, "bHh", bHh, 3 * hidden);
        }
        return hidden;
    }
}
