package io.panrec.bench.cuda;

import io.panrec.backend.Availability;
import io.panrec.backend.Backends;
import io.panrec.cuda.CudaBackend;
import io.panrec.cuda.CudaLibraries;
import io.panrec.cuda.CudaTensors;
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
 * sgemm on the GPU through the cuda backend (cuBLAS), on the shapes PyTorch times in
 * {@code bench/scripts/torch_gpu_bench.py}: 4096 cubed, 1024 and 256 cubed, and the batch-1 and small-batch
 * shapes of inference (1x64x64, 1000x128x64). Shapes are MxKxN, operands row-major in device memory.
 *
 * <p>GPU work is asynchronous: each invocation queues {@value #REPS} products and then waits for the GPU, and
 * JMH divides by {@value #REPS}, as the Python script does, so both report the time per completed product.
 * The result is checked against the CPU before timing. Where no GPU is, the setup fails with the reasons and
 * JMH goes on to the next benchmark.
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class CudaSgemmBenchmark {
    static final int REPS = 20;

    @Param({"4096x4096x4096", "1024x1024x1024", "256x256x256", "1x64x64", "1000x128x64"})
    public String shape;

    private Scope scope;
    private CudaBackend gpu;
    private Device device;
    private Tensor a;
    private Tensor b;
    private Tensor c;

    /** The cuda backend, or a failure that says why it is not here (JMH then moves on). */
    static CudaBackend gpuOrExplain() {
        Availability av = CudaLibraries.availability();
        if (!av.available()) {
            throw new IllegalStateException("skipped: the cuda backend is unavailable here: " + String.join("; ", av.reasons()));
        }
        return (CudaBackend) Backends.named("cuda");
    }

    @Setup(Level.Trial)
    public void setUp() {
        gpu = gpuOrExplain();
        device = gpu.device();
        scope = Scope.open("cuda sgemm bench");
        String[] d = shape.split("x");
        int m = Integer.parseInt(d[0]);
        int k = Integer.parseInt(d[1]);
        int n = Integer.parseInt(d[2]);
        SplittableRandom r = new SplittableRandom(7);
        Tensor ha = Tensor.uniform(r, -1, 1, 1, m, k);
        Tensor hb = Tensor.uniform(r, -1, 1, 1, k, n);
        a = CudaTensors.toDevice(ha, device, scope);
        b = CudaTensors.toDevice(hb, device, scope);
        c = CudaTensors.zeros(scope, device, io.panrec.tensor.DType.F32, 1, m, n);
        check(ha, hb, m, k, n);
    }

    /** A wrong product cannot post a fast time: compares the first rows with the CPU. */
    private void check(Tensor ha, Tensor hb, int m, int k, int n) {
        int rows = Math.min(m, 4);
        Tensor expected = Tensor.zeros(1, rows, n);
        Backends.named("reference").matmul(ha.view(new int[] {1, rows, k}, ha.strides(), 0), hb, expected, 1, 0);
        gpu.matmul(a, b, c, 1, 0);
        float[] got = CudaTensors.toHost(c).toFloatArray();
        float[] want = expected.toFloatArray();
        for (int i = 0; i < want.length; i++) {
            if (Math.abs(got[i] - want[i]) > 1e-3 * Math.max(1, Math.abs(want[i])) * Math.sqrt(k)) {
                throw new IllegalStateException("cuda sgemm " + shape + " is wrong at " + i + ": " + got[i] + " vs " + want[i]);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (scope != null) {
            scope.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(REPS)
    public Tensor sgemm() {
        for (int i = 0; i < REPS; i++) {
            gpu.matmul(a, b, c, 1, 0);
        }
        CudaTensors.synchronize(device);
        return c;
    }
}
