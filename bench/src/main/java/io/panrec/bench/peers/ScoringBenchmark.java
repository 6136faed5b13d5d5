package io.panrec.bench.peers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.panrec.autograd.Autograd;
import io.panrec.models.onnx.OnnxExport;
import io.panrec.models.spi.Batch;
import io.panrec.models.spi.ModelRegistry;
import io.panrec.models.spi.Recommender;
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

import java.nio.LongBuffer;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Reranking's inner loop: one user's NeuMF scores for 100 or 1000 candidate items, with the same weights
 * everywhere (MovieLens 100K's 943 users and 1682 items, NeuMF's default sizes): panrec's
 * {@code predict} on the oneDNN and vector backends, ONNX Runtime on the file {@code panrec export}
 * writes, and DJL (PyTorch) running the same forward pass on NDArrays of the same weights. Each timed
 * call takes the ids as Java arrays and returns the scores as a Java array, as a rescorer needs them.
 * Setup checks every path's scores against panrec's reference backend (relative and absolute tolerance
 * 1e-4) and fails the trial otherwise. One thread per path: a search server scores queries in parallel.
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xss4m"})
public class ScoringBenchmark {
    static final int USERS = 943;
    static final int ITEMS = 1682;

    @Param({"100", "1000"})
    public int candidates;

    @Param({"panrec-onednn", "panrec-vector", "ort", "djl"})
    public String path;

    @Param({"1"})
    public int threads;

    private Recommender model;
    private long[] users;
    private long[] items;
    private OrtSession session;
    private OrtEnvironment env;
    private NDManager manager;
    private Map<String, NDArray> weights;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Peers.threads(threads);
        users = new long[candidates];
        items = new long[candidates];
        SplittableRandom r = new SplittableRandom(11);
        java.util.Arrays.fill(users, 196);
        for (int k = 0; k < candidates; k++) {
            items[k] = r.nextInt(ITEMS);
        }
        float[] expected;
        Recommender reference = NeuMFPeers.panrec(USERS, ITEMS, 5);
        try (var _ = io.panrec.backend.Backends.use("reference"); var _ = Scope.open("expected"); var _ = Autograd.noGrad()) {
            expected = reference.predict(batch()).toFloatArray();
        }
        switch (path) {
            case "panrec-onednn", "panrec-vector" -> {
                io.panrec.backend.Backend b = io.panrec.backend.Backends.named(path.substring("panrec-".length()));
                model = NeuMFPeers.panrec(USERS, ITEMS, 5);
                this.backend = b;
            }
            case "ort" -> {
                env = OrtEnvironment.getEnvironment();
                session = Peers.ortSession(OnnxExport.toBytes(NeuMFPeers.panrec(USERS, ITEMS, 5), "NeuMF", ModelRegistry.discover()), threads);
            }
            case "djl" -> {
                manager = NDManager.newBaseManager(Peers.pytorch().defaultDevice(), "PyTorch");
                weights = NeuMFPeers.djlWeights(NeuMFPeers.panrec(USERS, ITEMS, 5), manager);
            }
            default -> throw new IllegalArgumentException("unknown path " + path);
        }
        float[] got = score();
        for (int k = 0; k < candidates; k++) {
            if (!(Math.abs(got[k] - expected[k]) <= 1e-4 * Math.max(1, Math.abs(expected[k])))) {
                throw new IllegalStateException(path + " scores differ from panrec's reference at candidate " + k + ": " + got[k]
                        + " vs " + expected[k]);
            }
        }
    }

    private io.panrec.backend.Backend backend;

    private Batch batch() {
        return new Batch().put(Batch.USERS, Tensor.ofLongs(users)).put(Batch.ITEMS, Tensor.ofLongs(items));
    }

    @Benchmark
    public float[] score() throws Exception {
        switch (path) {
            case "ort" -> {
                try (OnnxTensor u = OnnxTensor.createTensor(env, LongBuffer.wrap(users), new long[] {candidates});
                     OnnxTensor i = OnnxTensor.createTensor(env, LongBuffer.wrap(items), new long[] {candidates});
                     OrtSession.Result res = session.run(Map.of("users", u, "items", i))) {
                    return (float[]) res.get(0).getValue();
                }
            }
            case "djl" -> {
                try (NDManager sub = manager.newSubManager()) {
                    return NeuMFPeers.djlLogits(weights, sub.create(users), sub.create(items)).toFloatArray();
                }
            }
            default -> {
                try (var _ = io.panrec.backend.Backends.use(backend); var _ = Scope.open("score"); var _ = Autograd.noGrad()) {
                    return model.predict(batch()).toFloatArray();
                }
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        if (session != null) {
            session.close();
        }
        if (manager != null) {
            manager.close();
        }
    }
}
