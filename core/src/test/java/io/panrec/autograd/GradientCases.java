package io.panrec.autograd;

import io.panrec.backend.ConvSpec;
import io.panrec.backend.PoolSpec;
import io.panrec.ops.Convolution;
import io.panrec.ops.Elementwise;
import io.panrec.ops.Indexing;
import io.panrec.ops.Linalg;
import io.panrec.ops.Normalization;
import io.panrec.ops.Pooling;
import io.panrec.ops.Reductions;
import io.panrec.ops.Shapes;
import io.panrec.tensor.DType;
import io.panrec.tensor.Device;
import io.panrec.testing.EmulatedDevice;
import io.panrec.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * The cases that exercise every gradient rule, on odd sizes, shared by the finite-difference test and by
 * the tests that run them on other backends (vector here, onednn in native-bindings via core's test-jar).
 */
public final class GradientCases {
    /** One checked function: inputs are F64 leaves (differentiable) or index tensors. */
    public record Case(String name, Function<Tensor[], Tensor> f, Tensor[] inputs) {
        @Override
        public String toString() {
            return name;
        }
    }

    private final SplittableRandom random;
    private final List<Case> cases = new ArrayList<>();

    private GradientCases(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** Every case, with inputs drawn from {@code seed}. */
    public static List<Case> all(long seed) {
        GradientCases c = new GradientCases(seed);
        c.build();
        return c.cases;
    }

    /** A differentiable F64 input, uniform in [lo, hi). */
    private Tensor range(double lo, double hi, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextDouble(lo, hi);
        }
        return Tensor.ofDoubles(v, shape).requiresGrad(true);
    }

    private Tensor in(int... shape) {
        return range(-1, 1, shape);
    }

    private void add(String name, Function<Tensor[], Tensor> f, Tensor... inputs) {
        cases.add(new Case(name, f, inputs));
    }

    private void build() {
        // elementwise with broadcasting
        add("add broadcast", x -> Elementwise.add(x[0], x[1]), in(3, 1, 4), in(5, 4));
        add("sub broadcast", x -> Elementwise.sub(x[0], x[1]), in(3, 1), in(1, 7));
        add("mul broadcast", x -> Elementwise.mul(x[0], x[1]), in(2, 3, 5), in(5));
        add("div broadcast", x -> Elementwise.div(x[0], x[1]), in(4, 3), range(0.5, 2, 3));
        add("maximum", x -> Elementwise.maximum(x[0], x[1]), in(3, 17), in(17));
        add("minimum", x -> Elementwise.minimum(x[0], x[1]), in(3, 17), in(3, 1));
        add("scalar ops", x -> Elementwise.div(Elementwise.rsub(2f, Elementwise.mul(x[0], 3f)), 1.5f), in(5));
        add("neg", x -> Elementwise.neg(x[0]), in(7));
        add("abs", x -> Elementwise.abs(x[0]), range(0.1, 1, 7));
        add("relu", x -> Elementwise.relu(x[0]), range(0.1, 1, 9));
        add("relu negative", x -> Elementwise.relu(Elementwise.neg(x[0])), range(0.1, 1, 3));
        add("leakyRelu", x -> Elementwise.leakyRelu(Elementwise.sub(x[0], 0.5f), 0.1f), range(0, 0.4, 4));
        add("sigmoid", x -> Elementwise.sigmoid(x[0]), range(-3, 3, 13));
        add("tanh", x -> Elementwise.tanh(x[0]), range(-2, 2, 13));
        add("exp", x -> Elementwise.exp(x[0]), range(-2, 2, 13));
        add("log", x -> Elementwise.log(x[0]), range(0.2, 3, 13));
        add("sqrt", x -> Elementwise.sqrt(x[0]), range(0.2, 3, 13));
        add("pow", x -> Elementwise.pow(x[0], 2.5f), range(0.2, 3, 13));
        add("softplus", x -> Elementwise.softplus(x[0]), range(-30, 30, 13));
        add("gelu", x -> Elementwise.gelu(x[0]), range(-3, 3, 13));
        // matmul: plain, transposed views, batched with broadcasting, vectors
        add("matmul", x -> Linalg.matmul(x[0], x[1]), in(3, 4), in(4, 5));
        add("matmul transposed", x -> Linalg.matmul(x[0].t(), x[1].t()), in(4, 3), in(5, 4));
        add("matmul batched broadcast", x -> Linalg.matmul(x[0], x[1]), in(2, 1, 3, 4), in(3, 4, 2));
        add("matmul vector", x -> Linalg.matmul(x[0], x[1]), in(3), in(3, 2));
        add("linear", x -> Linalg.linear(x[0], x[1], x[2]), in(2, 3, 4), in(5, 4), in(5));
        // reductions
        add("sum all", x -> Reductions.sum(x[0]), in(3, 4));
        add("sum axes keep", x -> Reductions.sum(x[0], new int[] {0, 2}, true), in(3, 4, 5));
        add("mean axis", x -> Reductions.mean(x[0], new int[] {-1}, false), in(3, 4, 5));
        add("max axis", x -> Reductions.max(x[0], new int[] {1}, false), in(3, 7, 2));
        add("min axis", x -> Reductions.min(x[0], new int[] {0}, true), in(5, 3));
        add("logSumExp", x -> Reductions.logSumExp(x[0], 1, false), range(-5, 5, 3, 6));
        add("normalize", x -> Reductions.normalize(x[0], -1, 1e-12f), in(4, 5));
        add("softmax", x -> Reductions.softmax(x[0], 0), range(-2, 2, 5, 3));
        add("logSoftmax", x -> Reductions.logSoftmax(x[0], -1), range(-2, 2, 3, 7));
        add("layerNorm", x -> Normalization.layerNorm(x[0], x[1], x[2], 1e-5f), in(2, 3, 7), in(7), in(7));
        add("layerNorm no affine", x -> Normalization.layerNorm(x[0], null, null, 1e-5f), in(4, 5));
        // shapes
        add("reshape", x -> Elementwise.mul(Shapes.reshape(x[0], 6, -1), x[1]), in(2, 3, 4), in(4));
        add("reshape of view", x -> Shapes.reshape(x[0].t(), -1), in(3, 5));
        add("permute", x -> Elementwise.mul(Shapes.permute(x[0], 2, 0, 1), x[1]), in(2, 3, 4), in(4, 1, 3));
        add("transpose", x -> Linalg.matmul(Shapes.transpose(x[0], 0, 1), x[1]), in(3, 2), in(3, 4));
        add("slice", x -> Shapes.slice(x[0], 1, 1, -1), in(3, 5, 2));
        add("expand", x -> Elementwise.mul(Shapes.expand(x[0], 4, 3), x[1]), in(1, 3), in(4, 3));
        add("unsqueeze squeeze", x -> Shapes.squeeze(Shapes.unsqueeze(x[0], 1), 1), in(3, 4));
        add("copy", x -> Elementwise.mul(Shapes.copy(x[0].t()), x[1]), in(3, 4), in(4, 3));
        add("concat", x -> Shapes.concat(1, x[0], x[1], x[2]), in(2, 1), in(2, 3), in(2, 2));
        add("stack", x -> Shapes.stack(0, x[0], x[1]), in(3), in(3));
        // indexing
        Tensor ids = Tensor.ofLongs(new long[] {3, 0, 3, 5, 1}, 5);
        add("gatherRows dense", x -> Indexing.gatherRows(x[0], x[1]), in(6, 4), ids);
        add("gatherRows sparse", x -> Indexing.gatherRows(x[0], x[1]), in(6, 4).sparseGradients(true),
                Tensor.ofInts(new int[] {2, 2, 0, 5}, 2, 2));
        add("scatterAddRows", x -> Indexing.scatterAddRows(x[0], x[2], x[1]), in(6, 3), in(5, 3), ids);
        add("gatherRowsAdd", x -> Indexing.gatherRowsAdd(x[0], x[2], x[1], false), in(6, 4), in(1, 4), ids);
        add("takeAlongLastAxis", x -> Indexing.takeAlongLastAxis(x[0], x[1]), in(3, 4), Tensor.ofLongs(new long[] {1, 3, 0}, 3));
        // convolution and pooling
        add("conv2d stride pad dilation groups", x -> Convolution.conv2d(x[0], x[1], x[2], new ConvSpec(2, 1, 1, 2, 2, 1, 2)),
                in(2, 4, 7, 6), in(6, 2, 3, 2), in(6));
        add("conv2d plain no bias", x -> Convolution.conv2d(x[0], x[1], null, ConvSpec.of(1, 0)), in(1, 3, 5, 5), in(2, 3, 3, 3));
        add("conv1d", x -> Convolution.conv1d(x[0], x[1], x[2], 2, 1, 1, 1), in(2, 3, 9), in(4, 3, 3), in(4));
        add("maxPool2d", x -> Pooling.maxPool2d(x[0], 2, 2, 0), in(2, 3, 5, 6));
        add("maxPool2d padded", x -> Pooling.pool2d(x[0], new PoolSpec(PoolSpec.Kind.MAX, 3, 3, 2, 2, 1, 1, false)), in(1, 2, 5, 5));
        add("avgPool2d", x -> Pooling.avgPool2d(x[0], 3, 2, 1), in(2, 2, 7, 5));
        add("avgPool2d exclude pad", x -> Pooling.pool2d(x[0], new PoolSpec(PoolSpec.Kind.AVG, 2, 3, 1, 2, 1, 1, false)),
                in(1, 2, 4, 5));
        add("lpPool2d", x -> Pooling.lpPool2d(x[0], 3f, 2, 2), range(0.2, 1, 1, 2, 4, 4));
        add("maxPool1d", x -> Pooling.maxPool1d(x[0], 3, 2, 1), in(2, 3, 8));
        add("avgPool1d", x -> Pooling.avgPool1d(x[0], 2, 1, 0), in(2, 3, 5));
        add("global pools", x -> Elementwise.add(Elementwise.add(Pooling.globalMaxPool(x[0]), Pooling.globalAvgPool(x[0])),
                Pooling.globalLpPool(x[0], 2f)), range(0.1, 1, 2, 3, 4, 3));
        Tensor lengths = Tensor.ofLongs(new long[] {3, 1, 4}, 3);
        for (Pooling.Mode mode : Pooling.Mode.values()) {
            add("maskedPool " + mode, x -> Pooling.maskedPool(x[0], x[1], mode, 2f), range(0.1, 1, 3, 4, 5), lengths);
        }
        add("dropout", x -> Normalization.dropout(x[0], 0.4f, true, new SplittableRandom(7)), in(4, 5));
        // moves between host and device memory, on a device emulated in host memory (EmulatedDevice)
        EmulatedDevice.install();
        add("to device and back", x -> Shapes.toDevice(Elementwise.tanh(Shapes.toDevice(x[0], EmulatedDevice.DEVICE)), Device.CPU),
                in(3, 5));

    }
}
