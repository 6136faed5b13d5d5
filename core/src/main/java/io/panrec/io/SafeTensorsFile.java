package io.panrec.io;

import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Map;

/**
 * The tensors and metadata read from a safetensors file. Tensors read by
 * {@link SafeTensors#read(Path, Scope)} are views of the file's read-only memory mapping, valid while
 * their scope is open; {@link #close()} closes the scope only if this object owns it
 * ({@link SafeTensors#open(Path)}).
 */
public final class SafeTensorsFile implements AutoCloseable {
    private final Path path;
    private final Map<String, Tensor> tensors;
    private final Map<String, String> metadata;
    private final Scope scope;
    private final boolean ownsScope;
    private final MemorySegment mapping;
    private final int copied;

    SafeTensorsFile(Path path, Map<String, Tensor> tensors, Map<String, String> metadata, Scope scope, boolean ownsScope,
                    MemorySegment mapping, int copied) {
        this.path = path;
        this.tensors = tensors;
        this.metadata = metadata;
        this.scope = scope;
        this.ownsScope = ownsScope;
        this.mapping = mapping;
        this.copied = copied;
    }

    public Path path() {
        return path;
    }

    /** Every tensor by name, in the order of the file's header (unmodifiable). */
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    /**
     * The tensor of this name.
     *
     * @throws IllegalArgumentException naming the file and the tensors it has, if there is none
     */
    public Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException(path + " has no tensor named '" + name + "'; it has " + tensors.keySet());
        }
        return t;
    }

    /** The header's {@code __metadata__} (empty if absent; unmodifiable). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The scope that owns the tensors (and the mapping). */
    public Scope scope() {
        return scope;
    }

    /**
     * The read-only mapping of the whole file, or null for a copying read. Zero-copy tensors lie inside
     * it.
     */
    public MemorySegment mapping() {
        return mapping;
    }

    /**
     * How many tensors had to be copied out of the mapping instead of viewed in place, because their data
     * was not aligned to their element size in the file (never for files written by panrec or the
     * reference Python writer, which align the data).
     */
    public int copiedTensors() {
        return copied;
    }

    /** Closes the scope if this object opened it (unmapping the file); otherwise does nothing. */
    @Override
    public void close() {
        if (ownsScope) {
            scope.close();
        }
    }

    @Override
    public String toString() {
        return "SafeTensorsFile[" + path + ", " + tensors.size() + " tensors]";
    }
}
