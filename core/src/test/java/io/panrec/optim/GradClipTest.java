package io.panrec.optim;

import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.panrec.optim.OptimTesting.floats;
import static io.panrec.optim.OptimTesting.grad;
import static io.panrec.optim.OptimTesting.param;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GradClipTest {

    @Test
    void clipsDenseGradientsToTheMaxNormAndReturnsTheNormBefore() {
        Tensor a = param(new float[] {0, 0}, 2);
        Tensor b = param(new float[] {0}, 1);
        Tensor none = param(new float[] {0}, 1); // no gradient: ignored
        grad(a, new float[] {3, 0});
        grad(b, new float[] {4});
        double norm = GradClip.clipByGlobalNorm(List.of(a, b, none), 1.0);
        assertEquals(5.0, norm, 1e-12);
        double coef = 1.0 / (5.0 + 1e-6);
        assertArrayEquals(new float[] {(float) (3 * coef), 0}, floats(a.grad()), 1e-7f);
        assertArrayEquals(new float[] {(float) (4 * coef)}, floats(b.grad()), 1e-7f);
        assertEquals(1.0, GradClip.globalNorm(List.of(a, b)), 1e-6);

        // under the limit: unchanged
        grad(a, new float[] {0.3f, 0});
        grad(b, new float[] {0.4f});
        assertEquals(0.5, GradClip.clipByGlobalNorm(List.of(a, b), 1.0), 1e-7);
        assertArrayEquals(new float[] {0.3f, 0}, floats(a.grad()), 0);
        // listed twice: counted once
        assertEquals(0.5, GradClip.globalNorm(List.of(a, b, a)), 1e-7);
    }

    @Test
    void nonFiniteNormsLeaveGradientsAlone() {
        Tensor a = param(new float[] {0, 0}, 2);
        grad(a, new float[] {Float.NaN, 1});
        assertTrue(Double.isNaN(GradClip.clipByGlobalNorm(List.of(a), 1.0)));
        assertEquals(1f, floats(a.grad())[1]);
        grad(a, new float[] {Float.POSITIVE_INFINITY, 1});
        assertEquals(Double.POSITIVE_INFINITY, GradClip.clipByGlobalNorm(List.of(a), 1.0));
        assertEquals(1f, floats(a.grad())[1]);
        assertThrows(IllegalArgumentException.class, () -> GradClip.clipByGlobalNorm(List.of(a), 0));
        assertThrows(IllegalArgumentException.class, () -> GradClip.clipByGlobalNorm(List.of(a), Double.NaN));
    }

    @Test
    void sparseGradientsCountWithRepeatedRowsSummedAndAreScaledWithoutTouchingTheBackwardTensors() {
        try (Scope step = Scope.open("step")) {
            Tensor table = param(new float[8], 4, 2).sparseGradients(true);
            Tensor dense = param(new float[] {0}, 1);
            grad(dense, new float[] {2});
            // row 1 twice: its gradient is (1 + 2, 0) = (3, 0); row 3: (0, 4)... norm^2 = 9 + 16 + 4 (dense)
            Tensor chunk = Tensor.of(new float[] {1, 0, 2, 0, 0, 4}, 3, 2); // what a backward pass produced
            table.setSparseGrad(new io.panrec.autograd.RowSparseGrad(4, 2, chunk.dtype()));
            table.sparseGrad().add(Tensor.ofLongs(new long[] {1, 1, 3}, 3), chunk);
            double norm = GradClip.clipByGlobalNorm(List.of(table, dense), 1.0);
            assertEquals(Math.sqrt(29), norm, 1e-6);
            double coef = 1 / (Math.sqrt(29) + 1e-6);
            float c = (float) coef;
            assertArrayEquals(new float[] {0, 0, 3 * c, 0, 0, 0, 0, 4 * c}, floats(table.sparseGrad().toDense()), 1e-6f);
            assertArrayEquals(new float[] {2 * c}, floats(dense.grad()), 1e-6f);
            assertArrayEquals(new float[] {1, 0, 2, 0, 0, 4}, floats(chunk), 0, "the chunk may be shared: never scaled in place");
            assertEquals(1.0, GradClip.globalNorm(List.of(table, dense)), 1e-5);
        }
    }
}
