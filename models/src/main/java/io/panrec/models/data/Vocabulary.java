package io.panrec.models.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A bijection between raw ids (the strings of the data files: {@code "196"}, {@code "tt0114709"}) and
 * dense indices {@code 0 .. size-1}, which are what models use as embedding rows.
 *
 * <p><b>Order: first appearance.</b> An id gets the next free index the first time it is
 * {@linkplain #add added}. Readers add ids in file order, so the same file always gives the same
 * vocabulary, and reading more data (a test file after a training file) only appends: indices already
 * handed out never change. (Sorting would renumber everything when one id is added, and sorts numeric
 * ids as strings, "10" before "2".) A model's vocabularies are saved with it, so a model never depends
 * on re-reading its data in the same order.
 *
 * <p><b>File format</b> ({@link #save}, {@link #load}): UTF-8 text, one id per line in index order, each
 * line ended by {@code '\n'}, no header. Ids may therefore not be empty, nor contain {@code '\n'} or
 * {@code '\r'}; {@link #add} rejects them. Saving is atomic: a temporary file in the same folder is
 * written, forced to disk and renamed over the target.
 *
 * <p>Not thread-safe while ids are added; lookups on a vocabulary no longer changed are.
 */
public final class Vocabulary {
    private final String name;
    private final List<String> ids = new ArrayList<>();
    private final Map<String, Integer> index = new HashMap<>();

    /** An empty vocabulary; {@code name} ("users", "items") appears in error messages. */
    public Vocabulary(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    /** A vocabulary of these ids, in this order (they must be distinct). */
    public static Vocabulary of(String name, List<String> ids) {
        Vocabulary v = new Vocabulary(name);
        for (String id : ids) {
            int before = v.size();
            if (v.add(id) != before) {
                throw new IllegalArgumentException(name + " vocabulary: id '" + id + "' appears twice");
            }
        }
        return v;
    }

    public String name() {
        return name;
    }

    /** The number of ids. */
    public int size() {
        return ids.size();
    }

    /**
     * The index of {@code id}, adding it with the next index if it is new.
     *
     * @throws IllegalArgumentException if the id is empty or contains a line break (it could not be saved)
     */
    public int add(String id) {
        Integer i = index.get(id);
        if (i != null) {
            return i;
        }
        check(id);
        int next = ids.size();
        ids.add(id);
        index.put(id, next);
        return next;
    }

    /** The index of {@code id}, or -1 if it is not in the vocabulary. */
    public int indexOf(String id) {
        Integer i = index.get(id);
        return i == null ? -1 : i;
    }

    /**
     * The index of {@code id}.
     *
     * @throws IllegalArgumentException if it is unknown (a user or item the model was not trained with)
     */
    public int index(String id) {
        Integer i = index.get(id);
        if (i == null) {
            throw new IllegalArgumentException("unknown " + singular() + " id '" + id + "' (the " + name
                    + " vocabulary has " + ids.size() + " ids" + (ids.isEmpty() ? "" : ", e.g. '" + ids.getFirst() + "'") + ")");
        }
        return i;
    }

    public boolean contains(String id) {
        return index.containsKey(id);
    }

    /**
     * The raw id of index {@code i}.
     *
     * @throws IndexOutOfBoundsException if {@code i} is not in {@code [0, size)}
     */
    public String id(int i) {
        if (i < 0 || i >= ids.size()) {
            throw new IndexOutOfBoundsException(name + " index " + i + " is outside [0, " + ids.size() + ")");
        }
        return ids.get(i);
    }

    /** The ids in index order (an unmodifiable snapshot). */
    public List<String> ids() {
        return List.copyOf(ids);
    }

    /** An independent copy (adding to it leaves this one unchanged). */
    public Vocabulary copy() {
        Vocabulary v = new Vocabulary(name);
        v.ids.addAll(ids);
        v.index.putAll(index);
        return v;
    }

    private String singular() {
        return name.endsWith("s") ? name.substring(0, name.length() - 1) : name;
    }

    private void check(String id) {
        Objects.requireNonNull(id, () -> name + " id is null");
        if (id.isEmpty()) {
            throw new IllegalArgumentException(name + " id is empty");
        }
        if (id.indexOf('\n') >= 0 || id.indexOf('\r') >= 0) {
            throw new IllegalArgumentException(name + " id '" + id.replace("\n", "\\n").replace("\r", "\\r")
                    + "' contains a line break; ids are saved one per line");
        }
    }

    // ------------------------------------------------------------------ files

    /** Writes the ids to {@code file}, one per line, atomically (see the class comment). */
    public void save(Path file) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String id : ids) {
            sb.append(id).append('\n');
        }
        writeAtomically(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads a vocabulary written by {@link #save}.
     *
     * @throws DataFormatException if the file is not UTF-8, has an empty line, a duplicate id, or does not
     *                             end with a line break (a truncated write); the message names file and line
     */
    public static Vocabulary load(Path file, String name) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new DataFormatException(file, 0, "not valid UTF-8 (" + e.getMessage() + ")");
        }
        Vocabulary v = new Vocabulary(name);
        if (text.isEmpty()) {
            return v;
        }
        if (!text.endsWith("\n")) {
            throw new DataFormatException(file, text.split("\n", -1).length,
                    "the last line does not end with a line break; the file is truncated or was not written by panrec");
        }
        String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String id = lines[i];
            long lineNo = i + 1;
            if (id.isEmpty()) {
                throw new DataFormatException(file, lineNo, "empty id");
            }
            if (id.indexOf('\r') >= 0) {
                throw new DataFormatException(file, lineNo, "id contains a carriage return (the file has CRLF line ends?)");
            }
            if (v.index.containsKey(id)) {
                throw new DataFormatException(file, lineNo, "id '" + id + "' already appeared on line " + (v.index.get(id) + 1));
            }
            v.ids.add(id);
            v.index.put(id, i);
        }
        return v;
    }

    /** Writes {@code bytes} to a temporary sibling, forces it to disk and renames it over {@code file}. */
    static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    @Override
    public String toString() {
        return "Vocabulary[" + name + ", " + ids.size() + " ids" + (ids.isEmpty() ? "" : ": " + ids.subList(0, Math.min(3, ids.size()))
                + (ids.size() > 3 ? "..." : "")) + "]";
    }
}
