package io.panrec.backend.vector;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link VectorDot} against a double-precision sum on odd sizes (every tail length) and offsets. */
class VectorDotTest {
    @Test
    void matchesADoubleSumOnEverySizeAndTail() {
        SplittableRandom r = new SplittableRandom(1);
        for (int n : new int[] {0, 1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 127, 129, 767, 768, 1001}) {
            float[] a = new float[n + 5];
            float[] b = new float[n + 3];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) r.nextDouble(-1, 1);
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) r.nextDouble(-1, 1);
            }
            double expect = 0;
            for (int i = 0; i < n; i++) {
                expect += (double) a[i + 5] * b[i + 3];
            }
            assertEquals(expect, VectorDot.dot(a, 5, b, 3, n), 1e-5 * Math.max(1, n), "n = " + n);
            float[] a0 = java.util.Arrays.copyOfRange(a, 5, 5 + n);
            float[] b0 = java.util.Arrays.copyOfRange(b, 3, 3 + n);
            assertEquals(expect, VectorDot.dot(a0, b0), 1e-5 * Math.max(1, n), "whole arrays, n = " + n);
        }
        assertEquals(32f, VectorDot.dot(new float[] {1, 2, 3}, new float[] {4, 5, 6}));
    }

    @Test
    void badLengthsAndRangesThrow() {
        assertThrows(IllegalArgumentException.class, () -> VectorDot.dot(new float[3], new float[4]));
        assertThrows(IndexOutOfBoundsException.class, () -> VectorDot.dot(new float[3], 1, new float[4], 0, 3));
    }
}
