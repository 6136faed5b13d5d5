package io.panrec.backend;

import io.panrec.testing.BackendConformance;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The vector backend against the reference: every kernel (see {@link BackendConformance}), and its provider. */
class VectorBackendTest extends BackendConformance {

    @Override
    protected Backend candidate() {
        return Backends.named("vector");
    }

    @Test
    void providerIsAvailableWithTheVectorModule() {
        BackendProvider p = Backends.providers().stream().filter(x -> x.name().equals("vector")).findFirst().orElseThrow();
        assertEquals(100, p.rank());
        assertTrue(p.availability().available(), "tests run with --add-modules jdk.incubator.vector");
        assertFalse(p.description().isEmpty());
    }

    @Test
    void largeMatmulsTakeTheMultithreadedPathAndStayCorrect() {
        // 200 x 300 x 150 crosses the parallel threshold and leaves partial tiles on every edge
        io.panrec.tensor.Tensor a = rand.f32(1, 200, 300), b = rand.f32(1, 300, 150);
        io.panrec.tensor.Tensor c0 = io.panrec.tensor.Tensor.zeros(1, 200, 150), c1 = io.panrec.tensor.Tensor.zeros(1, 200, 150);
        ref.matmul(a, b, c0, 1f, 0f);
        cand.matmul(a, b, c1, 1f, 0f);
        rand.assertClose("matmul 200x300x150", c0, c1, 300);
    }

    @Test
    void stridedGradientsTakeTheVectorPathAndStayCorrect() {
        // every operand a transposed view (the vector backend gathers them into contiguous temporaries)
        for (int n : new int[] {1, 7, 17, 33}) {
            io.panrec.tensor.Tensor x = rand.f32(n, 5).t(), y = rand.f32(n, 5).t(), g = rand.f32(n, 5).t();
            for (UnaryOp op : new UnaryOp[] {UnaryOp.RELU, UnaryOp.SIGMOID, UnaryOp.TANH}) {
                io.panrec.tensor.Tensor y0 = io.panrec.tensor.Tensor.zeros(5, n);
                ref.unary(op, 0f, x, y0);
                io.panrec.tensor.Tensor g0 = io.panrec.tensor.Tensor.zeros(n, 5).t(), g1 = io.panrec.tensor.Tensor.zeros(n, 5).t();
                ref.unaryBackward(op, 0f, x, y0, g, g0);
                cand.unaryBackward(op, 0f, x, y0, g, g1);
                rand.assertClose(op + " backward into a transposed view n=" + n, g0, g1, 1);
            }
            io.panrec.tensor.Tensor o0 = io.panrec.tensor.Tensor.zeros(5, n), o1 = io.panrec.tensor.Tensor.zeros(5, n);
            ref.binary(BinaryOp.ADD, x, y, o0);
            cand.binary(BinaryOp.ADD, x, y, o1);
            rand.assertClose("add of two transposed views n=" + n, o0, o1, 1);
        }
    }

    /** Axes of size 1 anywhere (a [B, 1] column plus a [1, 1] bias, a [1, n, 1] middle axis) give the reference's results. */
    @Test
    void unitAxesAreDroppedWithoutChangingResults() {
        int[][][] cases = {
                {{37, 1}, {1, 1}}, {{37, 1}, {37, 1}}, {{1, 1}, {1, 1}}, {{3, 1, 13}, {1, 1, 13}}, {{5, 1}, {1, 1}},
                {{2, 7, 1}, {2, 1, 1}}, {{1, 29}, {1, 29}}};
        for (int[][] c : cases) {
            for (BinaryOp op : new BinaryOp[] {BinaryOp.ADD, BinaryOp.MUL, BinaryOp.SUB}) {
                io.panrec.tensor.Tensor x = rand.f32(c[0]), y = rand.f32(c[1]).expand(c[0]);
                io.panrec.tensor.Tensor o0 = io.panrec.tensor.Tensor.zeros(c[0]), o1 = io.panrec.tensor.Tensor.zeros(c[0]);
                ref.binary(op, x, y, o0);
                cand.binary(op, x, y, o1);
                rand.assertClose(op + " " + java.util.Arrays.toString(c[0]) + " with " + java.util.Arrays.toString(c[1]), o0, o1, 1);
            }
        }
    }
}
