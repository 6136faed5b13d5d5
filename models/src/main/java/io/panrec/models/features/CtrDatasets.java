package io.panrec.models.features;

import io.panrec.models.data.ReadOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * CTR data named the way the command line names it, {@code KIND:PATH}:
 * <ul>
 *   <li>{@code criteo:FILE} — the Criteo Kaggle {@code train.txt} (tab separated, no header);</li>
 *   <li>{@code criteo-csv:FILE} — Criteo as CSV with a header {@code label,I1..I13,C1..C26};</li>
 *   <li>{@code avazu:FILE} — the Avazu CSV;</li>
 *   <li>{@code ml-100k-ctr:DIR} — MovieLens 100K as CTR (label: rating &gt;= 4).</li>
 * </ul>
 * See {@link CtrReaders} for the formats.
 */
public final class CtrDatasets {
    /** The CTR kinds, in the order to list them. */
    public static final List<String> KINDS = List.of("criteo", "criteo-csv", "avazu", "ml-100k-ctr");

    private CtrDatasets() {
    }

    /** Whether {@code kind} (lower case) is CTR data. */
    public static boolean isCtr(String kind) {
        return KINDS.contains(kind.toLowerCase(Locale.ROOT));
    }

    /**
     * Reads {@code spec}.
     *
     * @throws IllegalArgumentException for a kind that is not CTR data (the message lists the CTR kinds)
     * @throws NoSuchFileException      if the path does not exist
     */
    public static RawCtrData read(String spec, CtrReaders.Encoding encoding, ReadOptions options) throws IOException {
        int colon = spec.indexOf(':');
        if (colon <= 0 || colon == spec.length() - 1) {
            throw new IllegalArgumentException("CTR data '" + spec + "' must be written KIND:PATH, e.g. criteo:data/train.txt; CTR kinds: "
                    + String.join(", ", KINDS));
        }
        String kind = spec.substring(0, colon).toLowerCase(Locale.ROOT);
        Path path = Path.of(spec.substring(colon + 1));
        if (!isCtr(kind)) {
            throw new IllegalArgumentException("'" + kind + "' is not CTR data (labelled rows with feature fields); CTR models read "
                    + String.join(", ", KINDS) + " (MovieLens 100K as CTR: ml-100k-ctr:DIR)");
        }
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString(), null, "data path of '" + spec + "' does not exist");
        }
        return switch (kind) {
            case "criteo" -> CtrReaders.criteoTsv(path, encoding, options);
            case "criteo-csv" -> CtrReaders.criteoCsv(path, encoding, options);
            case "avazu" -> CtrReaders.avazu(path, encoding, options);
            case "ml-100k-ctr" -> CtrReaders.movieLens100k(path, options);
            default -> throw new AssertionError(kind);
        };
    }
}
