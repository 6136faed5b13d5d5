package io.panrec.nn;

import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.SplittableRandom;

import static io.panrec.nn.TestSeed.f32;
import static io.panrec.nn.TestSeed.f64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Linear, MLP, Sequential, LayerNorm and Dropout: shapes, modes, gradients, state dicts. */
class DenseLayersTest {
    @RegisterExtension
    static final TestSeed SEED = new TestSeed();

    @Test
    void linearComputesXWtPlusB() {
        SplittableRandom r = SEED.random("linear");
        Linear l = new Linear(5, 3, r);
        assertArrayEquals(new int[] {3, 5}, l.weight().shape());
        assertArrayEquals(new int[] {3}, l.bias().shape());
        Tensor x = f32(r, 2, 4, 5);
        Tensor y = l.forward(x);
        assertArrayEquals(new int[] {2, 4, 3}, y.shape());
        double[] xs = x.toDoubleArray();
        double[] w = l.weight().toDoubleArray();
        double[] b = l.bias().toDoubleArray();
        double[] expected = new double[2 * 4 * 3];
        for (int row = 0; row < 8; row++) {
            for (int o = 0; o < 3; o++) {
                double s = b[o];
                for (int i = 0; i < 5; i++) {
                    s += xs[row * 5 + i] * w[o * 5 + i];
                }
                expected[row * 3 + o] = s;
            }
        }
        TestSeed.assertClose(expected, y.toDoubleArray(), 1e-5, "linear");
        var e = assertThrows(IllegalArgumentException.class, () -> l.forward(Tensor.zeros(2, 4)));
        assertTrue(e.getMessage().contains("linear"), e.getMessage());
    }

    @Test
    void linearAndMlpGradients() {
        SplittableRandom r = SEED.random("grads");
        Linear l = NnTesting.inF64(() -> new Linear(4, 3, r));
        NnTesting.gradCheck("Linear", l, in -> l.forward(in[0]), f64(r, 2, 4));
        Linear noBias = NnTesting.inF64(() -> new Linear(3, 5, false, r));
        assertEquals(1, noBias.parameters().size());
        NnTesting.gradCheck("Linear no bias", noBias, in -> noBias.forward(in[0]), f64(r, 3));
        for (Activation a : Activation.values()) {
            MLP mlp = NnTesting.inF64(() -> new MLP(new int[] {3, 5, 4, 2}, a, 0f, a == Activation.SIGMOID, r));
            NnTesting.gradCheck("MLP " + a, mlp, in -> mlp.forward(in[0]), f64(r, 3, 3));
        }
    }

    @Test
    void mlpStructureAndDropoutOnlyInTraining() {
        SplittableRandom r = SEED.random("mlp");
        MLP mlp = new MLP(new int[] {6, 9, 7, 1}, Activation.RELU, 0.5f, false, r);
        assertEquals(3, mlp.layers().size());
        assertEquals(java.util.List.of("layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias",
                "layers.2.weight", "layers.2.bias"), java.util.List.copyOf(mlp.namedParameters().keySet()));
        Tensor x = f32(r, 5, 6);
        assertArrayEquals(new int[] {5, 1}, mlp.forward(x).shape());
        float[] train1 = mlp.forward(x).toFloatArray();
        float[] train2 = mlp.forward(x).toFloatArray();
        assertFalse(java.util.Arrays.equals(train1, train2), "dropout draws a new pattern each pass");
        mlp.eval();
        float[] eval1 = mlp.forward(x).toFloatArray();
        assertArrayEquals(eval1, mlp.forward(x).toFloatArray());
        // eval = the plain stack of layers
        Tensor h = x;
        for (int i = 0; i < 3; i++) {
            h = mlp.layers().get(i).forward(h);
            if (i < 2) {
                h = h.relu();
            }
        }
        assertArrayEquals(h.toFloatArray(), eval1, 1e-6f);
        assertThrows(IllegalArgumentException.class, () -> new MLP(new int[] {3}, r));
        NnTesting.assertStateDictRoundTrip(seed -> new MLP(new int[] {6, 4, 2}, new SplittableRandom(seed)),
                m -> m.forward(x));
    }

    @Test
    void sequentialRegistersItsModules() {
        SplittableRandom r = SEED.random("seq");
        Linear a = new Linear(3, 4, r);
        Linear b = new Linear(4, 2, r);
        Sequential s = new Sequential(a, Activation.TANH::apply, b);
        assertEquals(java.util.List.of("0.weight", "0.bias", "2.weight", "2.bias"),
                java.util.List.copyOf(s.namedParameters().keySet()));
        Tensor x = f32(r, 2, 3);
        assertArrayEquals(b.forward(a.forward(x).tanh()).toFloatArray(), s.forward(x).toFloatArray());
        assertSame(a, s.get(0));
    }

    @Test
    void layerNormNormalisesRowsAndHasAffineParameters() {
        SplittableRandom r = SEED.random("ln");
        LayerNorm ln = new LayerNorm(7);
        assertEquals(java.util.List.of("weight", "bias"), java.util.List.copyOf(ln.namedParameters().keySet()));
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 1}, ln.weight().toFloatArray());
        Tensor x = f32(r, 3, 7).mul(5f).add(2f);
        double[] y = ln.forward(x).toDoubleArray();
        for (int row = 0; row < 3; row++) {
            double m = 0;
            double v = 0;
            for (int i = 0; i < 7; i++) {
                m += y[row * 7 + i] / 7;
            }
            for (int i = 0; i < 7; i++) {
                v += (y[row * 7 + i] - m) * (y[row * 7 + i] - m) / 7;
            }
            assertEquals(0, m, 1e-5);
            assertEquals(1, v, 1e-3);
        }
        LayerNorm f64 = NnTesting.inF64(() -> new LayerNorm(5));
        Init.uniform(f64.weight(), 0.5, 1.5, r);
        Init.uniform(f64.bias(), -1, 1, r);
        NnTesting.gradCheck("LayerNorm", f64, in -> f64.forward(in[0]), f64(r, 2, 3, 5));
        LayerNorm plain = new LayerNorm(4, 1e-5f, false);
        assertEquals(0, plain.numParameters());
        var e = assertThrows(IllegalArgumentException.class, () -> ln.forward(Tensor.zeros(2, 6)));
        assertTrue(e.getMessage().contains("LayerNorm(7)"), e.getMessage());
        NnTesting.assertStateDictRoundTrip(seed -> {
            LayerNorm m = new LayerNorm(7);
            Init.normal(m.weight(), 1, 0.3, new SplittableRandom(seed));
            return m;
        }, m -> m.forward(x));
    }

    @Test
    void dropoutScalesKeptElementsAndIsReproducible() {
        Tensor x = Tensor.ones(4000);
        Dropout d = new Dropout(0.25f, new SplittableRandom(9));
        float[] y = d.forward(x).toFloatArray();
        int kept = 0;
        for (float v : y) {
            assertTrue(v == 0f || Math.abs(v - 1 / 0.75f) < 1e-6);
            kept += v == 0f ? 0 : 1;
        }
        // 3000 expected, binomial std ~27
        assertEquals(3000, kept, 150);
        assertArrayEquals(y, new Dropout(0.25f, new SplittableRandom(9)).forward(x).toFloatArray());
        d.eval();
        assertSame(x, d.forward(x));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1f, new SplittableRandom()));
        // the dropped elements get no gradient, the kept ones 1/(1-p)
        Tensor w = Tensor.ones(10).requiresGrad(true);
        d.train();
        Tensor out = d.forward(w);
        out.sum().backward();
        assertArrayEquals(out.toFloatArray(), w.grad().toFloatArray());
    }
}
