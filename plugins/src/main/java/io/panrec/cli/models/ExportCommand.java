package io.panrec.cli.models;

import io.panrec.models.bundle.Bundle;
import io.panrec.models.onnx.OnnxExport;
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
 * The file's graph computes what {@code predict} returns ({@code users, items int64 [batch] -> scores
 * float [batch]}); see {@link OnnxExport}.
 */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Export a trained bundle to another format (ONNX), with its weights.",
                "",
                "Example:",
                "  panrec export --model models/neumf --format onnx --out neumf.onnx"})
public final class ExportCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A bundle folder written by 'panrec train'.")
    Path model;

    @Option(names = "--format", defaultValue = "onnx", paramLabel = "FORMAT", description = "The format to write: onnx (default).")
    String format;

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
        OnnxExport.write(bundle.model(), name, registry, out);
        PrintWriter w = spec.commandLine().getOut();
        w.printf(Locale.ROOT, "wrote %s (%s as ONNX, opset %d, %,d bytes); its output 'scores' is what the model's predict returns%n",
                out, name, io.panrec.models.onnx.OnnxGraph.OPSET, Files.size(out));
        w.flush();
        return 0;
    }
}
