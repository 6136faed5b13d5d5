package io.panrec.bench.onednn;

import io.panrec.onednn.MatmulPaths;
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

import java.util.concurrent.TimeUnit;

/**
 * C = A B through panrec's oneDNN backend beside a direct FFM call of dnnl_sgemm on the same buffers
 * (the native floor), and the vector and reference backends: the square sizes of training and the
 * batch-1 shapes of inference (1x64 times 64x64, 1000x128 times 128x64). Shapes are MxKxN. The
 * reference backend at 1024 cubed takes seconds per call: leave it out with {@code -p path=...} or run
 * {@code panrec bench kernels}, which times it once.
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class MatmulPathsBenchmark {
    @Param({"1024x1024x1024", "256x256x256", "64x64x64", "1x64x64", "1000x128x64"})
    public String shape;

    @Param({"onednn", "direct", "vector", "reference"})
    public String path;

    private Scope scope;
    private MatmulPaths.Case c;

    @Setup(Level.Trial)
    public void setUp() {
        String[] d = shape.split("x");
        scope = Scope.open("matmul bench");
        c = MatmulPaths.prepare(path, Integer.parseInt(d[0]), Integer.parseInt(d[1]), Integer.parseInt(d[2]), scope);
        c.check(path); // a wrong kernel cannot post a fast time
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        scope.close();
    }

    @Benchmark
    public Tensor matmul() {
        c.run();
        return c.result();
    }
}
