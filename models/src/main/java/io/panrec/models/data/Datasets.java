package io.panrec.models.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Reads a dataset named the way the command line names it, {@code KIND:PATH}:
 * <ul>
 *   <li>{@code ml-100k:DIR}, {@code ml-1m:DIR}, {@code ml-latest:DIR} — the {@link MovieLens} folders;</li>
 *   <li>{@code csv:FILE}, {@code tsv:FILE} — a delimited file with a header, whose columns are given
 *       separately ({@link DelimitedFormat.Columns#parse}).</li>
 *   <li>{@code sessions:FILE}, {@code diginetica:FILE} — session clicks ({@link Sessions}): a
 *       {@code session,item,time} file, or DIGINETICA's {@code train-item-views.csv}; the sessions are
 *       the "users".</li>
 * </ul>
 * CTR data ({@code criteo:FILE}, {@code criteo-csv:FILE}, {@code avazu:FILE}, {@code ml-100k-ctr:DIR}) is
 * labelled rows with feature fields, not interactions: {@link io.panrec.models.features.CtrDatasets}
 * reads it, for the context-aware models.
 */
public final class Datasets {
    /** The kinds {@link #read} understands, in the order to list them. */
    public static final List<String> KINDS = List.of("ml-100k", "ml-1m", "ml-latest", "csv", "tsv",
            "sessions", "diginetica", "criteo", "criteo-csv", "avazu", "ml-100k-ctr");

    private Datasets() {
    }

    /**
     * Reads {@code spec} ({@code KIND:PATH}).
     *
     * @param columns for csv and tsv: which columns hold user, item, rating and timestamp; for sessions:
     *                the session (user), item and time (timestamp) columns, or null to recognise
     *                {@code session,item,time}; ignored (may be null) for the other kinds
     * @throws IllegalArgumentException for an unknown kind (the message lists the known ones) or a csv/tsv
     *                                  spec without columns
     * @throws NoSuchFileException      if the path does not exist
     */
    public static Dataset read(String spec, DelimitedFormat.Columns columns, ReadOptions options) throws IOException {
        int colon = spec.indexOf(':');
        if (colon <= 0 || colon == spec.length() - 1) {
            throw new IllegalArgumentException("data '" + spec + "' must be written KIND:PATH, e.g. ml-100k:data/ml-100k; kinds: "
                    + String.join(", ", KINDS));
        }
        String kind = spec.substring(0, colon).toLowerCase(Locale.ROOT);
        Path path = Path.of(spec.substring(colon + 1));
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString(), null, "data path of '" + spec + "' does not exist");
        }
        return switch (kind) {
            case "ml-100k" -> MovieLens.read100k(path, options);
            case "ml-1m" -> MovieLens.read1m(path, options);
            case "ml-latest" -> MovieLens.readLatest(path, options);
            case "csv", "tsv" -> {
                if (columns == null) {
                    throw new IllegalArgumentException(kind + " data needs its columns, e.g. user=userId,item=movieId,rating=rating");
                }
                yield DelimitedReader.read(path, kind.equals("csv") ? DelimitedFormat.csv(columns) : DelimitedFormat.tsv(columns), options);
            }
            case "sessions" -> Sessions.readDelimited(path, columns, options);
            case "diginetica" -> Sessions.readDiginetica(path, options);
            case "criteo", "criteo-csv", "avazu", "ml-100k-ctr" -> throw new IllegalArgumentException("'" + kind + "' is CTR data "
                    + "(labelled rows with feature fields), read by the CTR models (LR, FM, WideDeep, DeepFM, DCNV2); for interactions "
                    + "use one of ml-100k, ml-1m, ml-latest, csv, tsv, sessions, diginetica");
            default -> throw new IllegalArgumentException("unknown data kind '" + kind + "' in '" + spec + "'; known kinds: "
                    + String.join(", ", KINDS));
        };
    }
}
