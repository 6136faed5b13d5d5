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
 * Convolution and pooling on ConvNCF-like shapes (He et al. 2018: a 64x64 user-item interaction map
 * through stride-2 2x2 convolutions of 32 channels): a middle layer, batch 64, 32 channels at 16x16,
 * forward and both backward passes, and 2x2 max/avg pooling of the same maps; oneDNN vs vector vs reference.
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

    private Scope scope;
    private Backend b;
    private Tensor x, w, bias, y, g, gx, gw, gb, pooled, gp;
    private final ConvSpec conv = ConvSpec.of(2, 0);
    private final PoolSpec max = new PoolSpec(PoolSpec.Kind.MAX, 2, 2, 2, 2, 0, 0, false);
    private final PoolSpec avg = new PoolSpec(PoolSpec.Kind.AVG, 2, 2, 2, 2, 0, 0, true);

    @Setup(Level.Trial)
    public void setUp() {
        b = Backends.named(backend);
        scope = Scope.open("conv bench");
        SplittableRandom r = new SplittableRandom(3);
        x = Tensor.uniform(r, -1, 1, 64, 32, 16, 16);
        w = Tensor.uniform(r, -1, 1, 32, 32, 2, 2);
        bias = Tensor.uniform(r, -1, 1, 32);
        y = Tensor.zeros(64, 32, 8, 8);
        g = Tensor.uniform(r, -1, 1, 64, 32, 8, 8);
        gx = Tensor.zeros(x.shape());
        gw = Tensor.zeros(w.shape());
        gb = Tensor.zeros(32);
        pooled = Tensor.zeros(64, 32, 8, 8);
        gp = Tensor.zeros(x.shape());
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
        b.pool2dBackward(max, x, pooled, g, gp);
        return gp;
    }

    @Benchmark
    public Tensor avgPoolForward() {
        b.pool2d(avg, x, pooled);
        return pooled;
    }
}
