package io.panrec.models.behaviour;

import io.panrec.tensor.Device;
import io.panrec.tensor.Tensor;

/**
 * Variable-length bags of ids, right-padded into a rectangle: {@code ids [rows, width]} with row
 * {@code r} holding {@code lengths[r]} real ids followed by padding (id 0, never read by the masked
 * poolings), {@code width >= 1} even when every bag is empty so that the tensors are never empty.
 *
 * @param ids     row-major {@code rows * width} ids
 * @param lengths real ids per row, each in {@code [0, width]}
 * @param width   the padded length T
 */
record Bag(long[] ids, long[] lengths, int width) {
    int rows() {
        return lengths.length;
    }

    /** {@code [rows, width] I64} on {@code device} (that of the table the ids index). */
    Tensor idsTensor(Device device) {
        return Tensor.ofLongs(ids, rows(), width).to(device);
    }

    /** {@code [rows] I64} on {@code device}. */
    Tensor lengthsTensor(Device device) {
        return Tensor.ofLongs(lengths, rows()).to(device);
    }

    /** The bag of row {@code r}. */
    long[] row(int r) {
        return java.util.Arrays.copyOfRange(ids, r * width, (int) (r * width + lengths[r]));
    }

    /** Packs {@code bags} (one array per row) right-padded to the longest (at least 1). */
    static Bag of(long[][] bags) {
        int width = 1;
        for (long[] b : bags) {
            width = Math.max(width, b.length);
        }
        long[] ids = new long[bags.length * width];
        long[] lengths = new long[bags.length];
        for (int r = 0; r < bags.length; r++) {
            System.arraycopy(bags[r], 0, ids, r * width, bags[r].length);
            lengths[r] = bags[r].length;
        }
        return new Bag(ids, lengths, width);
    }
}
