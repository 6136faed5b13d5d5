package io.panrec.models.onnx;

import io.panrec.autograd.Autograd;
import io.panrec.models.spi.Batch;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.ModelProvider;
import io.panrec.models.spi.ModelRegistry;
import io.panrec.models.spi.Recommender;
import io.panrec.models.spi.Settings;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Re-reads exported ONNX files with {@link ProtoReader} (not ONNX Runtime, which is a bench-only
 * dependency) and checks their structure field by field: IR version and opset, the named inputs with the
 * symbolic batch dimension, the scores output, the op types in order, and every initializer equal in name,
 * shape and values to the model's state dict. A small interpreter of the graph's ops then runs the file
 * and must give the scores of {@code predict}, so a wrongly wired graph cannot pass.
 */
class OnnxExportTest {
    private static final ModelRegistry REGISTRY = ModelRegistry.discover();

    static Recommender model(String name) {
        ModelProvider p = REGISTRY.get(name);
        Settings s = p.defaultSettings();
        // uneven widths, so that a transposed weight or a swapped concatenation changes the shapes
        if (!name.equals("GMF")) {
            s = s.with("layers", List.of(10, 6, 3));
        }
        if (!name.equals("MLP")) {
            s = s.with("embeddingSize", 5);
        }
        Recommender m = p.create(s, DatasetSchema.implicit(7, 11));
        // non-trivial output weights and biases (a fresh Linear's bias may be tiny)
        SplittableRandom r = new SplittableRandom(3);
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (var e : m.stateDict().entrySet()) {
            float[] v = e.getValue().contiguous().toFloatArray();
            for (int k = 0; k < v.length; k++) {
                v[k] = (float) (r.nextDouble() * 2 - 1);
            }
            state.put(e.getKey(), Tensor.of(v, e.getValue().shape()));
        }
        m.loadState(state);
        m.setTraining(false);
        return m;
    }

    @ParameterizedTest
    @ValueSource(strings = {"NeuMF", "GMF", "MLP"})
    void structureMatchesTheStateDict(String name, @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Recommender m = model(name);
        Path file = dir.resolve(name + ".onnx");
        OnnxExport.write(m, name, REGISTRY, file);
        Parsed p = Parsed.read(Files.readAllBytes(file));

        assertEquals(OnnxGraph.IR_VERSION, p.irVersion);
        assertEquals(OnnxGraph.OPSET, p.opset);
        assertEquals(List.of("users:7:batch", "items:7:batch"), p.inputs);
        assertEquals(List.of("scores:1:batch"), p.outputs);

        Map<String, Tensor> state = m.stateDict();
        Map<String, long[]> expectedShapes = new HashMap<>();
        state.forEach((k, t) -> expectedShapes.put(k, java.util.Arrays.stream(t.shape()).asLongStream().toArray()));
        for (String k : state.keySet()) {
            assertTrue(p.initializers.containsKey(k), name + ": initializer " + k + " missing; have " + p.initializers.keySet());
            assertArrayEquals(expectedShapes.get(k), p.dims.get(k), k);
            assertArrayEquals(state.get(k).contiguous().toFloatArray(), p.initializers.get(k), k);
        }
        // the only other initializer is the shape of the final Reshape
        assertEquals(state.size() + 1, p.initializers.size() + p.longInitializers.size());
        assertArrayEquals(new long[] {-1}, p.longInitializers.get("scores.shape"));

        List<String> expectedOps = switch (name) {
            case "GMF" -> List.of("Gather", "Gather", "Mul", "Gemm", "Reshape");
            case "MLP" -> List.of("Gather", "Gather", "Concat", "Gemm", "Relu", "Gemm", "Relu", "Gemm", "Reshape");
            default -> List.of("Gather", "Gather", "Mul", "Gather", "Gather", "Concat", "Gemm", "Relu", "Gemm", "Relu",
                    "Concat", "Gemm", "Reshape");
        };
        assertEquals(expectedOps, p.nodes.stream().map(n -> n.op).toList());
        assertEquals(name, p.metadata.get("panrec.model"));

        long[] users = {0, 6, 3, 3, 1};
        long[] items = {10, 0, 4, 7, 2};
        float[] expected;
        try (var _ = Scope.open("t"); var _ = Autograd.noGrad()) {
            expected = m.predict(new Batch().put(Batch.USERS, Tensor.ofLongs(users)).put(Batch.ITEMS, Tensor.ofLongs(items))).toFloatArray();
        }
        float[] actual = p.run(Map.of("users", users, "items", items));
        assertEquals(users.length, actual.length);
        for (int k = 0; k < actual.length; k++) {
            assertEquals(expected[k], actual[k], 1e-5f * Math.max(1, Math.abs(expected[k])), name + " pair " + k);
        }
    }

    @Test
    void anUnsupportedModelNamesTheSupportedOnes() {
        Recommender bpr = REGISTRY.get("BPRMF").create(REGISTRY.get("BPRMF").defaultSettings(), DatasetSchema.implicit(3, 3));
        var e = assertThrows(UnsupportedOperationException.class, () -> OnnxExport.toBytes(bpr, "BPRMF", REGISTRY));
        for (String s : List.of("BPRMF", "NeuMF", "GMF", "MLP")) {
            assertTrue(e.getMessage().contains(s), e.getMessage());
        }
        assertTrue(!OnnxExport.supportedModels(REGISTRY).contains("BPRMF"));
    }

    @Test
    void varintsAndFloatsRoundTrip() {
        ProtoWriter w = new ProtoWriter().varint(1, 0).varint(2, 300).varint(3, -1).varint(4, Long.MAX_VALUE)
                .float32(5, -2.5f).string(6, "é");
        List<ProtoReader.Field> f = ProtoReader.fields(w.toByteArray());
        assertEquals(0, f.get(0).value());
        assertEquals(300, f.get(1).value());
        assertEquals(-1, f.get(2).value());
        assertEquals(Long.MAX_VALUE, f.get(3).value());
        assertEquals(-2.5f, f.get(4).float32());
        assertEquals("é", f.get(5).string());
        // 300 is the format specification's own example: 0xAC 0x02
        byte[] b = new ProtoWriter().varint(1, 300).toByteArray();
        assertArrayEquals(new byte[] {0x08, (byte) 0xAC, 0x02}, b);
        assertThrows(IllegalArgumentException.class, () -> ProtoReader.fields(new byte[] {0x0A, 0x05, 1}));
    }

    /** An ONNX model as far as this test reads it, plus an interpreter of the ops panrec exports. */
    static final class Parsed {
        long irVersion;
        long opset;
        final List<String> inputs = new ArrayList<>();
        final List<String> outputs = new ArrayList<>();
        final Map<String, float[]> initializers = new LinkedHashMap<>();
        final Map<String, long[]> longInitializers = new LinkedHashMap<>();
        final Map<String, long[]> dims = new HashMap<>();
        final List<Node> nodes = new ArrayList<>();
        final Map<String, String> metadata = new HashMap<>();
        String output;

        record Node(String op, List<String> in, String out, Map<String, Long> attrs) {
        }

        static Parsed read(byte[] bytes) {
            Parsed p = new Parsed();
            for (ProtoReader.Field f : ProtoReader.fields(bytes)) {
                switch (f.number()) {
                    case 1 -> p.irVersion = f.value();
                    case 7 -> p.graph(f.message());
                    case 8 -> f.message().stream().filter(x -> x.number() == 2).forEach(x -> p.opset = x.value());
                    case 14 -> {
                        List<ProtoReader.Field> kv = f.message();
                        p.metadata.put(kv.get(0).string(), kv.get(1).string());
                    }
                    default -> { }
                }
            }
            return p;
        }

        private void graph(List<ProtoReader.Field> g) {
            for (ProtoReader.Field f : g) {
                switch (f.number()) {
                    case 1 -> node(f.message());
                    case 5 -> tensor(f.message());
                    case 11 -> inputs.add(valueInfo(f.message()));
                    case 12 -> {
                        outputs.add(valueInfo(f.message()));
                        output = f.message().get(0).string();
                    }
                    default -> { }
                }
            }
        }

        private void node(List<ProtoReader.Field> n) {
            List<String> in = new ArrayList<>();
            String out = null;
            String op = null;
            Map<String, Long> attrs = new HashMap<>();
            for (ProtoReader.Field f : n) {
                switch (f.number()) {
                    case 1 -> in.add(f.string());
                    case 2 -> out = f.string();
                    case 4 -> op = f.string();
                    case 5 -> {
                        String an = null;
                        long v = 0;
                        for (ProtoReader.Field a : f.message()) {
                            if (a.number() == 1) {
                                an = a.string();
                            } else if (a.number() == 3) {
                                v = a.value();
                            }
                        }
                        attrs.put(an, v);
                    }
                    default -> { }
                }
            }
            nodes.add(new Node(op, in, out, attrs));
        }

        private void tensor(List<ProtoReader.Field> t) {
            List<Long> d = new ArrayList<>();
            String name = null;
            long type = 0;
            byte[] raw = null;
            for (ProtoReader.Field f : t) {
                switch (f.number()) {
                    case 1 -> d.add(f.value());
                    case 2 -> type = f.value();
                    case 8 -> name = f.string();
                    case 9 -> raw = f.bytes();
                    default -> { }
                }
            }
            ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
            dims.put(name, d.stream().mapToLong(Long::longValue).toArray());
            if (type == OnnxGraph.FLOAT) {
                float[] v = new float[raw.length / 4];
                b.asFloatBuffer().get(v);
                initializers.put(name, v);
            } else {
                assertEquals(OnnxGraph.INT64, type);
                long[] v = new long[raw.length / 8];
                b.asLongBuffer().get(v);
                longInitializers.put(name, v);
            }
        }

        /** "name:elemType:dim,dim" of a ValueInfoProto. */
        private static String valueInfo(List<ProtoReader.Field> v) {
            String name = v.get(0).string();
            List<ProtoReader.Field> tensorType = v.get(1).message().get(0).message();
            long elem = tensorType.get(0).value();
            List<String> ds = new ArrayList<>();
            for (ProtoReader.Field dim : tensorType.get(1).message()) {
                ProtoReader.Field x = dim.message().get(0);
                ds.add(x.number() == 2 ? x.string() : Long.toString(x.value()));
            }
            return name + ":" + elem + ":" + String.join(",", ds);
        }

        /** Runs the graph on int64 inputs; values are [rows, cols] float matrices (a [n] vector is [n, 1]). */
        float[] run(Map<String, long[]> feeds) {
            record M(float[] v, int rows, int cols) {
            }
            Map<String, M> values = new HashMap<>();
            initializers.forEach((k, v) -> {
                long[] d = dims.get(k);
                values.put(k, new M(v, (int) d[0], d.length > 1 ? (int) d[1] : 1));
            });
            for (Node n : nodes) {
                M r = switch (n.op) {
                    case "Gather" -> {
                        M table = values.get(n.in.get(0));
                        long[] idx = feeds.get(n.in.get(1));
                        float[] out = new float[idx.length * table.cols];
                        for (int i = 0; i < idx.length; i++) {
                            System.arraycopy(table.v, (int) idx[i] * table.cols, out, i * table.cols, table.cols);
                        }
                        yield new M(out, idx.length, table.cols);
                    }
                    case "Mul" -> {
                        M a = values.get(n.in.get(0));
                        M b = values.get(n.in.get(1));
                        float[] out = new float[a.v.length];
                        for (int i = 0; i < out.length; i++) {
                            out[i] = a.v[i] * b.v[i];
                        }
                        yield new M(out, a.rows, a.cols);
                    }
                    case "Concat" -> {
                        assertEquals(1L, n.attrs.get("axis"));
                        M a = values.get(n.in.get(0));
                        M b = values.get(n.in.get(1));
                        float[] out = new float[a.rows * (a.cols + b.cols)];
                        for (int i = 0; i < a.rows; i++) {
                            System.arraycopy(a.v, i * a.cols, out, i * (a.cols + b.cols), a.cols);
                            System.arraycopy(b.v, i * b.cols, out, i * (a.cols + b.cols) + a.cols, b.cols);
                        }
                        yield new M(out, a.rows, a.cols + b.cols);
                    }
                    case "Gemm" -> {
                        assertEquals(1L, n.attrs.get("transB"));
                        M x = values.get(n.in.get(0));
                        M w = values.get(n.in.get(1));
                        M bias = values.get(n.in.get(2));
                        assertEquals(x.cols, w.cols, "Gemm inner dimension");
                        float[] out = new float[x.rows * w.rows];
                        for (int i = 0; i < x.rows; i++) {
                            for (int j = 0; j < w.rows; j++) {
                                double s = bias.v[bias.v.length == 1 ? 0 : j];
                                for (int k = 0; k < x.cols; k++) {
                                    s += (double) x.v[i * x.cols + k] * w.v[j * w.cols + k];
                                }
                                out[i * w.rows + j] = (float) s;
                            }
                        }
                        yield new M(out, x.rows, w.rows);
                    }
                    case "Relu" -> {
                        M a = values.get(n.in.get(0));
                        float[] out = a.v.clone();
                        for (int i = 0; i < out.length; i++) {
                            out[i] = Math.max(0, out[i]);
                        }
                        yield new M(out, a.rows, a.cols);
                    }
                    case "Reshape" -> {
                        M a = values.get(n.in.get(0));
                        assertArrayEquals(new long[] {-1}, longInitializers.get(n.in.get(1)));
                        yield new M(a.v, a.v.length, 1);
                    }
                    default -> throw new AssertionError("unexpected op " + n.op);
                };
                values.put(n.out, r);
            }
            return values.get(output).v;
        }
    }
}
