package io.panrec.cli.models;

import io.panrec.models.onnx.ProtoReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.panrec.cli.models.ModelCommandsTest.ok;
import static io.panrec.cli.models.ModelCommandsTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code panrec export} on bundles that {@code panrec train} wrote: a GMF becomes an ONNX file whose graph
 * reads users and items and writes scores; a model without an ONNX graph, an unknown format and a folder
 * as the output each get one clear line and exit code 2. (The graph's structure and values are checked
 * in the models module's OnnxExportTest; ONNX Runtime runs exported files in the bench module.)
 */
class ExportCommandTest {
    @TempDir
    static Path tmp;
    static Path data;

    @BeforeAll
    static void writeData() throws Exception {
        data = tmp.resolve("ml-100k");
        ToyMovieLens.write(data, 7);
    }

    private static Path train(String model) {
        Path out = tmp.resolve(model);
        ok("train", "--model", model, "--data", "ml-100k:" + data, "--out", out.toString(), "--set", "epochs=1");
        return out;
    }

    @Test
    void exportsATrainedGmfAsOnnx() throws Exception {
        Path bundle = train("gmf");
        Path file = tmp.resolve("out/gmf.onnx");
        ModelCommandsTest.Run r = ok("export", "--model", bundle.toString(), "--format", "onnx", "--out", file.toString());
        assertTrue(r.out().contains("wrote " + file), r.toString());
        List<ProtoReader.Field> model = ProtoReader.fields(Files.readAllBytes(file));
        List<ProtoReader.Field> graph = model.stream().filter(f -> f.number() == 7).findFirst().orElseThrow().message();
        List<String> inputs = graph.stream().filter(f -> f.number() == 11).map(f -> f.message().get(0).string()).toList();
        List<String> outputs = graph.stream().filter(f -> f.number() == 12).map(f -> f.message().get(0).string()).toList();
        assertEquals(List.of("users", "items"), inputs);
        assertEquals(List.of("scores"), outputs);
        // no temporary file is left beside it
        try (var files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList());
        }
    }

    @Test
    void exportsTheTowersOfYouTubeDnnOneFileEach() throws Exception {
        Path bundle = train("youtubednn");
        for (String graph : List.of("user-tower", "item-tower")) {
            Path file = tmp.resolve("out-yt/" + graph + ".onnx");
            ModelCommandsTest.Run r = ok("export", "--model", bundle.toString(), "--graph", graph, "--out", file.toString());
            assertTrue(r.out().contains("wrote " + file + " (YouTubeDNN " + graph), r.toString());
            List<ProtoReader.Field> g = ProtoReader.fields(Files.readAllBytes(file)).stream().filter(f -> f.number() == 7).findFirst()
                    .orElseThrow().message();
            List<String> inputs = g.stream().filter(f -> f.number() == 11).map(f -> f.message().get(0).string()).toList();
            List<String> outputs = g.stream().filter(f -> f.number() == 12).map(f -> f.message().get(0).string()).toList();
            assertEquals(graph.equals("user-tower") ? List.of("history", "history_lengths") : List.of("items"), inputs);
            assertEquals(List.of(graph.equals("user-tower") ? "user_vectors" : "item_vectors"), outputs);
        }
        ModelCommandsTest.Run r = run("export", "--model", bundle.toString(), "--graph", "towers", "--out", tmp.resolve("t.onnx").toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("YouTubeDNN has no ONNX graph 'towers'; its graphs are: scores, user-tower, item-tower"), r.err());
        assertFalse(Files.exists(tmp.resolve("t.onnx")));
    }

    @Test
    void badRequestsGetOneClearLine() throws Exception {
        Path bpr = train("bprmf");
        ModelCommandsTest.Run r = run("export", "--model", bpr.toString(), "--out", tmp.resolve("bpr.onnx").toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("ONNX export is not available for BPRMF; the models that can be exported are: "), r.err());
        assertTrue(r.err().contains("NeuMF") && r.err().contains("GMF"), r.err());
        assertFalse(Files.exists(tmp.resolve("bpr.onnx")));

        r = run("export", "--model", bpr.toString(), "--format", "tflite", "--out", tmp.resolve("x").toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--format tflite is not known; the formats are: onnx"), r.err());

        r = run("export", "--model", bpr.toString(), "--out", tmp.toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("is a folder"), r.err());
    }
}
