package io.panrec.nn;

import io.panrec.ops.Pooling;
import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.SplittableRandom;

import static io.panrec.nn.TestSeed.ids;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Embedding and EmbeddingBag: lookups, padding, sparse gradients, pooling modes and both bag layouts. */
class EmbeddingTest {
    @RegisterExtension
    static final TestSeed SEED = new TestSeed();

    private static double[] row(Tensor table, long r) {
        int d = table.shape(1);
        double[] out = new double[d];
        for (int j = 0; j < d; j++) {
            out[j] = table.get((int) r, j);
        }
        return out;
    }

    @Test
    void lookupGivesTheRows() {
        SplittableRandom r = SEED.random("lookup");
        Embedding e = new Embedding(11, 3, r);
        Tensor idx = ids(r, 11, 2, 5);
        Tensor out = e.forward(idx);
        assertArrayEquals(new int[] {2, 5, 3}, out.shape());
        long[] flat = idx.toLongArray();
        for (int i = 0; i < flat.length; i++) {
            assertArrayEquals(row(e.weight(), flat[i]), row(out.reshape(10, 3), i), 0.0);
        }
        assertThrows(IndexOutOfBoundsException.class, () -> e.forward(Tensor.ofInts(new int[] {11})));
        assertThrows(IllegalArgumentException.class, () -> e.forward(Tensor.zeros(2)));
        NnTesting.assertStateDictRoundTrip(seed -> new Embedding(11, 3, new SplittableRandom(seed)), m -> m.forward(idx));
    }

    @Test
    void sparseGradientsHoldOnlyTheRowsLookedUp() {
        SplittableRandom r = SEED.random("sparse");
        Embedding dense = new Embedding(50, 4, -1, false, new SplittableRandom(5));
        Embedding sparse = new Embedding(50, 4, -1, true, new SplittableRandom(5));
        Tensor idx = Tensor.ofLongs(new long[] {3, 17, 3, 42}, 4);
        Tensor w = TestSeed.f32(r, 4, 4);
        dense.forward(idx).mul(w).sum().backward();
        sparse.forward(idx).mul(w).sum().backward();
        assertNull(sparse.weight().grad(), "no dense gradient for a sparse table");
        var coalesced = sparse.weight().sparseGrad().coalesce();
        assertArrayEquals(new long[] {3, 17, 42}, coalesced.rows());
        assertArrayEquals(dense.weight().grad().toFloatArray(), sparse.weight().sparseGrad().toDense().toFloatArray(), 1e-6f);

        Embedding e = NnTesting.inF64(() -> new Embedding(9, 3, -1, true, r));
        NnTesting.gradCheck("Embedding sparse", e, in -> e.forward(in[0]), Tensor.ofInts(new int[] {0, 8, 8, 2, 5, 0}, 2, 3));
    }

    @Test
    void paddingRowStaysZeroAndGetsNoGradient() {
        SplittableRandom r = SEED.random("padding");
        for (boolean sparse : new boolean[] {false, true}) {
            Embedding e = new Embedding(6, 3, 0, sparse, r);
            assertArrayEquals(new double[3], row(e.weight(), 0), 0.0);
            Tensor idx = Tensor.ofLongs(new long[] {2, 0, 0, 5}, 2, 2);
            Tensor out = e.forward(idx);
            assertArrayEquals(new double[3], row(out.reshape(4, 3), 1), 0.0);
            out.mul(TestSeed.f32(r, 2, 2, 3)).sum().backward();
            Tensor g = sparse ? e.weight().sparseGrad().toDense() : e.weight().grad();
            assertArrayEquals(new double[3], row(g, 0), 0.0, "padding row gradient");
            assertFalse(row(g, 2)[0] == 0);
            NnTesting.sgdStep(e, 0.5);
            assertArrayEquals(new double[3], row(e.weight(), 0), 0.0, "padding row after a step");
        }
        assertThrows(IllegalArgumentException.class, () -> new Embedding(6, 3, 6, false, r));
        Embedding f64 = NnTesting.inF64(() -> new Embedding(5, 2, 1, false, r));
        NnTesting.gradCheck("Embedding padding", f64, in -> f64.forward(in[0]), Tensor.ofInts(new int[] {1, 0, 1, 4}));
    }

    @Test
    void fromPretrainedUsesTheTableAndCanFreezeIt() {
        Tensor table = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        Embedding frozen = Embedding.fromPretrained(table, true, false);
        assertEquals(0, frozen.parameters().size());
        assertEquals(1, frozen.namedParameters().size());
        assertArrayEquals(new float[] {5, 6, 1, 2}, frozen.forward(Tensor.ofInts(new int[] {2, 0})).toFloatArray());
        assertFalse(frozen.forward(Tensor.ofInts(new int[] {1})).requiresGrad());
        Embedding tuned = Embedding.fromPretrained(Tensor.of(new float[] {1, 2}, 1, 2), false, true);
        assertEquals(1, tuned.parameters().size());
        assertTrue(tuned.sparse());
    }

    /** The pooled bag by hand. */
    private static double[] bag(Tensor table, long[] ids, Pooling.Mode mode, double p) {
        int d = table.shape(1);
        double[] out = new double[d];
        if (ids.length == 0) {
            return out;
        }
        for (int j = 0; j < d; j++) {
            double acc = mode == Pooling.Mode.MAX ? Double.NEGATIVE_INFINITY : 0;
            for (long id : ids) {
                double v = table.get((int) id, j);
                acc = switch (mode) {
                    case SUM, MEAN -> acc + v;
                    case MAX -> Math.max(acc, v);
                    case LP -> acc + Math.pow(Math.abs(v), p);
                };
            }
            out[j] = switch (mode) {
                case SUM, MAX -> acc;
                case MEAN -> acc / ids.length;
                case LP -> Math.pow(acc, 1 / p);
            };
        }
        return out;
    }

    @Test
    void bagsPoolInEveryModeAndBothLayouts() {
        SplittableRandom r = SEED.random("bags");
        long[][] bags = {{4, 1, 1}, {}, {7}, {0, 2}};
        long[] flat = {4, 1, 1, 7, 0, 2};
        long[] offsets = {0, 3, 3, 4};
        long[] padded = {4, 1, 1, 7, -1, -1, 7, 9, 9, 0, 2, -5}; // padding slots may hold anything
        long[] lengths = {3, 0, 1, 2};
        for (Pooling.Mode mode : Pooling.Mode.values()) {
            EmbeddingBag eb = new EmbeddingBag(8, 5, mode, 3f, false, r);
            Tensor a = eb.forward(Tensor.ofLongs(padded, 4, 3), Tensor.ofLongs(lengths));
            Tensor b = eb.forwardOffsets(Tensor.ofLongs(flat), Tensor.ofLongs(offsets));
            assertArrayEquals(new int[] {4, 5}, a.shape());
            for (int i = 0; i < 4; i++) {
                double[] expected = bag(eb.weight(), bags[i], mode, 3);
                TestSeed.assertClose(expected, row(a, i), 1e-5, mode + " padded bag " + i);
                TestSeed.assertClose(expected, row(b, i), 1e-5, mode + " offsets bag " + i);
            }
        }
        // full bags without lengths
        EmbeddingBag sum = new EmbeddingBag(8, 2, Pooling.Mode.SUM, false, r);
        Tensor full = sum.forward(Tensor.ofLongs(new long[] {1, 2, 3, 4}, 2, 2), null);
        TestSeed.assertClose(bag(sum.weight(), new long[] {3, 4}, Pooling.Mode.SUM, 0), row(full, 1), 1e-6, "full");
        // every bag empty
        Tensor empty = sum.forwardOffsets(Tensor.ofLongs(new long[0], 0), Tensor.ofLongs(new long[] {0, 0}));
        assertArrayEquals(new float[4], empty.toFloatArray());

        var e = assertThrows(IllegalArgumentException.class,
                () -> sum.forwardOffsets(Tensor.ofLongs(flat), Tensor.ofLongs(new long[] {0, 4, 3, 5})));
        assertTrue(e.getMessage().contains("offsets"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> sum.forwardOffsets(Tensor.ofLongs(flat), Tensor.ofLongs(new long[] {1, 4})));
        assertThrows(IndexOutOfBoundsException.class,
                () -> sum.forward(Tensor.ofLongs(padded, 4, 3), Tensor.ofLongs(new long[] {3, 0, 4, 2})));
        assertThrows(IndexOutOfBoundsException.class,
                () -> sum.forward(Tensor.ofLongs(padded, 4, 3), Tensor.ofLongs(new long[] {3, 2, 1, 2})));
    }

    @Test
    void paddingSlotsNeverTouchTheSparseGradient() {
        EmbeddingBag eb = new EmbeddingBag(10, 3, Pooling.Mode.MEAN, true, new SplittableRandom(1));
        eb.forward(Tensor.ofLongs(new long[] {5, 6, 0, 7, 0, 0}, 2, 3), Tensor.ofLongs(new long[] {2, 1}))
                .sum().backward();
        assertArrayEquals(new long[] {5, 6, 7}, eb.weight().sparseGrad().coalesce().rows(),
                "row 0 only fills padding slots and must not be touched (a lazy Adam step would move it)");
    }

    @Test
    void bagGradients() {
        SplittableRandom r = SEED.random("bagGrads");
        Tensor padded = Tensor.ofLongs(new long[] {4, 1, 1, 6, 0, 0, 2, 3, 5}, 3, 3);
        Tensor lengths = Tensor.ofLongs(new long[] {3, 1, 2});
        for (Pooling.Mode mode : Pooling.Mode.values()) {
            EmbeddingBag eb = NnTesting.inF64(() -> new EmbeddingBag(7, 3, mode, 2.5f, mode == Pooling.Mode.SUM, r));
            NnTesting.gradCheck("EmbeddingBag " + mode, eb, in -> eb.forward(in[0], in[1]), padded, lengths);
        }
        EmbeddingBag eb = NnTesting.inF64(() -> new EmbeddingBag(7, 2, Pooling.Mode.MEAN, true, r));
        NnTesting.gradCheck("EmbeddingBag offsets", eb, in -> eb.forwardOffsets(in[0], in[1]),
                Tensor.ofLongs(new long[] {1, 2, 2, 6}), Tensor.ofLongs(new long[] {0, 0, 3}));
        NnTesting.assertStateDictRoundTrip(seed -> new EmbeddingBag(7, 3, Pooling.Mode.MAX, false, new SplittableRandom(seed)),
                m -> m.forward(padded, lengths));
    }
}
