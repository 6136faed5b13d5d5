package io.panrec.autograd;

import io.panrec.ops.Elementwise;
import io.panrec.ops.Indexing;
import io.panrec.ops.Reductions;
import io.panrec.ops.Shapes;
import io.panrec.tensor.DType;
import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every gradient rule against finite differences in double precision (reference backend), on odd
 * sizes; the last dynamic test checks that every {@link Op} was exercised. (The same cases run on every
 * other backend in {@code io.panrec.testing.BackendConformance}.)
 */
class GradientRulesTest {
    private static final long SEED = Long.getLong("panrec.test.seed", System.nanoTime());

    private static String seedNote() {
        return " (seed " + SEED + ", rerun with -Dpanrec.test.seed=" + SEED + ")";
    }

    @TestFactory
    List<DynamicTest> everyRuleMatchesFiniteDifferences() {
        Set<Op> covered = EnumSet.noneOf(Op.class);
        List<DynamicTest> tests = new ArrayList<>();
        for (GradientCases.Case c : GradientCases.all(SEED)) {
            tests.add(DynamicTest.dynamicTest(c.name(), () -> {
                try {
                    covered.addAll(GradCheck.check(c.name(), c.f(), c.inputs()));
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + seedNote(), e);
                }
            }));
        }
        tests.add(DynamicTest.dynamicTest("every op has been checked", () -> {
            Set<Op> missing = EnumSet.allOf(Op.class);
            missing.removeAll(covered);
            missing.remove(Op.CAST); // checked exactly in castGradientIsExact (finite differences would cross F32)
            assertTrue(missing.isEmpty(), "ops without a finite-difference check: " + missing);
        }));
        return tests;
    }

    @Test
    void castGradientIsExact() {
        try (var ignored = io.panrec.backend.Backends.use("reference")) {
            Tensor x = Tensor.ofDoubles(new double[] {1, 2, 3}, 3).requiresGrad(true);
            Tensor w = Tensor.of(new float[] {0.5f, -2f, 4f}, 3);
            Tensor y = Reductions.sum(Elementwise.mul(Shapes.cast(x, DType.F32), w));
            assertEquals(Set.of(Op.CAST, Op.MUL, Op.SUM), GradCheck.opsBelow(y));
            y.backward();
            assertArrayEquals(new double[] {0.5, -2, 4}, x.grad().toDoubleArray(), 0);
            assertEquals(DType.F64, x.grad().dtype());
        }
    }

    @Test
    void sparseGradientOnlyHoldsTouchedRows() {
        try (var ignored = io.panrec.backend.Backends.use("reference")) {
            Tensor table = Tensor.zeros(10, 3).requiresGrad(true).sparseGradients(true);
            Tensor out = Indexing.gatherRows(table, Tensor.ofInts(new int[] {7, 2, 7}, 3));
            Reductions.sum(out).backward();
            RowSparseGrad.Coalesced c = table.sparseGrad().coalesce();
            assertArrayEquals(new long[] {2, 7}, c.rows());
            assertArrayEquals(new float[] {1, 1, 1, 2, 2, 2}, c.values().toFloatArray());
            assertEquals(null, table.grad());
        }
    }

    @Test
    void gradientsAccumulateAcrossBackwardCalls() {
        try (var ignored = io.panrec.backend.Backends.use("reference")) {
            Tensor x = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
            Reductions.sum(Elementwise.mul(x, x)).backward();
            Reductions.sum(Elementwise.mul(x, 3f)).backward();
            assertArrayEquals(new float[] {5, 7}, x.grad().toFloatArray());
            x.zeroGrad();
            assertArrayEquals(new float[] {0, 0}, x.grad().toFloatArray());
        }
    }

    @Test
    void noGradRecordsNothingAndBackwardExplainsWhy() {
        try (var ignored = io.panrec.backend.Backends.use("reference")) {
            Tensor x = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
            Tensor y;
            try (var off = Autograd.noGrad()) {
                y = Reductions.sum(Elementwise.mul(x, x));
            }
            assertTrue(y.isLeaf());
            IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
            assertTrue(e.getMessage().contains("does not require a gradient"), e.getMessage());
            Tensor v = Elementwise.mul(x, x);
            IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, v::backward);
            assertTrue(e2.getMessage().contains("not a scalar"), e2.getMessage());
        }
    }
}
