package io.panrec.optim;

import io.panrec.tensor.DType;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

import static io.panrec.optim.OptimTesting.floats;
import static io.panrec.optim.OptimTesting.grad;
import static io.panrec.optim.OptimTesting.param;
import static io.panrec.optim.OptimTesting.row;
import static io.panrec.optim.OptimTesting.sparse;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Row-sparse gradients: only touched rows change, and they change as the dense rule says. */
class SparseUpdateTest {
    private static final int V = 50;
    private static final int D = 7;

    private static final List<Function<List<Tensor>, Optimizer>> KINDS = List.of(
            ps -> new SGD(ps, 0.1),
            ps -> new SGD(ps, SGD.Config.of(0.1).withMomentum(0.9).withNesterov(true).withWeightDecay(0.01)),
            ps -> new Adam(ps, Adam.Config.of(0.01).withWeightDecay(0.001)),
            ps -> new AdamW(ps, 0.01),
            ps -> new Adagrad(ps, Adagrad.Config.of(0.1).withInitialAccumulator(0.1).withWeightDecay(0.01)));

    private static int[] bits(float[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Float.floatToRawIntBits(v[i]);
        }
        return out;
    }

    @Test
    void touchedRowsFollowTheDenseRuleAndOtherRowsStayBitIdentical() {
        long seed = System.nanoTime();
        int[] touched = {3, 17, 42};
        for (var make : KINDS) {
            SplittableRandom r = new SplittableRandom(seed);
            float[] init = OptimTesting.random(r, V * D, 1);
            Tensor table = param(init, V, D).sparseGradients(true);
            Optimizer sparseOpt = make.apply(List.of(table));
            // the same rows as a small dense parameter, stepped by the same optimizer kind
            float[] small0 = new float[touched.length * D];
            for (int k = 0; k < touched.length; k++) {
                System.arraycopy(init, touched[k] * D, small0, k * D, D);
            }
            Tensor small = param(small0, touched.length, D);
            Optimizer denseOpt = make.apply(List.of(small));
            String what = sparseOpt + " (seed " + seed + ")";
            try (Scope step = Scope.open("steps")) {
                for (int s = 0; s < 4; s++) {
                    // rows 17 and 42 arrive twice, in two chunks; the summed gradient is what counts
                    float[] c1 = OptimTesting.random(r, 3 * D, 1);
                    float[] c2 = OptimTesting.random(r, 2 * D, 1);
                    sparseOpt.zeroGrad();
                    sparse(table, new long[] {42, 3, 17}, c1);
                    sparse(table, new long[] {17, 42}, c2);
                    float[] summed = new float[touched.length * D];
                    for (int j = 0; j < D; j++) {
                        summed[0 * D + j] = 0f + c1[D + j];                 // row 3
                        summed[1 * D + j] = 0f + c1[2 * D + j] + c2[j];     // row 17
                        summed[2 * D + j] = 0f + c1[j] + c2[D + j];         // row 42
                    }
                    grad(small, summed);
                    sparseOpt.step();
                    denseOpt.step();
                }
                float[] got = floats(table);
                for (int row = 0; row < V; row++) {
                    int k = java.util.Arrays.binarySearch(touched, row);
                    float[] expected = k >= 0 ? row(floats(small), k, D) : row(init, row, D);
                    assertArrayEquals(bits(expected), bits(row(got, row, D)), what + ": row " + row);
                }
                // moments of untouched rows never moved from their initial value
                for (var e : sparseOpt.stateDict().entrySet()) {
                    if (e.getValue().rank() != 2) {
                        continue;
                    }
                    float[] st = floats(e.getValue());
                    float[] smallSt = floats(denseOpt.stateDict().get(e.getKey()));
                    for (int row = 0; row < V; row++) {
                        int k = java.util.Arrays.binarySearch(touched, row);
                        if (k >= 0) {
                            assertArrayEquals(bits(row(smallSt, k, D)), bits(row(st, row, D)), what + " " + e.getKey() + " row " + row);
                        } else {
                            float init0 = e.getKey().endsWith(".sum") ? 0.1f : 0f;
                            for (float x : row(st, row, D)) {
                                assertEquals(init0, x, 0, what + " " + e.getKey() + " row " + row);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void manyRowsWithConsecutiveRunsAcrossWorkGroupsMatchTheDenseRuleBitForBit() {
        // 33 columns: 31 rows fit in one work group, so 120 touched rows (with runs of consecutive rows and
        // gaps) take several groups and runs that cross group ends
        int v = 300;
        int d = 33;
        long[] touched = java.util.stream.LongStream.concat(java.util.stream.LongStream.range(0, 50),
                java.util.stream.LongStream.iterate(51, x -> x < 300, x -> x + 4)).limit(120).toArray();
        for (var make : KINDS) {
            SplittableRandom r = new SplittableRandom(9);
            float[] init = OptimTesting.random(r, v * d, 1);
            Tensor table = param(init, v, d).sparseGradients(true);
            float[] small0 = new float[touched.length * d];
            for (int k = 0; k < touched.length; k++) {
                System.arraycopy(init, (int) touched[k] * d, small0, k * d, d);
            }
            Tensor small = param(small0, touched.length, d);
            Optimizer sparseOpt = make.apply(List.of(table));
            Optimizer denseOpt = make.apply(List.of(small));
            try (Scope step = Scope.open("steps")) {
                for (int s = 0; s < 3; s++) {
                    float[] g = OptimTesting.random(r, touched.length * d, 1);
                    sparseOpt.zeroGrad();
                    sparse(table, touched, g);
                    grad(small, g);
                    sparseOpt.step();
                    denseOpt.step();
                }
                float[] got = floats(table);
                float[] want = floats(small);
                for (int k = 0; k < touched.length; k++) {
                    assertArrayEquals(bits(row(want, k, d)), bits(row(got, (int) touched[k], d)), sparseOpt + ": row " + touched[k]);
                }
                assertArrayEquals(bits(row(init, 50, d)), bits(row(got, 50, d)), sparseOpt + ": untouched row 50");
            }
        }
    }

    @Test
    void lazyAdamUsesTheTablesStepCountAndLeavesEarlierRowsAlone() {
        double lr = 0.01;
        double b1 = 0.9;
        double b2 = 0.999;
        float[] init = new float[V * D];
        java.util.Arrays.fill(init, 1f);
        Tensor table = param(init, V, D).sparseGradients(true);
        Adam adam = new Adam(List.of(table), lr);
        float[] g = {0.5f, -1, 2, 0, 0.25f, -0.125f, 3};
        try (Scope step = Scope.open("steps")) {
            for (int s = 0; s < 3; s++) {
                adam.zeroGrad();
                sparse(table, new long[] {5}, g);
                adam.step();
            }
            float[] row5 = row(floats(table), 5, D);
            float[] m5 = row(floats(adam.stateDict().get("param.0.exp_avg")), 5, D);
            adam.zeroGrad();
            sparse(table, new long[] {9}, g);
            adam.step(); // the table's 4th step, row 9's first gradient
            assertArrayEquals(bits(row5), bits(row(floats(table), 5, D)), "row 5 is not touched by step 4");
            assertArrayEquals(bits(m5), bits(row(floats(adam.stateDict().get("param.0.exp_avg")), 5, D)),
                    "row 5's moment does not decay when the row is not looked up");
            float[] row9 = row(floats(table), 9, D);
            for (int j = 0; j < D; j++) {
                double m = (1 - b1) * g[j];
                double v = (1 - b2) * g[j] * g[j];
                double expected = 1 - lr / (1 - Math.pow(b1, 4)) * m / (Math.sqrt(v) / Math.sqrt(1 - Math.pow(b2, 4)) + 1e-8);
                assertEquals(expected, row9[j], 1e-6, "row 9 element " + j + ": bias corrections use t = 4");
            }
            assertEquals(4, adam.steps(0));
        }
    }

    @Test
    void sparseEqualsDenseForPlainSgdAndAdagrad() {
        long seed = System.nanoTime();
        List<Function<List<Tensor>, Optimizer>> exact = List.of(
                ps -> new SGD(ps, 0.3),
                ps -> new Adagrad(ps, Adagrad.Config.of(0.2).withLrDecay(0.1).withInitialAccumulator(0.05)));
        long[][] rowsPerStep = {{1, 4, 4, 49}, {0, 1}, {49}, {7, 7, 7}};
        for (var make : exact) {
            SplittableRandom r = new SplittableRandom(seed);
            float[] init = OptimTesting.random(r, V * D, 1);
            Tensor sparseTable = param(init, V, D).sparseGradients(true);
            Tensor denseTable = param(init, V, D);
            Optimizer a = make.apply(List.of(sparseTable));
            Optimizer b = make.apply(List.of(denseTable));
            try (Scope step = Scope.open("steps")) {
                for (long[] rows : rowsPerStep) {
                    float[] values = OptimTesting.random(r, rows.length * D, 2);
                    if (sparseTable.sparseGrad() != null) {
                        sparseTable.sparseGrad().clear();
                    }
                    sparse(sparseTable, rows, values);
                    denseTable.setGrad(sparseTable.sparseGrad().toDense());
                    a.step();
                    b.step();
                    assertArrayEquals(bits(floats(denseTable)), bits(floats(sparseTable)), a + " (seed " + seed + ")");
                }
            }
        }
    }

    @Test
    void aTableWithDenseAndSparseGradientsTakesTheirSum() {
        float[] init = OptimTesting.random(new SplittableRandom(7), 4 * 3, 1);
        Tensor tied = param(init, 4, 3).sparseGradients(true);
        Tensor plain = param(init, 4, 3);
        Adam a = new Adam(List.of(tied), 0.05);
        Adam b = new Adam(List.of(plain), 0.05);
        try (Scope step = Scope.open("steps")) {
            float[] dense = OptimTesting.random(new SplittableRandom(8), 12, 1);
            grad(tied, dense);
            sparse(tied, new long[] {2, 0, 2}, new float[] {1, 2, 3, 4, 5, 6, 0.5f, 0.5f, 0.5f});
            float[] sum = dense.clone();
            for (int j = 0; j < 3; j++) {
                sum[j] += new float[] {4, 5, 6}[j];
                sum[6 + j] += new float[] {1, 2, 3}[j] + 0.5f;
            }
            grad(plain, sum);
            a.step();
            b.step();
            assertArrayEquals(floats(plain), floats(tied), 1e-7f);
        }
    }

    @Test
    void rowsOutsideTheTableAreRejectedBeforeAnyUpdate() {
        Tensor table = param(new float[V * D], V, D).sparseGradients(true);
        Tensor other = param(new float[] {1}, 1);
        Adam adam = new Adam(List.of(other, table), 0.1);
        grad(other, new float[] {1});
        try (Scope step = Scope.open("steps")) {
            sparse(table, new long[] {3, V}, new float[2 * D]);
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, adam::step);
            assertTrue(e.getMessage().contains("row " + V) && e.getMessage().contains("[0, " + V + ")"), e.getMessage());
            assertArrayEquals(new float[] {1}, floats(other), 0, "the first parameter was not stepped");
            assertEquals(0, adam.iterations());
        }
    }

    @Test
    void aSparseStepAllocatesNothingThatOutlivesIt() {
        try (Scope model = Scope.open("model"); Scope params = model.child("params")) {
            Tensor table = param(params, new float[V * D], V, D).sparseGradients(true);
            Adam adam = new Adam(List.of(table), 0.1);
            try (Scope step = Scope.open("step")) {
                sparse(table, new long[] {1, 2}, new float[2 * D]);
                adam.step();
                long stepBytes = step.allocatedBytes();
                long paramBytes = params.allocatedBytes();
                for (int i = 0; i < 20; i++) {
                    adam.step();
                }
                assertEquals(stepBytes, step.allocatedBytes(), "coalesced gradients live in a scope closed by step()");
                assertEquals(paramBytes, params.allocatedBytes());
            }
        }
    }

    @Test
    void f64TablesUseTheDoubleKernels() {
        Tensor table = Tensor.zeros(Scope.global(), DType.F64, 3, 2).requiresGrad(true).sparseGradients(true);
        Adagrad opt = new Adagrad(List.of(table), 0.5);
        try (Scope step = Scope.open("steps")) {
            io.panrec.autograd.RowSparseGrad g = new io.panrec.autograd.RowSparseGrad(3, 2, DType.F64);
            g.add(Tensor.ofLongs(new long[] {1}, 1), Tensor.ofDoubles(new double[] {2, -4}, 1, 2));
            table.setSparseGrad(g);
            opt.step();
        }
        assertArrayEquals(new double[] {0, 0, -0.5 * 2 / (2 + 1e-10), 0.5 * 4 / (4 + 1e-10), 0, 0},
                OptimTesting.doubles(table), 1e-15);
    }
}
