package io.panrec.models.data;

/**
 * How readers treat malformed lines.
 *
 * @param lenient false (the default): the first malformed line throws a {@link DataFormatException}
 *                naming the file and line; true: malformed lines are skipped and counted in the
 *                {@link ReadReport}, which keeps the first few problems for the user to see. Problems
 *                that make the whole file unusable (a missing file, a header without a required column,
 *                undecodable text) throw in both modes.
 */
public record ReadOptions(boolean lenient) {
    public static final ReadOptions STRICT = new ReadOptions(false);
    public static final ReadOptions LENIENT = new ReadOptions(true);
}
