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

import java.nio.file.Files;
import java.nio.file.Path;
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
 * shape and values to the model's state dict. A small interpreter of the graph's ops ({@link OnnxFile}) then
 * runs the file and must give the scores of {@code predict}, so a wrongly wired graph cannot pass.
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
        OnnxFile p = OnnxFile.read(Files.readAllBytes(file));

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
        assertEquals(expectedOps, p.ops());
        assertEquals(name, p.metadata.get("panrec.model"));

        long[] users = {0, 6, 3, 3, 1};
        long[] items = {10, 0, 4, 7, 2};
        float[] expected;
        try (var _ = Scope.open("t"); var _ = Autograd.noGrad()) {
            expected = m.predict(new Batch().put(Batch.USERS, Tensor.ofLongs(users)).put(Batch.ITEMS, Tensor.ofLongs(items))).toFloatArray();
        }
        float[] actual = p.run(Map.of("users", OnnxFile.T.longs(users, users.length), "items", OnnxFile.T.longs(items, items.length)))
                .get("scores").f();
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
}
