package io.panrec.nn;

import io.panrec.tensor.DType;
import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Initialisers: bounds, moments (on enough samples that the tolerance is many standard errors), reproducibility. */
class InitTest {

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static double std(double[] v) {
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / v.length);
    }

    private static double maxAbs(double[] v) {
        double m = 0;
        for (double x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    @Test
    void fansFollowPyTorch() {
        assertArrayEquals(new int[] {30, 20}, Init.fans(Tensor.zeros(20, 30)));
        assertArrayEquals(new int[] {3 * 5 * 7, 8 * 5 * 7}, Init.fans(Tensor.zeros(8, 3, 5, 7)));
        var e = assertThrows(IllegalArgumentException.class, () -> Init.fans(Tensor.zeros(4)));
        assertTrue(e.getMessage().contains("rank >= 2"));
    }

    @Test
    void xavierAndKaimingHaveTheirVariance() {
        // [200, 300]: 60000 samples, so the sample std is within about 0.3% of the truth
        Tensor w = Tensor.zeros(DType.F64, 200, 300);
        double[] v = Init.xavierUniform(w, 1.0, new SplittableRandom(1)).toDoubleArray();
        double bound = Math.sqrt(6.0 / 500);
        assertTrue(maxAbs(v) <= bound && maxAbs(v) > 0.99 * bound);
        assertEquals(bound / Math.sqrt(3), std(v), 0.01 * bound);

        v = Init.xavierNormal(w, 2.0, new SplittableRandom(2)).toDoubleArray();
        assertEquals(2.0 * Math.sqrt(2.0 / 500), std(v), 0.02 * 2.0 * Math.sqrt(2.0 / 500));
        assertEquals(0, mean(v), 0.01 * std(v) * 3);

        v = Init.kaimingNormal(w, 0, Init.FanMode.FAN_IN, new SplittableRandom(3)).toDoubleArray();
        assertEquals(Math.sqrt(2.0 / 300), std(v), 0.02 * Math.sqrt(2.0 / 300));
        v = Init.kaimingNormal(w, 0, Init.FanMode.FAN_OUT, new SplittableRandom(3)).toDoubleArray();
        assertEquals(Math.sqrt(2.0 / 200), std(v), 0.02 * Math.sqrt(2.0 / 200));

        v = Init.kaimingUniform(w, 0, Init.FanMode.FAN_IN, new SplittableRandom(4)).toDoubleArray();
        assertTrue(maxAbs(v) <= Math.sqrt(6.0 / 300));
        assertEquals(Math.sqrt(2.0 / 300), std(v), 0.02 * Math.sqrt(2.0 / 300));

        // PyTorch's Linear default: U(-1/sqrt(fanIn), 1/sqrt(fanIn))
        v = Init.pytorchDefaultWeight(w, new SplittableRandom(5)).toDoubleArray();
        assertTrue(maxAbs(v) <= 1 / Math.sqrt(300) && maxAbs(v) > 0.99 / Math.sqrt(300));
    }

    @Test
    void normalTruncatedUniformAndConstants() {
        Tensor t = Tensor.zeros(DType.F64, 50000);
        double[] v = Init.normal(t, 3, 0.5, new SplittableRandom(6)).toDoubleArray();
        assertEquals(3, mean(v), 0.01);
        assertEquals(0.5, std(v), 0.01);
        v = Init.truncatedNormal(t, 0, 0.02, -0.04, 0.04, new SplittableRandom(7)).toDoubleArray();
        assertTrue(maxAbs(v) <= 0.04);
        // a normal cut at two standard deviations has std 0.8796 sigma
        assertEquals(0.8796 * 0.02, std(v), 0.0005);
        v = Init.uniform(t, -2, 5, new SplittableRandom(8)).toDoubleArray();
        assertTrue(java.util.Arrays.stream(v).allMatch(x -> x >= -2 && x < 5));
        assertEquals(1.5, mean(v), 0.05);
        assertArrayEquals(new float[] {1, 1, 1}, Init.ones(Tensor.zeros(3)).toFloatArray());
        assertArrayEquals(new float[] {0, 0}, Init.zeros(Tensor.full(4f, 2)).toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> Init.normal(t, 0, -1, new SplittableRandom(1)));
        assertThrows(IllegalArgumentException.class, () -> Init.uniform(t, 1, 0, new SplittableRandom(1)));
        assertThrows(IllegalArgumentException.class, () -> Init.zeros(Tensor.zeros(DType.I32, 2)));
    }

    @Test
    void sameSeedSameWeightsAndViewsAreWrittenInPlace() {
        Linear a = new Linear(7, 5, new SplittableRandom(42));
        Linear b = new Linear(7, 5, new SplittableRandom(42));
        Linear c = new Linear(7, 5, new SplittableRandom(43));
        assertArrayEquals(a.weight().toFloatArray(), b.weight().toFloatArray());
        assertArrayEquals(a.bias().toFloatArray(), b.bias().toFloatArray());
        assertFalse(java.util.Arrays.equals(a.weight().toFloatArray(), c.weight().toFloatArray()));

        // a strided view (a column) is filled without touching the rest
        Tensor m = Tensor.zeros(3, 4);
        Init.constant(m.slice(1, 2, 3), 7);
        assertArrayEquals(new float[] {0, 0, 7, 0, 0, 0, 7, 0, 0, 0, 7, 0}, m.toFloatArray());
    }
}
