package io.panrec.bench.cuda;

import io.panrec.backend.Backend;
import io.panrec.backend.Backends;
import io.panrec.backend.ConvSpec;
import io.panrec.backend.PoolSpec;
import io.panrec.cuda.CudaBackend;
import io.panrec.cuda.CudaTensors;
import io.panrec.tensor.DType;
import io.panrec.tensor.Device;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Convolution and pooling on the GPU (cuDNN through the cuda backend) on ConvNCF's shapes, the same as the CPU's
 * {@code ConvPoolBenchmark} and as {@code bench/scripts/torch_gpu_bench.py}: {@code L1} [256, 1, 64, 64] to
 * [256, 32, 32, 32] and {@code L3} [256, 32, 16, 16] to [256, 32, 8, 8], 2x2 kernels of stride 2; forward,
 * backward-data, backward-weights, and 2x2 stride-2 max and average pooling with their gradients.
 *
 * <p>Each invocation queues {@value #REPS} calls and waits for the GPU (the time per completed call). The forward
 * convolution and max pooling are checked against the CPU first. FP32 without TF32 unless
 * {@code -Dpanrec.cuda.tf32=true} (then run the Python script with {@code --tf32}).
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class CudaConvPoolBenchmark {
    static final int REPS = 10;

    @Param({"L1", "L3"})
    public String layer;

    @Param({"256"})
    public int batch;

    private Scope scope;
    private CudaBackend gpu;
    private Device device;
    private Tensor x, w, bias, y, g, gx, gw, gb, pooled, gpooled, gp;
    private final ConvSpec conv = ConvSpec.of(2, 0);
    private final PoolSpec max = new PoolSpec(PoolSpec.Kind.MAX, 2, 2, 2, 2, 0, 0, false);
    private final PoolSpec avg = new PoolSpec(PoolSpec.Kind.AVG, 2, 2, 2, 2, 0, 0, true);

    @Setup(Level.Trial)
    public void setUp() {
        gpu = CudaSgemmBenchmark.gpuOrExplain();
        device = gpu.device();
        scope = Scope.open("cuda conv bench");
        int in = layer.equals("L1") ? 1 : 32;
        int hw = layer.equals("L1") ? 64 : 16;
        SplittableRandom r = new SplittableRandom(3);
        Tensor hx = Tensor.uniform(r, -1, 1, batch, in, hw, hw);
        Tensor hw4 = Tensor.uniform(r, -0.5f, 0.5f, 32, in, 2, 2);
        Tensor hb = Tensor.uniform(r, -1, 1, 32);
        x = CudaTensors.toDevice(hx, device, scope);
        w = CudaTensors.toDevice(hw4, device, scope);
        bias = CudaTensors.toDevice(hb, device, scope);
        y = CudaTensors.zeros(scope, device, DType.F32, batch, 32, hw / 2, hw / 2);
        g = CudaTensors.toDevice(Tensor.uniform(r, -1, 1, batch, 32, hw / 2, hw / 2), device, scope);
        gx = CudaTensors.zeros(scope, device, DType.F32, x.shape());
        gw = CudaTensors.zeros(scope, device, DType.F32, w.shape());
        gb = CudaTensors.zeros(scope, device, DType.F32, 32);
        pooled = CudaTensors.zeros(scope, device, DType.F32, batch, in, hw / 2, hw / 2);
        gpooled = CudaTensors.toDevice(Tensor.uniform(r, -1, 1, batch, in, hw / 2, hw / 2), device, scope);
        gp = CudaTensors.zeros(scope, device, DType.F32, x.shape());
        check(hx, hw4, hb);
    }

    /** Forward convolution and max pooling against the reference backend, before anything is timed. */
    private void check(Tensor hx, Tensor hw4, Tensor hb) {
        Backend ref = Backends.named("reference");
        Tensor y0 = Tensor.zeros(y.shape());
        ref.conv2d(hx, hw4, hb, y0, conv);
        gpu.conv2d(x, w, bias, y, conv);
        Tensor p0 = Tensor.zeros(pooled.shape());
        ref.pool2d(max, hx, p0);
        gpu.pool2d(max, x, pooled);
        compare("conv2d", y0.toFloatArray(), CudaTensors.toHost(y).toFloatArray());
        compare("max pool", p0.toFloatArray(), CudaTensors.toHost(pooled).toFloatArray());
    }

    private void compare(String what, float[] want, float[] got) {
        for (int i = 0; i < want.length; i++) {
            if (Math.abs(got[i] - want[i]) > 1e-4 * Math.max(1, Math.abs(want[i]))) {
                throw new IllegalStateException("cuda " + what + " " + layer + " is wrong at " + i + ": " + got[i] + " vs " + want[i]);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (scope != null) {
            scope.close();
        }
    }

    private Tensor sync(Tensor t) {
        CudaTensors.synchronize(device);
        return t;
    }

    @Benchmark
    @OperationsPerInvocation(REPS)
    public Tensor conv2dForward() {
        for (int i = 0; i < REPS; i++) {
            gpu.conv2d(x, w, bias, y, conv);
        }
        return sync(y);
    }

    @Benchmark
    @OperationsPerInvocation(REPS)
    public Tensor conv2dBackwardData() {
        for (int i = 0; i < REPS; i++) {
            gpu.conv2dBackwardData(g, w, gx, conv);
        }
        return sync(gx);
    }

    @Benchmark
    @OperationsPerInvocation(REPS)
    public Tensor conv2dBackwardWeights() {
        for (int i = 0; i < REPS; i++) {
            gpu.conv2dBackwardWeights(x, g, gw, gb, conv);
        }
        return sync(gw);
    }

    @Benchmark
    @OperationsPerInvocation(REPS)
    public Tensor maxPool() {
        for (int i = 0; i < REPS; i++) {
            gpu.pool2d(max, x, pooled);
        }
        return sync(pooled);
    }

    @Benchmark
    @OperationsPerInvocation(REPS)
    public Tensor maxPoolBackward() {
        for (int i = 0; i < REPS; i++) {
            gpu.pool2dBackward(max, x, pooled, gpooled, gp);
        }
        return sync(gp);
    }

    @Benchmark
    @OperationsPerInvocation(REPS)
    public Tensor avgPool() {
        for (int i = 0; i < REPS; i++) {
            gpu.pool2d(avg, x, pooled);
        }
        return sync(pooled);
    }

    @Benchmark
    @OperationsPerInvocation(REPS)
    public Tensor avgPoolBackward() {
        for (int i = 0; i < REPS; i++) {
            gpu.pool2dBackward(avg, x, pooled, gpooled, gp);
        }
        return sync(gp);
    }
}
