package io.panrec.cli.models;

import io.panrec.models.bundle.Bundle;
import io.panrec.models.onnx.OnnxExport;
import io.panrec.models.onnx.OnnxExportable;
import io.panrec.models.spi.ModelRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code panrec export}: a trained bundle as an ONNX file, for ONNX Runtime or any other ONNX consumer.
 * The default graph computes what {@code predict} returns ({@code ... -> scores float [batch]});
 * retrieval models also export their towers one file each ({@code --graph user-tower}, {@code item-tower}).
 * See {@link OnnxExport} and {@link io.panrec.models.onnx.OnnxExportable}.
 */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Export a trained bundle to another format (ONNX), with its weights.",
                "",
                "Models and their graphs (inputs -> output; every first dimension is the symbolic 'batch'):",
                "  NeuMF, GMF, MLP   scores: users, items int64 [batch] -> scores float [batch] (logits)",
                "  DeepFM            scores: one input per feature field -> scores float [batch] (logits):",
                "                    users, items int64 [batch] when the data has user or item fields (their tables",
                "                    are in the file); a categorical row field NAME int64 [batch] (its local id);",
                "                    a numeric row field NAME float [batch] (the transformed value); a bag field",
                "                    NAME int64 [batch, NAME_slots] (local ids, right-padded with anything) and",
                "                    NAME_lengths int64 [batch] (how many of them count; 0: an empty bag)",
                "  TwoTower          user-tower: users int64 [batch], history int64 [batch, history_slots] (the",
                "                    user's latest items, oldest first, right-padded), history_lengths int64 [batch]",
                "                    -> user_vectors float [batch, d]; item-tower: items -> item_vectors float",
                "                    [batch, d] (the item CNN too, as Conv and MaxPool); scores: all of them ->",
                "                    scores float [batch], the dot product (cosine when normalize=true)",
                "  YouTubeDNN        user-tower: history, history_lengths -> user_vectors; item-tower: items ->",
                "                    item_vectors (the softmax weights); scores: u . w_i",
                "",
                "Examples:",
                "  panrec export --model models/neumf --format onnx --out neumf.onnx",
                "  panrec export --model models/twotower --graph user-tower --out user.onnx",
                "  panrec export --model models/twotower --graph item-tower --out item.onnx"})
public final class ExportCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A bundle folder written by 'panrec train'.")
    Path model;

    @Option(names = "--format", defaultValue = "onnx", paramLabel = "FORMAT", description = "The format to write: onnx (default).")
    String format;

    @Option(names = "--graph", defaultValue = "scores", paramLabel = "NAME", description = "Which graph: scores (default; what "
            + "predict returns), or for TwoTower and YouTubeDNN user-tower or item-tower (one file each).")
    String graph;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The file to write (replaced atomically if it exists).")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (!format.toLowerCase(Locale.ROOT).equals("onnx")) {
            throw new IllegalArgumentException("--format " + format + " is not known; the formats are: onnx");
        }
        if (Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " is a folder; give the path of the .onnx file to write");
        }
        ModelRegistry registry = ModelRegistry.discover();
        Bundle bundle = Bundle.load(model, registry);
        String name = bundle.model().settings().owner();
        OnnxExport.write(bundle.model(), name, registry, graph, out);
        PrintWriter w = spec.commandLine().getOut();
        String what = switch (graph) {
            case OnnxExportable.SCORES -> "its output 'scores' is what the model's predict returns";
            case OnnxExportable.USER_TOWER -> "its output '" + OnnxExportable.USER_VECTORS + "' is the user tower's vectors";
            case OnnxExportable.ITEM_TOWER -> "its output '" + OnnxExportable.ITEM_VECTORS + "' is the item tower's vectors";
            default -> "graph " + graph;
        };
        w.printf(Locale.ROOT, "wrote %s (%s %s as ONNX, opset %d, %,d bytes); %s%n",
                out, name, graph, io.panrec.models.onnx.OnnxGraph.OPSET, Files.size(out), what);
        w.flush();
        return 0;
    }
}
