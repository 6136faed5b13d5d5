package io.panrec.bench.peers;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The libraries panrec is compared with (issue 8), set up the same way in every benchmark: ONNX Runtime
 * (Java API, as Vespa and OpenSearch use it), Deep Java Library with its PyTorch engine (offline: the
 * native libraries come from the {@code pytorch-native-cpu} jar on the class path, never from the
 * network), ND4J (native, OpenBLAS) and Lucene's {@code VectorUtil}. These are bench-module dependencies
 * only; no panrec module depends on them.
 *
 * <p>{@link #threads} gives every library the same number of threads; it must run before any of them
 * loads its native code, which is why each benchmark calls it first in its trial setup (JMH runs each
 * parameter set in a fresh fork).
 */
public final class Peers {
    private Peers() {
    }

    /**
     * Caps the threads of every path at {@code n}: panrec's vector backend ({@code panrec.threads}),
     * OpenMP in oneDNN, ND4J and OpenBLAS ({@code OMP_NUM_THREADS}, {@code OPENBLAS_NUM_THREADS}, read
     * when the libraries load), PyTorch through DJL's properties (intra-op {@code n}, inter-op 1); ONNX
     * Runtime's sessions take {@code n} intra-op threads in {@link #ortSession}. Also switches DJL offline
     * and ONNX Runtime's telemetry off.
     */
    public static void threads(int n) {
        System.setProperty("panrec.threads", Integer.toString(n));
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(n));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        System.setProperty("ai.djl.offline", "true");
        setenv("OMP_NUM_THREADS", Integer.toString(n));
        setenv("OPENBLAS_NUM_THREADS", Integer.toString(n));
        setenv("ORT_DISABLE_TELEMETRY", "1");
    }

    /** An ONNX Runtime session of {@code model} on {@code threads} intra-op threads, all graph optimisations on. */
    public static OrtSession ortSession(byte[] model, int threads) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setIntraOpNumThreads(threads);
        o.setInterOpNumThreads(1);
        o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        return env.createSession(model, o);
    }

    /**
     * DJL's PyTorch engine, or an {@link IllegalStateException} saying why it is unavailable here (its
     * native library must come from the class path since the benchmarks run offline).
     */
    public static ai.djl.engine.Engine pytorch() {
        System.setProperty("ai.djl.offline", "true");
        try {
            ai.djl.engine.Engine e = ai.djl.engine.Engine.getEngine("PyTorch");
            if (e == null) {
                throw new IllegalStateException("DJL found no PyTorch engine on the class path");
            }
            return e;
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new IllegalStateException("DJL PyTorch engine unavailable offline: " + e, e);
        }
    }

    /** Each peer with "ok (version)" or the reason it cannot run here. */
    public static Map<String, String> availability() {
        Map<String, String> m = new LinkedHashMap<>();
        try {
            m.put("onnxruntime", "ok (" + OrtEnvironment.getEnvironment().getVersion() + ")");
        } catch (RuntimeException | LinkageError e) {
            m.put("onnxruntime", "unavailable: " + e);
        }
        try {
            ai.djl.engine.Engine e = pytorch();
            m.put("djl-pytorch", "ok (DJL " + ai.djl.engine.Engine.getDjlVersion() + ", PyTorch " + e.getVersion() + ")");
        } catch (RuntimeException | LinkageError e) {
            m.put("djl-pytorch", "unavailable: " + e.getMessage());
        }
        try {
            org.nd4j.linalg.factory.Nd4j.create(new float[] {1f}, new long[] {1});
            m.put("nd4j", "ok (" + org.nd4j.linalg.factory.Nd4j.getBackend().getClass().getSimpleName() + ")");
        } catch (RuntimeException | LinkageError e) {
            m.put("nd4j", "unavailable: " + e);
        }
        m.put("lucene", "ok (" + org.apache.lucene.util.Version.LATEST + ")");
        return m;
    }

    /** Prints {@link #availability()}: {@code java -cp ... io.panrec.bench.peers.Peers}. */
    public static void main(String[] args) {
        threads(1);
        availability().forEach((k, v) -> System.out.println(k + ": " + v));
        System.exit(0);
    }

    static void setenv(String name, String value) {
        io.panrec.backend.CpuThreads.setenv(name, value);
    }
}
