package io.panrec.nn;

import io.panrec.autograd.Autograd;
import io.panrec.ops.Checks;
import io.panrec.ops.Elementwise;
import io.panrec.ops.Indexing;
import io.panrec.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * A lookup table of embeddings, as PyTorch's {@code nn.Embedding}: parameter "weight" [num, dim],
 * initialised N(0, 1) as PyTorch does (re-initialise with {@link Init} for a smaller scale).
 *
 * <p><b>Sparse gradients.</b> With {@code sparse = true} the table's gradient is row-sparse: backward
 * records only the rows looked up (see {@link io.panrec.autograd.RowSparseGrad}), and the optimizers
 * update only those rows. This is what makes a step over a million-item table cost as much as the rows
 * of the batch.
 *
 * <p><b>Padding index.</b> With a padding index, that row starts at zero, looks up as zeros and never
 * receives a gradient, so it stays zero through training (PyTorch's {@code padding_idx}).
 */
public final class Embedding extends Module implements Layer {
    private final int num;
    private final int dim;
    private final int paddingIndex;
    private final Parameter weight;

    /** num x dim table, no padding index, dense gradients. */
    public Embedding(int num, int dim, SplittableRandom random) {
        this(num, dim, -1, false, random);
    }

    /**
     * @param paddingIndex a row in [0, num) that stays zero, or -1 for none
     * @param sparse       whether the table gets row-sparse gradients
     */
    public Embedding(int num, int dim, int paddingIndex, boolean sparse, SplittableRandom random) {
        if (num < 1 || dim < 1) {
            throw new IllegalArgumentException("Embedding: num and dim must be >= 1, got " + num + " x " + dim);
        }
        if (paddingIndex < -1 || paddingIndex >= num) {
            throw new IllegalArgumentException("Embedding: paddingIndex " + paddingIndex + " is outside [0, " + num
                    + ") (use -1 for none)");
        }
        this.num = num;
        this.dim = dim;
        this.paddingIndex = paddingIndex;
        this.weight = registerParameter("weight", Parameter.zeros(num, dim));
        Init.normal(weight.value(), 0, 1, random);
        weight.value().sparseGradients(sparse);
        zeroPaddingRow();
    }

    private Embedding(Parameter weight, int paddingIndex, boolean sparse) {
        this.num = weight.value().shape(0);
        this.dim = weight.value().shape(1);
        this.paddingIndex = paddingIndex;
        this.weight = registerParameter("weight", weight);
        weight.value().sparseGradients(sparse);
    }

    /**
     * An embedding over an existing [num, dim] table (pretrained vectors), used as is, not copied.
     * With {@code freeze} it is not trained.
     */
    public static Embedding fromPretrained(Tensor table, boolean freeze, boolean sparse) {
        Checks.rank("Embedding.fromPretrained", "table", table, 2);
        Embedding e = new Embedding(Parameter.of(table), -1, sparse);
        e.weight.trainable(!freeze);
        return e;
    }

    private void zeroPaddingRow() {
        if (paddingIndex >= 0) {
            try (var ignored = Autograd.noGrad()) {
                Init.zeros(weight.value().slice(0, paddingIndex, paddingIndex + 1));
            }
        }
    }

    /** indices (I32/I64, any shape, each in [0, num)) -> [indices..., dim]. */
    @Override
    public Tensor forward(Tensor indices) {
        Checks.indices("Embedding", indices);
        Tensor out = Indexing.gatherRows(weight.value(), indices);
        if (paddingIndex >= 0) {
            long[] ids = Checks.onHost(indices).toLongArray();
            float[] keep = new float[ids.length];
            boolean any = false;
            for (int i = 0; i < ids.length; i++) {
                keep[i] = ids[i] == paddingIndex ? 0 : 1;
                any |= ids[i] == paddingIndex;
            }
            if (any) {
                // zero output and, through the product, zero gradient for the padding row
                int[] shape = java.util.Arrays.copyOf(indices.shape(), indices.rank() + 1);
                shape[indices.rank()] = 1;
                out = Elementwise.mul(out, Tensor.of(keep, shape).to(out.dtype()).to(out.device()));
            }
        }
        return out;
    }

    /** [num, dim]. */
    public Tensor weight() {
        return weight.value();
    }

    public int num() {
        return num;
    }

    public int dim() {
        return dim;
    }

    /** The padding row, or -1. */
    public int paddingIndex() {
        return paddingIndex;
    }

    /** Whether lookups give the table a row-sparse gradient. */
    public boolean sparse() {
        return weight.value().sparseGradients();
    }
}
