package io.panrec.nn;

import io.panrec.autograd.GradCheck;
import io.panrec.backend.ConvSpec;
import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.SplittableRandom;

import static io.panrec.nn.TestSeed.f32;
import static io.panrec.nn.TestSeed.f64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Convolution and pooling modules: against loops in doubles, shapes, gradients, state dicts. */
class ConvPoolTest {
    @RegisterExtension
    static final TestSeed SEED = new TestSeed();

    /** Cross-correlation with stride, zero padding and dilation, one group: x [N, C, H, W], w [O, C, KH, KW]. */
    private static double[] naiveConv2d(Tensor x, Tensor w, Tensor b, int sh, int sw, int ph, int pw, int dh, int dw) {
        int n = x.shape(0);
        int c = x.shape(1);
        int h = x.shape(2);
        int wd = x.shape(3);
        int o = w.shape(0);
        int kh = w.shape(2);
        int kw = w.shape(3);
        int oh = (h + 2 * ph - dh * (kh - 1) - 1) / sh + 1;
        int ow = (wd + 2 * pw - dw * (kw - 1) - 1) / sw + 1;
        double[] out = new double[n * o * oh * ow];
        int at = 0;
        for (int i = 0; i < n; i++) {
            for (int f = 0; f < o; f++) {
                for (int y = 0; y < oh; y++) {
                    for (int z = 0; z < ow; z++) {
                        double s = b == null ? 0 : b.get(f);
                        for (int ch = 0; ch < c; ch++) {
                            for (int u = 0; u < kh; u++) {
                                for (int v = 0; v < kw; v++) {
                                    int yy = y * sh - ph + u * dh;
                                    int zz = z * sw - pw + v * dw;
                                    if (yy >= 0 && yy < h && zz >= 0 && zz < wd) {
                                        s += x.get(i, ch, yy, zz) * w.get(f, ch, u, v);
                                    }
                                }
                            }
                        }
                        out[at++] = s;
                    }
                }
            }
        }
        return out;
    }

    @Test
    void conv1dMatchesLoops() {
        SplittableRandom r = SEED.random("conv1d");
        Conv1d conv = new Conv1d(3, 4, 3, 2, 1, 2, 1, true, r);
        assertArrayEquals(new int[] {4, 3, 3}, conv.weight().shape());
        Tensor x = f32(r, 2, 3, 9);
        Tensor y = conv.forward(x);
        // L' = floor((9 + 2 - 2*2 - 1) / 2) + 1 = 4
        assertArrayEquals(new int[] {2, 4, 4}, y.shape());
        double[] expected = naiveConv2d(x.unsqueeze(2), conv.weight().unsqueeze(2), conv.bias(), 1, 2, 0, 1, 1, 2);
        TestSeed.assertClose(expected, y.toDoubleArray(), 1e-5, "conv1d");
        // bias bound 1/sqrt(fanIn) = 1/3
        for (float b : conv.bias().toFloatArray()) {
            assertTrue(Math.abs(b) <= 1 / 3.0 + 1e-7);
        }
    }

    @Test
    void conv2dWithRectangularKernelsMatchesLoops() {
        SplittableRandom r = SEED.random("conv2d");
        // Caser-style horizontal filters: kernel [2, d] over an [L, d] "image"
        Conv2d horizontal = new Conv2d(1, 5, 2, 4, ConvSpec.of(1, 0), true, r);
        Tensor x = f32(r, 3, 1, 6, 4);
        Tensor y = horizontal.forward(x);
        assertArrayEquals(new int[] {3, 5, 5, 1}, y.shape());
        TestSeed.assertClose(naiveConv2d(x, horizontal.weight(), horizontal.bias(), 1, 1, 0, 0, 1, 1), y.toDoubleArray(),
                1e-5, "horizontal conv2d");
        Conv2d square = new Conv2d(2, 3, 3, 2, 1, r);
        Tensor x2 = f32(r, 1, 2, 7, 5);
        TestSeed.assertClose(naiveConv2d(x2, square.weight(), square.bias(), 2, 2, 1, 1, 1, 1),
                square.forward(x2).toDoubleArray(), 1e-5, "strided padded conv2d");
        var e = assertThrows(IllegalArgumentException.class, () -> new Conv2d(3, 4, 3, 3, new ConvSpec(1, 1, 0, 0, 1, 1, 2), true, r));
        assertTrue(e.getMessage().contains("groups"), e.getMessage());
    }

    @Test
    void convGradientsAndStateDicts() {
        SplittableRandom r = SEED.random("convGrads");
        Conv1d c1 = NnTesting.inF64(() -> new Conv1d(4, 2, 2, 1, 1, 1, 2, true, r));
        NnTesting.gradCheck("Conv1d groups", c1, in -> c1.forward(in[0]), f64(r, 2, 4, 5));
        Conv2d c2 = NnTesting.inF64(() -> new Conv2d(2, 3, 2, 3, new ConvSpec(1, 2, 1, 0, 1, 1, 1), false, r));
        NnTesting.gradCheck("Conv2d", c2, in -> c2.forward(in[0]), f64(r, 1, 2, 4, 5));
        Tensor x = f32(r, 2, 3, 8);
        NnTesting.assertStateDictRoundTrip(seed -> new Conv1d(3, 2, 3, new SplittableRandom(seed)), m -> m.forward(x));
    }

    @Test
    void poolsComputeTheirWindows() {
        Tensor x = Tensor.of(new float[] {1, -3, 2, 5, -4, 0, 6}, 1, 1, 7);
        assertArrayEquals(new float[] {1, 5, 0}, new MaxPool1d(2).forward(x).toFloatArray());
        assertArrayEquals(new float[] {-1, 3.5f, -2}, new AvgPool1d(2).forward(x).toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {2, 5, 6}, new MaxPool1d(3, 2, 0).forward(x).toFloatArray());
        // padding: windows [pad, 1, -3], [-3, 2, 5], [5, -4, 0], [0, 6, pad]; average counts the pad
        assertArrayEquals(new float[] {-2 / 3f, 4 / 3f, 1 / 3f, 2f}, new AvgPool1d(3, 2, 1).forward(x).toFloatArray(), 1e-6f);
        float l2 = (float) Math.sqrt(1 + 9);
        assertEquals(l2, new LpPool1d(2, 2).forward(x).toFloatArray()[0], 1e-5f);
        assertEquals(1 + 3, new LpPool1d(1, 2).forward(x).toFloatArray()[0], 1e-5f);

        Tensor img = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, 1, 1, 4, 4);
        assertArrayEquals(new float[] {6, 8, 14, 16}, new MaxPool2d(2).forward(img).toFloatArray());
        assertArrayEquals(new float[] {3.5f, 5.5f, 11.5f, 13.5f}, new AvgPool2d(2).forward(img).toFloatArray(), 1e-6f);
        assertEquals((float) Math.sqrt(1 + 4 + 25 + 36), new LpPool2d(2, 2).forward(img).toFloatArray()[0], 1e-5f);
        assertArrayEquals(new int[] {1, 1, 2, 2}, new MaxPool2d(3, 2, 1).forward(img).shape());

        assertThrows(IllegalArgumentException.class, () -> new MaxPool1d(2, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> new LpPool2d(0, 2));
        var e = assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(2).forward(Tensor.zeros(1, 4, 4)));
        assertTrue(e.getMessage().contains("rank 4"), e.getMessage());
    }

    @Test
    void poolGradients() {
        SplittableRandom r = SEED.random("poolGrads");
        GradCheck.check("MaxPool1d", in -> new MaxPool1d(3, 2, 1).forward(in[0]), f64(r, 2, 3, 8));
        GradCheck.check("AvgPool1d", in -> new AvgPool1d(2, 1, 1).forward(in[0]), f64(r, 2, 3, 7));
        GradCheck.check("LpPool1d", in -> new LpPool1d(3, 2).forward(in[0]), TestSeed.f64In(r, 0.2, 1, 1, 2, 6));
        GradCheck.check("MaxPool2d", in -> new MaxPool2d(2, 1, 1).forward(in[0]), f64(r, 1, 2, 5, 4));
        GradCheck.check("AvgPool2d", in -> new AvgPool2d(3, 2, 1).forward(in[0]), f64(r, 1, 2, 5, 5));
        GradCheck.check("LpPool2d", in -> new LpPool2d(2, 2).forward(in[0]), f64(r, 1, 2, 4, 6));
    }
}
