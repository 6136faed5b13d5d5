package io.panrec.nn;

import io.panrec.ops.Checks;
import io.panrec.tensor.DType;
import io.panrec.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

/**
 * Parameter initialisers, in place and unrecorded, with PyTorch's formulas ({@code torch.nn.init}).
 * Every random one draws from a {@link SplittableRandom} the caller passes, so a model built from the
 * same seed has the same weights on every run and machine. Each returns its tensor.
 *
 * <p>Fans follow PyTorch: for a weight [out, in, k...], fan-in = in * prod(k) and fan-out =
 * out * prod(k) (a Linear's [out, in] weight and a convolution's [O, C/groups, KH, KW] alike).
 */
public final class Init {
    private Init() {
    }

    /** Which fan Kaiming initialisation preserves: the forward pass's (FAN_IN) or the backward pass's. */
    public enum FanMode { FAN_IN, FAN_OUT }

    public static Tensor zeros(Tensor t) {
        return constant(t, 0);
    }

    public static Tensor ones(Tensor t) {
        return constant(t, 1);
    }

    public static Tensor constant(Tensor t, double value) {
        return write(t, () -> value);
    }

    /** Uniform in [lo, hi). */
    public static Tensor uniform(Tensor t, double lo, double hi, SplittableRandom random) {
        if (!(lo <= hi)) {
            throw new IllegalArgumentException("Init.uniform: lo " + lo + " > hi " + hi);
        }
        return write(t, () -> lo == hi ? lo : random.nextDouble(lo, hi));
    }

    /** Normal with the given mean and standard deviation. */
    public static Tensor normal(Tensor t, double mean, double std, SplittableRandom random) {
        checkStd("normal", std);
        return write(t, () -> mean + std * random.nextGaussian());
    }

    /**
     * Normal(mean, std) redrawn until it falls in [lo, hi] (absolute bounds, as PyTorch's
     * {@code trunc_normal_}; BERT-style models use std 0.02 cut at two standard deviations).
     */
    public static Tensor truncatedNormal(Tensor t, double mean, double std, double lo, double hi, SplittableRandom random) {
        checkStd("truncatedNormal", std);
        if (!(lo < hi) || mean + 6 * std < lo || mean - 6 * std > hi) {
            throw new IllegalArgumentException("Init.truncatedNormal: [" + lo + ", " + hi + "] must be a non-empty interval "
                    + "within six standard deviations of the mean " + mean);
        }
        return write(t, () -> {
            while (true) {
                double v = mean + std * random.nextGaussian();
                if (v >= lo && v <= hi) {
                    return v;
                }
            }
        });
    }

    /** Glorot and Bengio (2010): U(-b, b) with b = gain * sqrt(6 / (fanIn + fanOut)). */
    public static Tensor xavierUniform(Tensor t, double gain, SplittableRandom random) {
        int[] f = fans(t);
        double bound = gain * Math.sqrt(6.0 / (f[0] + f[1]));
        return uniform(t, -bound, bound, random);
    }

    /** Glorot and Bengio (2010): N(0, std^2) with std = gain * sqrt(2 / (fanIn + fanOut)). */
    public static Tensor xavierNormal(Tensor t, double gain, SplittableRandom random) {
        int[] f = fans(t);
        return normal(t, 0, gain * Math.sqrt(2.0 / (f[0] + f[1])), random);
    }

    /**
     * He et al. (2015) for layers followed by a (leaky) ReLU of slope {@code negativeSlope} (0 for ReLU):
     * U(-b, b) with b = gain * sqrt(3 / fan) and gain = sqrt(2 / (1 + slope^2)).
     */
    public static Tensor kaimingUniform(Tensor t, double negativeSlope, FanMode mode, SplittableRandom random) {
        double std = leakyReluGain(negativeSlope) / Math.sqrt(fan(t, mode));
        double bound = Math.sqrt(3.0) * std;
        return uniform(t, -bound, bound, random);
    }

    /** He et al. (2015): N(0, std^2) with std = gain / sqrt(fan), gain as in {@link #kaimingUniform}. */
    public static Tensor kaimingNormal(Tensor t, double negativeSlope, FanMode mode, SplittableRandom random) {
        return normal(t, 0, leakyReluGain(negativeSlope) / Math.sqrt(fan(t, mode)), random);
    }

    /**
     * PyTorch's default for Linear and convolution weights: Kaiming-uniform with slope sqrt(5), which
     * amounts to U(-1/sqrt(fanIn), 1/sqrt(fanIn)).
     */
    public static Tensor pytorchDefaultWeight(Tensor t, SplittableRandom random) {
        return kaimingUniform(t, Math.sqrt(5), FanMode.FAN_IN, random);
    }

    /** The recommended gain for an activation ({@code torch.nn.init.calculate_gain}). */
    public static double gain(Activation activation) {
        return switch (activation) {
            case IDENTITY, SIGMOID -> 1;
            case RELU -> Math.sqrt(2);
            case LEAKY_RELU -> leakyReluGain(Activation.LEAKY_RELU_SLOPE);
            case TANH -> 5.0 / 3;
            case GELU -> Math.sqrt(2); // not in PyTorch's table; GELU behaves like ReLU for the variance
        };
    }

    private static double leakyReluGain(double slope) {
        return Math.sqrt(2.0 / (1 + slope * slope));
    }

    /** {fanIn, fanOut} of a weight of rank >= 2. */
    public static int[] fans(Tensor t) {
        int[] s = t.shape();
        if (s.length < 2) {
            throw new IllegalArgumentException("fan-in and fan-out need a weight of rank >= 2, got " + t.describe()
                    + " (initialise biases with uniform or zeros)");
        }
        int receptive = 1;
        for (int i = 2; i < s.length; i++) {
            receptive *= s[i];
        }
        return new int[] {s[1] * receptive, s[0] * receptive};
    }

    private static int fan(Tensor t, FanMode mode) {
        int[] f = fans(t);
        int fan = mode == FanMode.FAN_IN ? f[0] : f[1];
        if (fan == 0) {
            throw new IllegalArgumentException("Kaiming initialisation of " + t.describe() + ": the fan is 0");
        }
        return fan;
    }

    private static void checkStd(String what, double std) {
        if (!(std >= 0) || Double.isInfinite(std)) {
            throw new IllegalArgumentException("Init." + what + ": std must be finite and >= 0, got " + std);
        }
    }

    /**
     * Writes values in row-major logical order straight into the tensor's memory: no op, no autograd
     * record, no temporary tensor (initialising a large embedding table should not double its memory).
     */
    private static Tensor write(Tensor t, DoubleSupplier values) {
        Checks.alive("Init", t);
        DType dtype = t.dtype();
        if (!dtype.isFloating()) {
            throw new IllegalArgumentException("Init: " + t.describe() + " is not floating point");
        }
        if (!t.device().isHost()) {
            // device memory is never written from Java: draw the values on the host (the same sequence as for a
            // host tensor) and copy them over
            Tensor host = write(Tensor.empty(dtype, t.shape()), values);
            io.panrec.backend.Backends.forDevice(t.device()).transfer(host, t);
            return t;
        }
        MemorySegment seg = t.segment();
        long n = t.numel();
        long base = t.offset();
        if (t.isContiguous()) {
            for (long i = 0; i < n; i++) {
                dtype.set(seg, base + i, values.getAsDouble());
            }
            return t;
        }
        int[] shape = t.shape();
        long[] strides = t.strides();
        int[] idx = new int[shape.length];
        for (long i = 0; i < n; i++) {
            long e = base;
            for (int d = 0; d < shape.length; d++) {
                e += idx[d] * strides[d];
            }
            dtype.set(seg, e, values.getAsDouble());
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        return t;
    }
}
