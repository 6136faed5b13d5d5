package io.panrec.ops;

import io.panrec.autograd.Autograd;
import io.panrec.backend.Backends;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import io.panrec.testing.Rand;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Indexing#gatherRowsAdd}: the fused kernel and the separate ops give the same rows. */
class IndexingTest {
    private final Rand rand = new Rand();

    @Test
    void fusedLookupMatchesTheSeparateOpsOnEveryBackend() {
        try (Scope s = Scope.open("lookup"); var _ = Autograd.noGrad()) {
            for (int d : new int[] {1, 7, 16, 33, 64}) {
                // the table is a column slice of a wider cache, as NeuMF's [item half | GMF factors] rows
                Tensor cache = rand.f32(29, 2 * d + 3);
                Tensor table = cache.slice(1, 2, 2 + d);
                Tensor ids = Tensor.ofLongs(rand.ids(15, 29), 3, 5);
                Tensor row = rand.f32(1, d);
                for (boolean relu : new boolean[] {false, true}) {
                    Tensor expect;
                    try (var _ = Backends.use("reference")) {
                        Tensor h = Indexing.gatherRows(table, ids).add(row.reshape(d));
                        expect = relu ? h.relu() : h;
                    }
                    for (String backend : new String[] {"reference", "vector"}) {
                        try (var _ = Backends.use(backend)) {
                            Tensor got = Indexing.gatherRowsAdd(table, ids, row, relu);
                            assertEquals(java.util.List.of(3, 5, d), java.util.Arrays.stream(got.shape()).boxed().toList());
                            rand.assertClose(backend + " gatherRowsAdd d=" + d + " relu=" + relu, expect, got, 2);
                        }
                    }
                }
            }
        }
    }

    @Test
    void aRowOfTheWrongWidthOrAnIdOutOfRangeIsRefused() {
        try (Scope s = Scope.open("lookup")) {
            Tensor table = rand.f32(10, 4);
            IllegalArgumentException wide = assertThrows(IllegalArgumentException.class,
                    () -> Indexing.gatherRowsAdd(table, Tensor.ofLongs(new long[] {1, 2}), rand.f32(5), true));
            assertTrue(wide.getMessage().contains("row must be [4]"), wide.getMessage());
            assertThrows(RuntimeException.class, () -> Indexing.gatherRowsAdd(table, Tensor.ofLongs(new long[] {1, 10}), rand.f32(4), true));
        }
    }
}
