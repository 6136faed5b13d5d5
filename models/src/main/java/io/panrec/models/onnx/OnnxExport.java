package io.panrec.models.onnx;

import io.panrec.models.bundle.AtomicFolder;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.ModelProvider;
import io.panrec.models.spi.ModelRegistry;
import io.panrec.models.spi.Recommender;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a model as an ONNX file ({@code panrec export --format onnx}): the graph of its
 * {@code predict}, or another graph it names (a retrieval model's {@code user-tower} or
 * {@code item-tower}), with the trained weights as initializers, for ONNX Runtime (as Vespa and
 * OpenSearch use it) or any other ONNX consumer. Models opt in by implementing {@link OnnxExportable};
 * NeuMF, GMF, MLP, DeepFM, TwoTower and YouTubeDNN do.
 *
 * <p>The exporter lives in the models module because it must see the models' modules (their embedding
 * tables, layers and activations); models depend on core only, so the command line (plugins) and the
 * benchmarks (bench) both reach it without panrec needing any ONNX or protobuf library.
 */
public final class OnnxExport {
    private OnnxExport() {
    }

    /** The serialized ONNX model of {@code model}'s {@link OnnxExportable#SCORES} graph, named after the model. */
    public static byte[] toBytes(Recommender model, String modelName, ModelRegistry registry) {
        return toBytes(model, modelName, registry, OnnxExportable.SCORES);
    }

    /**
     * The serialized ONNX model of {@code model}'s graph {@code graphName} (one of its
     * {@link OnnxExportable#onnxGraphs}, e.g. a two-tower model's {@code user-tower}).
     *
     * @throws UnsupportedOperationException if the model has no ONNX export
     * @throws IllegalArgumentException      if it has no graph of that name (the message lists its graphs)
     */
    public static byte[] toBytes(Recommender model, String modelName, ModelRegistry registry, String graphName) {
        if (!(model instanceof OnnxExportable exportable)) {
            throw new UnsupportedOperationException("ONNX export is not available for " + modelName + "; the models that can be "
                    + "exported are: " + String.join(", ", supportedModels(registry)));
        }
        if (!exportable.onnxGraphs().contains(graphName)) {
            throw new IllegalArgumentException(modelName + " has no ONNX graph '" + graphName + "'; its graphs are: "
                    + String.join(", ", exportable.onnxGraphs()));
        }
        OnnxGraph graph = new OnnxGraph(graphName.equals(OnnxExportable.SCORES) ? modelName : modelName + "." + graphName);
        graph.metadata("panrec.model", modelName);
        graph.metadata("panrec.graph", graphName);
        exportable.exportOnnx(graphName, graph);
        return graph.toByteArray(version());
    }

    /** {@link #toBytes} written to {@code file} atomically (readers see the old file or the whole new one). */
    public static void write(Recommender model, String modelName, ModelRegistry registry, Path file) throws IOException {
        write(model, modelName, registry, OnnxExportable.SCORES, file);
    }

    /** The graph {@code graphName} of {@code model} written to {@code file} atomically. */
    public static void write(Recommender model, String modelName, ModelRegistry registry, String graphName, Path file) throws IOException {
        AtomicFolder.replaceFile(file, toBytes(model, modelName, registry, graphName));
    }

    /**
     * The names of the registered models whose instances are {@link OnnxExportable}, found by building
     * each with its defaults on a two-user, two-item schema (cheap: nothing is trained). A model that
     * cannot be built that way (e.g. it needs a schema with features) is left out of the list.
     */
    public static List<String> supportedModels(ModelRegistry registry) {
        List<String> names = new ArrayList<>();
        for (ModelProvider p : registry.providers()) {
            try {
                if (p.create(p.defaultSettings(), DatasetSchema.implicit(2, 2)) instanceof OnnxExportable) {
                    names.add(p.name());
                }
            } catch (RuntimeException e) {
                // not buildable on this schema: it is not listed, which is all the list promises
            }
        }
        return names;
    }

    private static String version() {
        Package p = OnnxExport.class.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
