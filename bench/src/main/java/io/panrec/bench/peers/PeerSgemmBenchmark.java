package io.panrec.bench.peers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.panrec.models.onnx.OnnxGraph;
import io.panrec.onednn.MatmulPaths;
import io.panrec.tensor.Scope;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
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

import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * C = A B, 1024 cubed in F32, on 1 and 2 threads, by every library in one run: panrec's oneDNN backend,
 * the direct {@code dnnl_sgemm} call (the native floor), panrec's vector backend, ONNX Runtime running a
 * one-node MatMul graph built with panrec's ONNX writer, DJL's {@code matMul} on PyTorch, and ND4J's
 * {@code Nd4j.gemm} into a preallocated result (its {@code mmul} on C-order arrays is several times slower
 * and would flatter panrec). Each path's result is checked at three entries in setup, so a wrong kernel
 * cannot post a time. ORT and DJL allocate their output per call, as their APIs do.
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xss4m"})
public class PeerSgemmBenchmark {
    public static final List<String> PATHS = List.of("onednn", "direct", "vector", "ort", "djl", "nd4j");

    @Param({"1024"})
    public int n;

    @Param({"1", "2"})
    public int threads;

    @Param({"onednn", "direct", "vector", "ort", "djl", "nd4j"})
    public String path;

    private Scope scope;
    private MatmulPaths.Case panrec;
    private OrtSession session;
    private Map<String, OnnxTensor> feeds;
    private NDManager manager;
    private NDArray da;
    private NDArray db;
    private INDArray na;
    private INDArray nb;
    private INDArray nc;
    private float[] a;
    private float[] b;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Peers.threads(threads);
        SplittableRandom r = new SplittableRandom(7);
        a = random(r, n * n);
        b = random(r, n * n);
        switch (path) {
            case "onednn", "direct", "vector" -> {
                scope = Scope.open("peer sgemm");
                panrec = MatmulPaths.prepare(path, n, n, n, scope);
                panrec.check(path);
            }
            case "ort" -> {
                session = Peers.ortSession(matmulGraph(n), threads);
                OrtEnvironment env = OrtEnvironment.getEnvironment();
                feeds = Map.of("a", OnnxTensor.createTensor(env, FloatBuffer.wrap(a), new long[] {n, n}),
                        "b", OnnxTensor.createTensor(env, FloatBuffer.wrap(b), new long[] {n, n}));
                check(ortRun());
            }
            case "djl" -> {
                manager = NDManager.newBaseManager(Peers.pytorch().defaultDevice(), "PyTorch");
                da = manager.create(a, new ai.djl.ndarray.types.Shape(n, n));
                db = manager.create(b, new ai.djl.ndarray.types.Shape(n, n));
                try (NDArray c = da.matMul(db)) {
                    check(c.toFloatArray());
                }
            }
            case "nd4j" -> {
                na = Nd4j.create(a, new long[] {n, n}, 'c');
                nb = Nd4j.create(b, new long[] {n, n}, 'c');
                nc = Nd4j.create(DataType.FLOAT, new long[] {n, n}, 'f');
                Nd4j.gemm(na, nb, nc, false, false, 1.0, 0.0);
                float[] c = new float[n * n];
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        c[i * n + j] = nc.getFloat(i, j);
                    }
                }
                check(c);
            }
            default -> throw new IllegalArgumentException("unknown path " + path + "; known: " + PATHS);
        }
    }

    /** A graph with inputs a, b [n, n] and output c = MatMul(a, b). */
    static byte[] matmulGraph(int n) {
        OnnxGraph g = new OnnxGraph("sgemm");
        String x = g.input("a", OnnxGraph.FLOAT, n, n);
        String y = g.input("b", OnnxGraph.FLOAT, n, n);
        g.namedNode("MatMul", "c", List.of(x, y));
        g.output("c", OnnxGraph.FLOAT, n, n);
        return g.toByteArray("bench");
    }

    private float[] ortRun() throws Exception {
        try (OrtSession.Result res = session.run(feeds)) {
            FloatBuffer fb = ((OnnxTensor) res.get(0)).getFloatBuffer();
            float[] c = new float[fb.remaining()];
            fb.get(c);
            return c;
        }
    }

    private void check(float[] c) {
        for (int[] ij : new int[][] {{0, 0}, {n / 2, n / 3}, {n - 1, n - 1}}) {
            double expect = 0;
            for (int k = 0; k < n; k++) {
                expect += (double) a[ij[0] * n + k] * b[k * n + ij[1]];
            }
            double got = c[ij[0] * n + ij[1]];
            if (Math.abs(expect - got) > 1e-3 * Math.max(1, Math.abs(expect))) {
                throw new IllegalStateException(path + " sgemm is wrong at " + java.util.Arrays.toString(ij) + ": " + got + " vs " + expect);
            }
        }
    }

    private static float[] random(SplittableRandom r, int size) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = (float) r.nextDouble(-1, 1);
        }
        return v;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        if (scope != null) {
            scope.close();
        }
        if (session != null) {
            session.close();
            feeds.values().forEach(OnnxTensor::close);
        }
        if (manager != null) {
            manager.close();
        }
    }

    @Benchmark
    public Object sgemm() throws Exception {
        switch (path) {
            case "ort" -> {
                try (OrtSession.Result res = session.run(feeds)) {
                    return res.get(0).getInfo();
                }
            }
            case "djl" -> {
                NDArray c = da.matMul(db);
                long s = c.getShape().size();
                c.close();
                return s;
            }
            case "nd4j" -> {
                return Nd4j.gemm(na, nb, nc, false, false, 1.0, 0.0);
            }
            default -> {
                panrec.run();
                return panrec.result();
            }
        }
    }
}
