package io.panrec.nn;

import io.panrec.ops.Recurrent;
import io.panrec.ops.Shapes;
import io.panrec.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * A (stacked) gated recurrent unit over batch-first sequences, as PyTorch's
 * {@code nn.GRU(batch_first=True)}; see {@link Recurrent} for the equations. Parameters per layer k,
 * with PyTorch's names so its checkpoints load: {@code weight_ih_lk} [3H, I_k], {@code weight_hh_lk}
 * [3H, H], {@code bias_ih_lk} and {@code bias_hh_lk} [3H] (gates r, z, n), all initialised
 * U(-1/sqrt(H), 1/sqrt(H)). Used by GRU4Rec (Hidasi et al. 2016).
 */
public final class GRU extends Module {
    private final int inputSize;
    private final int hiddenSize;
    private final int numLayers;
    private final Parameter[] wIh;
    private final Parameter[] wHh;
    private final Parameter[] bIh;
    private final Parameter[] bHh;
    private final Dropout dropout;

    /** The outputs of a forward pass. */
    public record Output(Tensor output, Tensor hidden) {
        /** The last layer's final hidden state [B, H] (the usual sequence representation). */
        public Tensor last() {
            return Shapes.squeeze(Shapes.slice(hidden, 0, hidden.shape(0) - 1, hidden.shape(0)), 0);
        }
    }

    /** One layer, with biases, no dropout. */
    public GRU(int inputSize, int hiddenSize, SplittableRandom random) {
        this(inputSize, hiddenSize, 1, true, 0f, random);
    }

    /**
     * @param dropout dropout on the outputs of every layer but the last, in training (as PyTorch)
     * @param random  initialises the weights; the dropout pattern comes from a split of it
     */
    public GRU(int inputSize, int hiddenSize, int numLayers, boolean bias, float dropout, SplittableRandom random) {
        if (inputSize < 1 || hiddenSize < 1 || numLayers < 1) {
            throw new IllegalArgumentException("GRU: inputSize, hiddenSize and numLayers must be >= 1, got " + inputSize
                    + ", " + hiddenSize + ", " + numLayers);
        }
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.numLayers = numLayers;
        this.wIh = new Parameter[numLayers];
        this.wHh = new Parameter[numLayers];
        this.bIh = new Parameter[numLayers];
        this.bHh = new Parameter[numLayers];
        double bound = 1 / Math.sqrt(hiddenSize);
        for (int k = 0; k < numLayers; k++) {
            int in = k == 0 ? inputSize : hiddenSize;
            wIh[k] = registerParameter("weight_ih_l" + k, Parameter.zeros(3 * hiddenSize, in));
            wHh[k] = registerParameter("weight_hh_l" + k, Parameter.zeros(3 * hiddenSize, hiddenSize));
            Init.uniform(wIh[k].value(), -bound, bound, random);
            Init.uniform(wHh[k].value(), -bound, bound, random);
            if (bias) {
                bIh[k] = registerParameter("bias_ih_l" + k, Parameter.zeros(3 * hiddenSize));
                bHh[k] = registerParameter("bias_hh_l" + k, Parameter.zeros(3 * hiddenSize));
                Init.uniform(bIh[k].value(), -bound, bound, random);
                Init.uniform(bHh[k].value(), -bound, bound, random);
            }
        }
        this.dropout = dropout > 0 && numLayers > 1 ? registerModule("dropout", new Dropout(dropout, random.split())) : null;
    }

    /** {@link #forward(Tensor, Tensor, Tensor)} from zero states over full-length sequences. */
    public Output forward(Tensor x) {
        return forward(x, null, null);
    }

    /**
     * @param x       [B, T, inputSize]
     * @param h0      [numLayers, B, H] initial states, or null for zeros
     * @param lengths I32/I64 [B] valid steps per row (each in [0, T]), or null for all T: outputs past a
     *                row's length are zero and its final state is that of its last valid step
     * @return output [B, T, H] of the last layer, and hidden [numLayers, B, H] the final states
     */
    public Output forward(Tensor x, Tensor h0, Tensor lengths) {
        if (x.rank() != 3 || x.shape(2) != inputSize) {
            throw new IllegalArgumentException("GRU: input must be [B, T, " + inputSize + "], got " + x.describe());
        }
        int b = x.shape(0);
        if (h0 != null && (h0.rank() != 3 || h0.shape(0) != numLayers || h0.shape(1) != b || h0.shape(2) != hiddenSize)) {
            throw new IllegalArgumentException("GRU: h0 must be [numLayers, B, H] = [" + numLayers + ", " + b + ", "
                    + hiddenSize + "], got " + h0.describe());
        }
        Tensor layerInput = x;
        Tensor[] finals = new Tensor[numLayers];
        for (int k = 0; k < numLayers; k++) {
            Tensor init = h0 == null ? null : Shapes.squeeze(Shapes.slice(h0, 0, k, k + 1), 0);
            Recurrent.GruResult r = Recurrent.gru(layerInput, init, wIh[k].value(), wHh[k].value(), value(bIh[k]),
                    value(bHh[k]), lengths);
            finals[k] = r.last();
            layerInput = r.output();
            if (dropout != null && k + 1 < numLayers) {
                layerInput = dropout.forward(layerInput);
            }
        }
        return new Output(layerInput, Shapes.stack(0, finals));
    }

    private static Tensor value(Parameter p) {
        return p == null ? null : p.value();
    }

    public int hiddenSize() {
        return hiddenSize;
    }

    public int numLayers() {
        return numLayers;
    }
}
