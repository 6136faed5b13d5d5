package io.panrec.cli.search;

import io.panrec.lucene.VectorModel;
import io.panrec.models.bundle.Bundle;
import io.panrec.models.data.Interactions;
import io.panrec.models.data.Vocabulary;
import io.panrec.models.spi.ModelRegistry;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code panrec index}: the demo's indexing step alone. Writes an item catalogue (MovieLens' movies, or
 * the generated catalogue) into a Lucene index with {@link io.panrec.lucene.CatalogIndexer}, optionally
 * with each item's vector from a trained bundle, and optionally writes the generated interaction log as
 * CSV so that {@code panrec train} can train a model on it.
 */
@Command(name = "index", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Index an item catalogue into a Lucene index (BM25 text, genres, year, popularity; item vectors with --model).",
                "Then: panrec search --index DIR --query TEXT."})
public final class IndexCommand implements Callable<Integer> {
    @Option(names = "--data", paramLabel = "SPEC", defaultValue = "synthetic",
            description = "'synthetic' (default: the demo's generated catalogue) or MovieLens with titles: ml-100k:DIR, ml-1m:DIR.")
    String data;
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The index folder: new, empty, or an earlier index (replaced).")
    Path out;
    @Option(names = "--model", paramLabel = "BUNDLE_DIR", description = "A bundle of a model with user and item vectors (BPRMF, iALS) trained "
            + "on this data: each item it knows is indexed with its vector, for 'panrec search --knn'.")
    Path model;
    @Option(names = "--write-log", paramLabel = "FILE", description = "Also write the interaction log as CSV (user,item,timestamp), for "
            + "'panrec train --data csv:FILE --columns user=user,item=item,timestamp=timestamp'.")
    Path writeLog;
    @Option(names = "--seed", defaultValue = "42", description = "Seed of the generated data (default ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--items", defaultValue = "3000", description = "Generated items (default ${DEFAULT-VALUE}).")
    int items;
    @Option(names = "--synthetic-users", defaultValue = "1500", description = "Generated users (default ${DEFAULT-VALUE}).")
    int syntheticUsers;
    @Option(names = "--per-user", defaultValue = "40", description = "Generated interactions per user (default ${DEFAULT-VALUE}).")
    int perUser;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter o = spec.commandLine().getOut();
        checkOut(out);
        long t0 = System.nanoTime();
        DemoData d = DemoData.read(data, new SyntheticCatalog.Config(items, syntheticUsers, perUser, seed));
        o.printf(Locale.ROOT, "%s: %s (%s)%n", d.name(), d.about(), SearchSteps.millis((System.nanoTime() - t0) / 1e6));
        VectorModel vectors = null;
        Vocabulary vocabulary = d.log().items();
        if (model != null) {
            Bundle bundle = Bundle.load(model, ModelRegistry.discover());
            vectors = VectorModel.of(bundle.model());
            vocabulary = bundle.items();
        }
        t0 = System.nanoTime();
        int withVectors;
        try (Directory dir = FSDirectory.open(out)) {
            withVectors = SearchSteps.index(dir, d.catalogue(), vectors, vocabulary);
        }
        o.printf(Locale.ROOT, "indexed %d items into %s%s (%s)%n", d.catalogue().size(), out, vectors == null ? ""
                : ", " + withVectors + " with a " + vectors.dimension() + "-d vector of " + model, SearchSteps.millis((System.nanoTime() - t0) / 1e6));
        if (vectors != null && withVectors == 0) {
            o.println("warning: the model knows none of these items' ids: was it trained on other data?");
        }
        if (writeLog != null) {
            writeCsv(writeLog, d.log());
            o.printf(Locale.ROOT, "wrote %d interactions to %s%n", d.log().size(), writeLog);
        }
        o.flush();
        return 0;
    }

    /** Refuses a folder that holds something other than a Lucene index, which CREATE mode would not remove but mix with. */
    static void checkOut(Path out) throws IOException {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " is a file; give a folder for the index");
        }
        if (Files.isDirectory(out)) {
            boolean empty;
            try (Stream<Path> s = Files.list(out)) {
                empty = s.findAny().isEmpty();
            }
            if (!empty) {
                try (Directory dir = FSDirectory.open(out)) {
                    if (!DirectoryReader.indexExists(dir)) {
                        throw new IllegalArgumentException("--out " + out + " holds other files and no Lucene index; give a new or empty folder, "
                                + "or an earlier index to replace");
                    }
                }
            }
        }
    }

    /** The log as CSV with a header, written to a temporary file and moved into place. */
    static void writeCsv(Path file, Interactions log) throws IOException {
        Path abs = file.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = Files.createTempFile(abs.getParent(), abs.getFileName().toString(), ".tmp");
        try {
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                w.write("user,item,timestamp\n");
                for (int row = 0; row < log.size(); row++) {
                    w.write(log.users().id(log.user(row)) + "," + log.items().id(log.item(row)) + "," + log.timestamp(row) + "\n");
                }
            }
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
