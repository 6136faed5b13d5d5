package io.panrec.ops;

import io.panrec.autograd.GradCheck;
import io.panrec.nn.TestSeed;
import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.SplittableRandom;

import static io.panrec.nn.TestSeed.f64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The GRU against PyTorch's equations written out in doubles, and against finite differences. */
class RecurrentTest {
    @RegisterExtension
    static final TestSeed SEED = new TestSeed();

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /** One step of PyTorch's GRU for one row: gates stacked (r, z, n). */
    private static double[] naiveCell(double[] x, double[] h, double[] wIh, double[] wHh, double[] bIh, double[] bHh) {
        int hid = h.length;
        int in = x.length;
        double[] gi = new double[3 * hid];
        double[] gh = new double[3 * hid];
        for (int g = 0; g < 3 * hid; g++) {
            gi[g] = bIh == null ? 0 : bIh[g];
            for (int i = 0; i < in; i++) {
                gi[g] += wIh[g * in + i] * x[i];
            }
            gh[g] = bHh == null ? 0 : bHh[g];
            for (int j = 0; j < hid; j++) {
                gh[g] += wHh[g * hid + j] * h[j];
            }
        }
        double[] out = new double[hid];
        for (int j = 0; j < hid; j++) {
            double r = sigmoid(gi[j] + gh[j]);
            double z = sigmoid(gi[hid + j] + gh[hid + j]);
            double n = Math.tanh(gi[2 * hid + j] + r * gh[2 * hid + j]);
            out[j] = (1 - z) * n + z * h[j];
        }
        return out;
    }

    private static double[] row(double[] flat, int index, int width) {
        double[] r = new double[width];
        System.arraycopy(flat, index * width, r, 0, width);
        return r;
    }

    @Test
    void cellMatchesTheEquations() {
        SplittableRandom r = SEED.random("cell");
        int b = 3;
        int in = 4;
        int hid = 5;
        Tensor x = f64(r, b, in).detach();
        Tensor h = f64(r, b, hid).detach();
        Tensor wIh = f64(r, 3 * hid, in).detach();
        Tensor wHh = f64(r, 3 * hid, hid).detach();
        Tensor bIh = f64(r, 3 * hid).detach();
        Tensor bHh = f64(r, 3 * hid).detach();
        double[] expected = new double[b * hid];
        double[] expectedNoBias = new double[b * hid];
        for (int i = 0; i < b; i++) {
            double[] xi = row(x.toDoubleArray(), i, in);
            double[] hi = row(h.toDoubleArray(), i, hid);
            System.arraycopy(naiveCell(xi, hi, wIh.toDoubleArray(), wHh.toDoubleArray(), bIh.toDoubleArray(),
                    bHh.toDoubleArray()), 0, expected, i * hid, hid);
            System.arraycopy(naiveCell(xi, hi, wIh.toDoubleArray(), wHh.toDoubleArray(), null, null), 0,
                    expectedNoBias, i * hid, hid);
        }
        TestSeed.assertClose(expected, Recurrent.gruCell(x, h, wIh, wHh, bIh, bHh).toDoubleArray(), 1e-12, "gruCell");
        TestSeed.assertClose(expectedNoBias, Recurrent.gruCell(x, h, wIh, wHh, null, null).toDoubleArray(), 1e-12,
                "gruCell without biases");
    }

    @Test
    void sequenceIsTheCellUnrolledAndRespectsLengths() {
        SplittableRandom r = SEED.random("seq");
        int b = 4;
        int t = 5;
        int in = 3;
        int hid = 2;
        Tensor x = f64(r, b, t, in).detach();
        Tensor h0 = f64(r, b, hid).detach();
        Tensor wIh = f64(r, 3 * hid, in).detach();
        Tensor wHh = f64(r, 3 * hid, hid).detach();
        Tensor bIh = f64(r, 3 * hid).detach();
        Tensor bHh = f64(r, 3 * hid).detach();
        long[] lengths = {5, 2, 0, 3};
        Recurrent.GruResult full = Recurrent.gru(x, h0, wIh, wHh, bIh, bHh, null);
        Recurrent.GruResult packed = Recurrent.gru(x, h0, wIh, wHh, bIh, bHh, Tensor.ofLongs(lengths));
        assertArrayEquals(new int[] {b, t, hid}, full.output().shape());
        assertArrayEquals(new int[] {b, hid}, full.last().shape());

        double[] xs = x.toDoubleArray();
        for (int i = 0; i < b; i++) {
            double[] h = row(h0.toDoubleArray(), i, hid);
            double[] lastValid = h.clone();
            for (int s = 0; s < t; s++) {
                h = naiveCell(row(xs, i * t + s, in), h, wIh.toDoubleArray(), wHh.toDoubleArray(), bIh.toDoubleArray(),
                        bHh.toDoubleArray());
                for (int j = 0; j < hid; j++) {
                    assertEquals(h[j], full.output().get(i, s, j), 1e-12, "full output row " + i + " step " + s);
                    double packedExpected = s < lengths[i] ? h[j] : 0;
                    assertEquals(packedExpected, packed.output().get(i, s, j), 1e-12, "packed output row " + i + " step " + s);
                }
                if (s == lengths[i] - 1) {
                    lastValid = h.clone();
                }
            }
            for (int j = 0; j < hid; j++) {
                assertEquals(h[j], full.last().get(i, j), 1e-12);
                assertEquals(lastValid[j], packed.last().get(i, j), 1e-12, "last valid state of row " + i);
            }
        }
        // no h0 means zeros
        TestSeed.assertClose(Recurrent.gru(x, Tensor.zeros(h0.dtype(), b, hid), wIh, wHh, bIh, bHh, null).last().toDoubleArray(),
                Recurrent.gru(x, null, wIh, wHh, bIh, bHh, null).last().toDoubleArray(), 0, "h0 = null");
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        SplittableRandom r = SEED.random("grads");
        GradCheck.check("gruCell", in -> Recurrent.gruCell(in[0], in[1], in[2], in[3], in[4], in[5]),
                f64(r, 3, 4), f64(r, 3, 5), f64(r, 15, 4), f64(r, 15, 5), f64(r, 15), f64(r, 15));
        GradCheck.check("gruCell no bias", in -> Recurrent.gruCell(in[0], in[1], in[2], in[3], null, null),
                f64(r, 2, 3), f64(r, 2, 3), f64(r, 9, 3), f64(r, 9, 3));
        Tensor lengths = Tensor.ofInts(new int[] {3, 1, 0});
        GradCheck.check("gru outputs with lengths",
                in -> Recurrent.gru(in[0], in[1], in[2], in[3], in[4], in[5], in[6]).output(),
                f64(r, 3, 4, 2), f64(r, 3, 3), f64(r, 9, 2), f64(r, 9, 3), f64(r, 9), f64(r, 9), lengths);
        GradCheck.check("gru last with lengths",
                in -> Recurrent.gru(in[0], in[1], in[2], in[3], in[4], in[5], in[6]).last(),
                f64(r, 3, 4, 2), f64(r, 3, 3), f64(r, 9, 2), f64(r, 9, 3), f64(r, 9), f64(r, 9), lengths);
        GradCheck.check("gru no h0",
                in -> Recurrent.gru(in[0], null, in[1], in[2], in[3], in[4], null).output(),
                f64(r, 2, 3, 2), f64(r, 6, 2), f64(r, 6, 2), f64(r, 6), f64(r, 6));
    }

    @Test
    void rejectsBadShapes() {
        Tensor x = Tensor.zeros(2, 3, 4);
        var e = assertThrows(IllegalArgumentException.class,
                () -> Recurrent.gru(x, null, Tensor.zeros(15, 3), Tensor.zeros(15, 5), null, null, null));
        assertTrue(e.getMessage().startsWith("gru:") && e.getMessage().contains("wIh"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Recurrent.gru(x, null, Tensor.zeros(14, 4), Tensor.zeros(14, 5), null, null, null));
        assertTrue(e.getMessage().contains("multiple of 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Recurrent.gru(x, Tensor.zeros(2, 4), Tensor.zeros(15, 4), Tensor.zeros(15, 5), null, null, null));
        assertTrue(e.getMessage().contains("h0"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class,
                () -> Recurrent.gru(x, null, Tensor.zeros(15, 4), Tensor.zeros(15, 5), null, null, Tensor.ofInts(new int[] {1, 4})));
        e = assertThrows(IllegalArgumentException.class,
                () -> Recurrent.gruCell(Tensor.zeros(2, 4), Tensor.zeros(2, 5), Tensor.zeros(15, 4), Tensor.zeros(15, 5),
                        Tensor.zeros(16), null));
        assertTrue(e.getMessage().contains("bIh"), e.getMessage());
    }

    @Test
    void vectorBackendAgreesWithTheReference() {
        SplittableRandom r = SEED.random("vector");
        GradCheck.agreesWithReference("gru", "vector",
                in -> Recurrent.gru(in[0], in[1], in[2], in[3], in[4], in[5], in[6]).output(),
                f64(r, 5, 7, 3), f64(r, 5, 17), f64(r, 51, 3), f64(r, 51, 17), f64(r, 51), f64(r, 51),
                Tensor.ofInts(new int[] {7, 1, 0, 4, 6}));
    }
}
