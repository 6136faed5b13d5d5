package io.panrec.bench.peers;

import io.panrec.backend.vector.VectorDot;
import io.panrec.ops.Linalg;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import org.apache.lucene.util.VectorUtil;
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
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The dot product of two float vectors of 64 and 768 elements (an embedding and a BERT-sized vector):
 * panrec's kernel ({@link VectorDot}) against Lucene's {@link VectorUtil#dotProduct} (its Panama
 * implementation when the Vector API module is present, which the fork's flags ensure), and panrec's
 * tensor op ({@link Linalg#rowDot}) to show what a per-call tensor costs at this size. Setup checks the
 * three agree.
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class DotBenchmark {
    @Param({"64", "768"})
    public int size;

    @Param({"panrec", "lucene", "panrec-tensor"})
    public String path;

    private float[] a;
    private float[] b;
    private Tensor ta;
    private Tensor tb;

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom r = new SplittableRandom(3);
        a = new float[size];
        b = new float[size];
        for (int i = 0; i < size; i++) {
            a[i] = (float) r.nextDouble(-1, 1);
            b[i] = (float) r.nextDouble(-1, 1);
        }
        ta = Tensor.of(a, 1, size);
        tb = Tensor.of(b, 1, size);
        double expect = 0;
        for (int i = 0; i < size; i++) {
            expect += (double) a[i] * b[i];
        }
        float got = dot();
        if (Math.abs(got - expect) > 1e-4 * Math.max(1, Math.abs(expect))) {
            throw new IllegalStateException(path + " dot is wrong: " + got + " vs " + expect);
        }
    }

    @Benchmark
    public float dot() {
        return switch (path) {
            case "panrec" -> VectorDot.dot(a, b);
            case "lucene" -> VectorUtil.dotProduct(a, b);
            case "panrec-tensor" -> {
                try (var _ = Scope.open("dot")) {
                    yield Linalg.rowDot(ta, tb).item();
                }
            }
            default -> throw new IllegalArgumentException("unknown path " + path);
        };
    }
}
