package io.panrec.bench.onednn;

import io.panrec.backend.Backend;
import io.panrec.backend.Backends;
import io.panrec.backend.ConvSpec;
import io.panrec.backend.PoolSpec;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Convolution and pooling on ConvNCF's shapes (He et al. 2018, panrec's {@code ConvNCF}): the outer
 * product of a user and an item embedding (d = 64) is a 1 x 64 x 64 map, reduced by six 2x2 stride-2
 * convolutions of 32 channels down to 32 x 1 x 1. Two of those layers are timed, at batch 256 (the
 * model trains on batches of 512 triples, so one step runs about four such batches through each layer):
 * <ul>
 *   <li>{@code L1}: the first, [256, 1, 64, 64] to [256, 32, 32, 32] — one input channel, the widest map;</li>
 *   <li>{@code L3}: a middle one, [256, 32, 16, 16] to [256, 32, 8, 8] — the most arithmetic per output.</li>
 * </ul>
 * Forward, backward-data and backward-weights of each, and 2x2 stride-2 max/avg pooling of the same
 * input (the pooling variant of the same down-sampling). oneDNN vs vector vs reference; each path's
 * result is checked against the reference before it is timed.
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ConvPoolBenchmark {
    @Param({"onednn", "vector", "reference"})
    public String backend;

    @Param({"L1", "L3"})
    public String layer;

    @Param({"256"})
    public int batch;

    private Scope scope;
    private Backend b;
    private Tensor x, w, bias, y, g, gx, gw, gb, pooled, gpooled, gp;
    private final ConvSpec conv = ConvSpec.of(2, 0);
    private final PoolSpec max = new PoolSpec(PoolSpec.Kind.MAX, 2, 2, 2, 2, 0, 0, false);
    private final PoolSpec avg = new PoolSpec(PoolSpec.Kind.AVG, 2, 2, 2, 2, 0, 0, true);

    @Setup(Level.Trial)
    public void setUp() {
        b = Backends.named(backend);
        scope = Scope.open("conv bench");
        int in = layer.equals("L1") ? 1 : 32;
        int hw = layer.equals("L1") ? 64 : 16;
        SplittableRandom r = new SplittableRandom(3);
        x = Tensor.uniform(r, -1, 1, batch, in, hw, hw);
        w = Tensor.uniform(r, -0.5f, 0.5f, 32, in, 2, 2);
        bias = Tensor.uniform(r, -1, 1, 32);
        y = Tensor.zeros(batch, 32, hw / 2, hw / 2);
        g = Tensor.uniform(r, -1, 1, batch, 32, hw / 2, hw / 2);
        gx = Tensor.zeros(x.shape());
        gw = Tensor.zeros(w.shape());
        gb = Tensor.zeros(32);
        pooled = Tensor.zeros(batch, in, hw / 2, hw / 2);
        gpooled = Tensor.uniform(r, -1, 1, pooled.shape());
        gp = Tensor.zeros(x.shape());
        check();
        b.pool2d(max, x, pooled); // max pooling's backward is given the forward's output, as autograd would
    }

    /** A wrong kernel cannot post a fast time: forward conv and max pooling of two images against the reference. */
    private void check() {
        Backend ref = Backends.named("reference");
        Tensor x2 = x.slice(0, 0, 2).contiguous();
        Tensor y0 = Tensor.zeros(2, 32, y.shape(2), y.shape(3)), y1 = Tensor.zeros(y0.shape());
        ref.conv2d(x2, w, bias, y0, conv);
        b.conv2d(x2, w, bias, y1, conv);
        Tensor p0 = Tensor.zeros(2, x.shape(1), pooled.shape(2), pooled.shape(3)), p1 = Tensor.zeros(p0.shape());
        ref.pool2d(max, x2, p0);
        b.pool2d(max, x2, p1);
        float[][] pairs = {y0.toFloatArray(), y1.toFloatArray(), p0.toFloatArray(), p1.toFloatArray()};
        for (int k = 0; k < 4; k += 2) {
            for (int i = 0; i < pairs[k].length; i++) {
                if (Math.abs(pairs[k][i] - pairs[k + 1][i]) > 1e-4 * Math.max(1, Math.abs(pairs[k][i]))) {
                    throw new IllegalStateException(backend + (k == 0 ? " conv2d" : " max pool") + " " + layer + " is wrong at " + i
                            + ": " + pairs[k + 1][i] + " vs reference " + pairs[k][i]);
                }
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        scope.close();
    }

    @Benchmark
    public Tensor conv2dForward() {
        b.conv2d(x, w, bias, y, conv);
        return y;
    }

    @Benchmark
    public Tensor conv2dBackwardData() {
        b.conv2dBackwardData(g, w, gx, conv);
        return gx;
    }

    @Benchmark
    public Tensor conv2dBackwardWeights() {
        b.conv2dBackwardWeights(x, g, gw, gb, conv);
        return gw;
    }

    @Benchmark
    public Tensor maxPoolForward() {
        b.pool2d(max, x, pooled);
        return pooled;
    }

    @Benchmark
    public Tensor maxPoolBackward() {
        b.pool2dBackward(max, x, pooled, gpooled, gp);
        return gp;
    }

    @Benchmark
    public Tensor avgPoolForward() {
        b.pool2d(avg, x, pooled);
        return pooled;
    }
}
