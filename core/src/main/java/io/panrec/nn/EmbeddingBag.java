package io.panrec.nn;

import io.panrec.ops.Checks;
import io.panrec.ops.Indexing;
import io.panrec.ops.Pooling;
import io.panrec.tensor.Device;
import io.panrec.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * Bags of embeddings pooled into one vector per bag, as PyTorch's {@code nn.EmbeddingBag}: a user's
 * history or an item's tags become one vector (YouTube-DNN style behaviour pooling). Parameter "weight"
 * [num, dim], initialised N(0, 1); modes SUM, MEAN, MAX (and LP, generalised-mean pooling with
 * exponent p). An empty bag pools to zeros.
 *
 * <p>Two input layouts: padded {@code [B, L]} ids with per-bag lengths, or PyTorch's flat ids with
 * offsets. Positions past a bag's length are never read into the result and get no gradient.
 */
public final class EmbeddingBag extends Module {
    private final int num;
    private final int dim;
    private final Pooling.Mode mode;
    private final float p;
    private final Parameter weight;

    public EmbeddingBag(int num, int dim, Pooling.Mode mode, boolean sparse, SplittableRandom random) {
        this(num, dim, mode, 2f, sparse, random);
    }

    /** @param p the exponent of {@link Pooling.Mode#LP} (ignored by the other modes) */
    public EmbeddingBag(int num, int dim, Pooling.Mode mode, float p, boolean sparse, SplittableRandom random) {
        if (num < 1 || dim < 1) {
            throw new IllegalArgumentException("EmbeddingBag: num and dim must be >= 1, got " + num + " x " + dim);
        }
        this.num = num;
        this.dim = dim;
        this.mode = java.util.Objects.requireNonNull(mode, "mode");
        this.p = p;
        this.weight = registerParameter("weight", Parameter.zeros(num, dim));
        Init.normal(weight.value(), 0, 1, random);
        weight.value().sparseGradients(sparse);
    }

    /**
     * Padded bags: indices I32/I64 [B, L], lengths I32/I64 [B] with each in [0, L] (null: every bag has
     * L ids) -> [B, dim]. Ids past a bag's length are ignored entirely (they may be any value, e.g. -1):
     * they are not looked up, so with sparse gradients they do not touch any row of the table.
     */
    public Tensor forward(Tensor indices, Tensor lengths) {
        String op = "EmbeddingBag";
        Checks.indices(op, indices);
        Checks.rank(op, "indices", indices, 2);
        int b = indices.shape(0);
        int l = indices.shape(1);
        long[] ids = Checks.onHost(indices).toLongArray(); // the bags are laid out in Java, whatever the device
        long[] len = new long[b];
        if (lengths == null) {
            java.util.Arrays.fill(len, l);
        } else {
            Checks.indices(op, lengths);
            Checks.shape(op, "lengths", lengths, b);
            len = Checks.indexRange(op + " (lengths must lie in [0, L])", lengths, l + 1L);
        }
        return pool(b, l, len, (bag, j) -> ids[bag * l + j]);
    }

    /** Bag b, position j -> id. */
    private interface IdAt {
        long id(int bag, int position);
    }

    private Tensor pool(int b, int l, long[] len, IdAt idAt) {
        int total = 0;
        for (long x : len) {
            total += (int) x;
        }
        int width = Math.max(l, 1); // an all-empty batch still needs a pooling axis
        if (total == (long) b * l && l > 0) {
            long[] all = new long[b * l];
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < l; j++) {
                    all[i * l + j] = idAt.id(i, j);
                }
            }
            Device dev = weight.value().device();
            Tensor rows = Indexing.gatherRows(weight.value(), Tensor.ofLongs(all, b, l).to(dev)); // [B, L, dim]
            return Pooling.maskedPool(rows, Tensor.ofLongs(len, b).to(dev), mode, p);
        }
        // Ragged bags: look up only the real ids (so padding never reaches the table's gradient), then
        // lay them out as [B, L, dim] from those rows plus one zero row for the padding slots.
        long[] real = new long[total];
        long[] slot = new long[b * width];
        int k = 0;
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < width; j++) {
                if (j < len[i]) {
                    real[k] = idAt.id(i, j);
                    slot[i * width + j] = k++;
                } else {
                    slot[i * width + j] = total;
                }
            }
        }
        Device dev = weight.value().device();
        Tensor looked = Indexing.gatherRows(weight.value(), Tensor.ofLongs(real, total).to(dev)); // [total, dim]
        Tensor withZero = io.panrec.ops.Shapes.concat(0, looked, Tensor.zeros(dev, looked.dtype(), 1, dim));
        Tensor rows = Indexing.gatherRows(withZero, Tensor.ofLongs(slot, b, width).to(dev));    // [B, L, dim]
        return Pooling.maskedPool(rows, Tensor.ofLongs(len, b).to(dev), mode, p);
    }

    /**
     * PyTorch's flat layout: ids I32/I64 [N] of all bags one after another, offsets I32/I64 [B] the
     * start of each bag (offsets[0] = 0, non-decreasing, each <= N; bag b ends where bag b+1 starts, the
     * last at N) -> [B, dim].
     */
    public Tensor forwardOffsets(Tensor ids, Tensor offsets) {
        String op = "EmbeddingBag.forwardOffsets";
        Checks.indices(op, ids);
        Checks.indices(op, offsets);
        Checks.rank(op, "ids", ids, 1);
        Checks.rank(op, "offsets", offsets, 1);
        int n = ids.shape(0);
        int b = offsets.shape(0);
        long[] off = Checks.onHost(offsets).toLongArray();
        long[] flat = Checks.onHost(ids).toLongArray();
        long[] len = new long[b];
        int longest = 0;
        for (int i = 0; i < b; i++) {
            long end = i + 1 < b ? off[i + 1] : n;
            if (off[i] < 0 || off[i] > end || end > n || (i == 0 && off[0] != 0)) {
                throw new IllegalArgumentException(op + ": offsets " + java.util.Arrays.toString(off) + " must start at 0, "
                        + "never decrease and stay <= the number of ids " + n + " (problem at bag " + i + ")");
            }
            len[i] = end - off[i];
            longest = (int) Math.max(longest, len[i]);
        }
        return pool(b, longest, len, (bag, j) -> flat[(int) off[bag] + j]);
    }

    /** [num, dim]. */
    public Tensor weight() {
        return weight.value();
    }

    public Pooling.Mode mode() {
        return mode;
    }

    public int dim() {
        return dim;
    }

    public int num() {
        return num;
    }
}
