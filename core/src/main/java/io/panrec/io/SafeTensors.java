package io.panrec.io;

import io.panrec.tensor.DType;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a> format:
 * an 8-byte little-endian header length N, N bytes of UTF-8 JSON
 * {@code {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ..., "__metadata__":
 * {"key": "value"}}}, then the data buffer, each tensor contiguous, row-major and little-endian at its
 * offsets (relative to the buffer's start).
 *
 * <p><b>Reading</b> checks the whole header before any tensor is made, and rejects with a
 * {@link SafeTensorsException} naming the file and the problem: a file shorter than 8 bytes, a header
 * length beyond the file or above {@link #MAX_HEADER_BYTES}, a header that is not valid UTF-8 or not
 * strict JSON, duplicate names, unknown fields, an unknown or unsupported dtype, negative or
 * non-integer dimensions, offsets whose length is not {@code numel * elementSize}, offsets outside the
 * buffer, overlapping offsets, and gaps (the spec requires the tensors to cover the buffer exactly).
 * The header is only parsed as data; nothing in the file is ever executed. panrec reads the dtypes it
 * computes with (F32, F64, I32, I64); a file with any other dtype (BF16, F16, BOOL, ...) is rejected
 * with the tensor's name.
 *
 * <p>{@link #read(Path, Scope)} memory-maps the file <em>read-only</em> into the scope's arena and
 * returns tensors that are views of the mapping, without copying: writing to them throws the JDK's
 * {@code IllegalArgumentException} ("Attempt to write a read-only segment"). A tensor whose
 * data is not aligned to its element size in the file (possible only with files from writers that do
 * not pad the header) is copied into aligned memory of the scope instead; {@link
 * SafeTensorsFile#copiedTensors()} counts them. {@link #readCopy(Path, Scope)} copies every tensor into
 * writable memory (for weights that will be trained further) and leaves no mapping behind.
 *
 * <p><b>Writing</b> ({@link #write}) is atomic: the file is written to a temporary file in the target's
 * folder, forced to disk, and renamed over the target ({@code ATOMIC_MOVE}, falling back to a plain
 * replacing move where the file system cannot rename atomically). A failed write leaves the old file
 * untouched and removes its temporary file. Because the target is replaced, not rewritten, a reader that
 * mapped the old file keeps seeing the old contents. Data is placed largest element size first so that
 * every tensor is aligned to its element size, and the header is padded with spaces to a multiple of 8.
 *
 * <p>The format is little-endian; panrec runs on little-endian machines only (x86-64, AArch64), and
 * reading or writing elsewhere throws.
 */
public final class SafeTensors {
    /** Largest header accepted: far above any real model's, small enough to refuse a hostile length. */
    public static final long MAX_HEADER_BYTES = 100L * 1000 * 1000;

    private static final String METADATA = "__metadata__";
    /** dtypes of the format that panrec does not compute with: rejected with a clearer message than "unknown". */
    private static final Set<String> UNSUPPORTED = Set.of("BOOL", "U8", "I8", "I16", "U16", "F16", "BF16", "U32", "U64",
            "F8_E5M2", "F8_E4M3", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4", "C64");
    private static final Set<String> TENSOR_FIELDS = Set.of("dtype", "shape", "data_offsets");
    /** Bytes per write call: large enough to stream at disk speed, small enough for a ByteBuffer. */
    private static final int WRITE_CHUNK = 1 << 24;

    private SafeTensors() {
    }

    /** One tensor as described by the header. */
    private record Entry(String name, DType dtype, int[] shape, long begin, long end) {
    }

    /** A validated header. */
    private record Header(long dataStart, List<Entry> entries, Map<String, String> metadata) {
    }

    // ------------------------------------------------------------------ reading

    /**
     * Maps the file into a new scope owned by the returned object (a child of the global scope): close
     * it to unmap. Tensors are zero-copy, read-only views (see the class comment).
     */
    public static SafeTensorsFile open(Path path) throws IOException {
        Scope scope = Scope.global().child("safetensors:" + path.getFileName());
        try {
            return read(path, scope, true);
        } catch (IOException | RuntimeException | Error e) {
            scope.close();
            throw e;
        }
    }

    /**
     * Maps the file into {@code scope}: the tensors are read-only views of the mapping, valid until the
     * scope closes (for the global scope: until they are unreachable). See the class comment for what
     * is checked and for unaligned data.
     */
    public static SafeTensorsFile read(Path path, Scope scope) throws IOException {
        return read(path, scope, false);
    }

    private static SafeTensorsFile read(Path path, Scope scope, boolean owned) throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(scope, "scope");
        checkByteOrder();
        scope.checkAlive("SafeTensors.read " + path);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            Header h = header(path, ch);
            Arena arena = scope.arenaOrNull() != null ? scope.arenaOrNull() : Arena.ofAuto();
            MemorySegment map;
            try {
                map = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            } catch (IllegalStateException e) {
                throw new IllegalStateException("SafeTensors.read " + path + ": scope '" + scope.path() + "' was closed", e);
            }
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            int copied = 0;
            for (Entry e : h.entries()) {
                long bytes = e.end() - e.begin();
                Tensor t;
                if (bytes == 0) {
                    t = Tensor.zeros(scope, e.dtype(), e.shape());
                } else {
                    MemorySegment slice = map.asSlice(h.dataStart() + e.begin(), bytes);
                    if (slice.address() % e.dtype().byteSize() == 0) {
                        t = Tensor.wrap(slice, scope, e.dtype(), e.shape());
                    } else {
                        MemorySegment own = scope.allocate(bytes);
                        MemorySegment.copy(slice, 0, own, 0, bytes);
                        t = Tensor.wrap(own, scope, e.dtype(), e.shape());
                        copied++;
                    }
                }
                tensors.put(e.name(), t.name(e.name()));
            }
            return new SafeTensorsFile(path, Collections.unmodifiableMap(tensors), h.metadata(), scope, owned, map, copied);
        }
    }

    /**
     * Reads the file and copies every tensor into fresh, writable memory of {@code scope}; the file is
     * unmapped and closed when this returns. Same checks as {@link #read(Path, Scope)}.
     */
    public static SafeTensorsFile readCopy(Path path, Scope scope) throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(scope, "scope");
        checkByteOrder();
        scope.checkAlive("SafeTensors.readCopy " + path);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ); Arena temp = Arena.ofConfined()) {
            Header h = header(path, ch);
            MemorySegment map = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), temp);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Entry e : h.entries()) {
                Tensor t = Tensor.zeros(scope, e.dtype(), e.shape());
                long bytes = e.end() - e.begin();
                MemorySegment.copy(map, h.dataStart() + e.begin(), t.dataSegment(), 0, bytes);
                tensors.put(e.name(), t.name(e.name()));
            }
            return new SafeTensorsFile(path, Collections.unmodifiableMap(tensors), h.metadata(), scope, false, null,
                    tensors.size());
        }
    }

    /** Reads and validates the header; the result describes a buffer that the file covers exactly. */
    private static Header header(Path path, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw new SafeTensorsException(path, "the file is " + size + " bytes long, shorter than the 8-byte header "
                    + "length that starts a safetensors file (truncated, or not a safetensors file)");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, lenBuf, 0);
        long n = lenBuf.flip().getLong();
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw new SafeTensorsException(path, "the header length " + Long.toUnsignedString(n) + " is above the limit of "
                    + MAX_HEADER_BYTES + " bytes (corrupt, or not a safetensors file)");
        }
        if (n > size - 8) {
            throw new SafeTensorsException(path, "the header length " + n + " runs past the end of the file ("
                    + size + " bytes): the file is truncated or corrupt");
        }
        ByteBuffer hb = ByteBuffer.allocate((int) n);
        readFully(ch, hb, 8);
        String json;
        try {
            json = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(hb.flip()).toString();
        } catch (CharacterCodingException e) {
            throw new SafeTensorsException(path, "the header is not valid UTF-8", e);
        }
        if (json.isEmpty() || json.charAt(0) != '{') {
            throw new SafeTensorsException(path, "the header does not start with '{' (the spec requires a JSON object "
                    + "at byte 8): corrupt, or not a safetensors file");
        }
        Object root;
        try {
            root = Json.parse(json);
        } catch (Json.ParseException e) {
            throw new SafeTensorsException(path, "the header is not valid JSON: " + e.getMessage(), e);
        }
        if (!(root instanceof Map<?, ?> top)) {
            throw new SafeTensorsException(path, "the header is not a JSON object");
        }
        long dataStart = 8 + n;
        long bufferSize = size - dataStart;
        Map<String, String> metadata = Map.of();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<?, ?> kv : top.entrySet()) {
            String name = (String) kv.getKey();
            if (name.equals(METADATA)) {
                metadata = metadata(path, kv.getValue());
                continue;
            }
            entries.add(entry(path, name, kv.getValue(), bufferSize));
        }
        // The spec: tensors must not overlap and must cover the buffer without holes (no hidden bytes).
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long at = 0;
        Entry previous = null;
        for (Entry e : byOffset) {
            if (e.begin() < at) {
                throw new SafeTensorsException(path, "tensor '" + e.name() + "' at bytes [" + e.begin() + ", " + e.end()
                        + ") overlaps tensor '" + previous.name() + "' at [" + previous.begin() + ", " + previous.end() + ")");
            }
            if (e.begin() > at) {
                throw new SafeTensorsException(path, "bytes [" + at + ", " + e.begin() + ") of the data buffer belong to no "
                        + "tensor (before '" + e.name() + "'); the spec requires the tensors to cover the buffer exactly");
            }
            at = e.end();
            if (e.end() > e.begin()) {
                previous = e;
            }
        }
        if (at != bufferSize) {
            throw new SafeTensorsException(path, "the tensors cover " + at + " bytes but the data buffer after the header is "
                    + bufferSize + " bytes (" + (at < bufferSize ? "trailing bytes belong to no tensor" : "truncated") + ")");
        }
        return new Header(dataStart, entries, metadata);
    }

    private static Map<String, String> metadata(Path path, Object value) throws SafeTensorsException {
        if (!(value instanceof Map<?, ?> m)) {
            throw new SafeTensorsException(path, "\"__metadata__\" must be an object of strings, got " + kind(value));
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> kv : m.entrySet()) {
            if (!(kv.getValue() instanceof String s)) {
                throw new SafeTensorsException(path, "\"__metadata__\" value of \"" + kv.getKey() + "\" must be a string, got "
                        + kind(kv.getValue()));
            }
            out.put((String) kv.getKey(), s);
        }
        return Collections.unmodifiableMap(out);
    }

    private static Entry entry(Path path, String name, Object value, long bufferSize) throws SafeTensorsException {
        String what = "tensor '" + name + "'";
        if (!(value instanceof Map<?, ?> info)) {
            throw new SafeTensorsException(path, what + " must be described by an object, got " + kind(value));
        }
        for (Object k : info.keySet()) {
            if (!TENSOR_FIELDS.contains((String) k)) {
                throw new SafeTensorsException(path, what + " has the unknown field \"" + k + "\" (expected " + TENSOR_FIELDS + ")");
            }
        }
        for (String f : TENSOR_FIELDS) {
            if (!info.containsKey(f)) {
                throw new SafeTensorsException(path, what + " lacks the field \"" + f + "\"");
            }
        }
        if (!(info.get("dtype") instanceof String dtypeName)) {
            throw new SafeTensorsException(path, what + ": \"dtype\" must be a string, got " + kind(info.get("dtype")));
        }
        DType dtype = switch (dtypeName) {
            case "F32" -> DType.F32;
            case "F64" -> DType.F64;
            case "I32" -> DType.I32;
            case "I64" -> DType.I64;
            default -> throw new SafeTensorsException(path, what + " has " + (UNSUPPORTED.contains(dtypeName)
                    ? "the dtype " + dtypeName + ", which panrec does not support"
                    : "the unknown dtype \"" + dtypeName + "\"") + " (panrec reads F32, F64, I32 and I64)");
        };
        if (!(info.get("shape") instanceof List<?> dims)) {
            throw new SafeTensorsException(path, what + ": \"shape\" must be an array, got " + kind(info.get("shape")));
        }
        int[] shape = new int[dims.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            Object d = dims.get(i);
            if (!(d instanceof Long v) || v < 0 || v > Integer.MAX_VALUE) {
                throw new SafeTensorsException(path, what + ": dimension " + i + " of \"shape\" " + dims
                        + " must be an integer in [0, " + Integer.MAX_VALUE + "]");
            }
            shape[i] = (int) (long) v;
            try {
                numel = Math.multiplyExact(numel, v);
            } catch (ArithmeticException e) {
                throw new SafeTensorsException(path, what + ": shape " + dims + " has too many elements");
            }
        }
        if (!(info.get("data_offsets") instanceof List<?> offs) || offs.size() != 2
                || !(offs.get(0) instanceof Long begin) || !(offs.get(1) instanceof Long end) || begin < 0 || end < begin) {
            throw new SafeTensorsException(path, what + ": \"data_offsets\" must be [begin, end] with 0 <= begin <= end, got "
                    + info.get("data_offsets"));
        }
        long expected;
        try {
            expected = Math.multiplyExact(numel, (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new SafeTensorsException(path, what + ": shape " + dims + " is too large");
        }
        if (end - begin != expected) {
            throw new SafeTensorsException(path, what + " of dtype " + dtypeName + " and shape " + dims + " needs " + expected
                    + " bytes, but its data_offsets [" + begin + ", " + end + "] span " + (end - begin));
        }
        if (end > bufferSize) {
            throw new SafeTensorsException(path, what + ": data_offsets [" + begin + ", " + end + "] reach past the end of the "
                    + bufferSize + "-byte data buffer (the file is truncated or the offsets are wrong)");
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static String kind(Object v) {
        if (v instanceof Map) {
            return "an object";
        }
        if (v instanceof List) {
            return "an array";
        }
        if (v instanceof String) {
            return "a string";
        }
        if (v instanceof Number) {
            return "a number";
        }
        if (v instanceof Boolean) {
            return "a boolean";
        }
        return "null";
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long p = position;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, p);
            if (r < 0) {
                throw new IOException("unexpected end of file while reading at byte " + p);
            }
            p += r;
        }
    }

    private static void checkByteOrder() {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new UnsupportedOperationException("safetensors is little-endian and panrec maps it without conversion; "
                    + "this machine is big-endian");
        }
    }

    // ------------------------------------------------------------------ writing

    /** {@link #write(Path, Map, Map)} without metadata. */
    public static void write(Path path, Map<String, Tensor> tensors) throws IOException {
        write(path, tensors, Map.of());
    }

    /**
     * Writes {@code tensors} (any strides; F32, F64, I32 or I64, alive; a tensor in a device's memory is
     * copied to the host one tensor at a time, so a model trained on a GPU saves as it is) and string
     * {@code metadata} to {@code path}, atomically: either the complete new file is in place when this
     * returns, or (on any exception) the previous file is untouched and no temporary file remains.
     * The header lists the tensors in the map's iteration order.
     */
    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(tensors, "tensors");
        Objects.requireNonNull(metadata, "metadata");
        checkByteOrder();
        // Everything is checked before a file is created.
        List<Map.Entry<String, Tensor>> items = new ArrayList<>(tensors.entrySet());
        for (Map.Entry<String, Tensor> e : items) {
            String name = e.getKey();
            Tensor t = e.getValue();
            if (name == null) {
                throw new IllegalArgumentException("SafeTensors.write " + path + ": a tensor name is null");
            }
            if (name.equals(METADATA)) {
                throw new IllegalArgumentException("SafeTensors.write " + path + ": \"" + METADATA
                        + "\" is reserved for metadata and cannot name a tensor");
            }
            if (t == null) {
                throw new IllegalArgumentException("SafeTensors.write " + path + ": tensor '" + name + "' is null");
            }
            t.scope().checkAlive("SafeTensors.write " + path + ": tensor '" + name + "' " + t.describe());
        }
        for (Map.Entry<String, String> m : metadata.entrySet()) {
            if (m.getKey() == null || m.getValue() == null) {
                throw new IllegalArgumentException("SafeTensors.write " + path + ": metadata keys and values must not be null");
            }
        }
        // Offsets: 8-byte types first, then 4-byte ones, so each tensor starts at a multiple of its size.
        List<Map.Entry<String, Tensor>> layout = new ArrayList<>(items);
        layout.sort(Comparator.comparingInt((Map.Entry<String, Tensor> e) -> -e.getValue().dtype().byteSize()));
        Map<String, long[]> offsets = new LinkedHashMap<>();
        long at = 0;
        for (Map.Entry<String, Tensor> e : layout) {
            long bytes = Math.multiplyExact(e.getValue().numel(), (long) e.getValue().dtype().byteSize());
            offsets.put(e.getKey(), new long[] {at, at + bytes});
            at += bytes;
        }
        byte[] header = headerBytes(path, items, offsets, metadata);

        Path target = path.toAbsolutePath();
        Path dir = target.getParent();
        Path temp = createTemp(dir, target.getFileName().toString());
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
                writeFully(ch, len);
                writeFully(ch, ByteBuffer.wrap(header));
                for (Map.Entry<String, Tensor> e : layout) {
                    writeTensor(ch, path, e.getKey(), e.getValue());
                }
                ch.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
            syncDirectory(dir);
        } finally {
            if (!moved) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // the original failure matters more; the temp name starts with '.' and ends with .tmp
                }
            }
        }
    }

    private static byte[] headerBytes(Path path, List<Map.Entry<String, Tensor>> items, Map<String, long[]> offsets,
                                      Map<String, String> metadata) {
        StringBuilder sb = new StringBuilder("{");
        boolean first = true;
        if (!metadata.isEmpty()) {
            Json.quote(sb, METADATA);
            sb.append(":{");
            boolean firstMeta = true;
            for (Map.Entry<String, String> m : metadata.entrySet()) {
                if (!firstMeta) {
                    sb.append(',');
                }
                firstMeta = false;
                Json.quote(sb, m.getKey());
                sb.append(':');
                Json.quote(sb, m.getValue());
            }
            sb.append('}');
            first = false;
        }
        for (Map.Entry<String, Tensor> e : items) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            Tensor t = e.getValue();
            long[] off = offsets.get(e.getKey());
            Json.quote(sb, e.getKey());
            sb.append(":{\"dtype\":\"").append(t.dtype().safetensorsName()).append("\",\"shape\":[");
            int[] shape = t.shape();
            for (int i = 0; i < shape.length; i++) {
                sb.append(i == 0 ? "" : ",").append(shape[i]);
            }
            sb.append("],\"data_offsets\":[").append(off[0]).append(',').append(off[1]).append("]}");
        }
        sb.append('}');
        ByteBuffer encoded;
        try {
            encoded = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(sb));
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("SafeTensors.write " + path + ": a tensor name or metadata string is not "
                    + "valid Unicode (an unpaired surrogate?)", e);
        }
        int len = encoded.remaining();
        // pad with spaces (the spec allows trailing whitespace) so the data buffer starts 8-aligned
        int padded = (len + 8 + 7) / 8 * 8 - 8;
        if (padded > MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("SafeTensors.write " + path + ": the header would be " + padded
                    + " bytes, above the limit of " + MAX_HEADER_BYTES + " that readers accept");
        }
        byte[] out = new byte[padded];
        encoded.get(out, 0, len);
        java.util.Arrays.fill(out, len, padded, (byte) ' ');
        return out;
    }

    private static Path createTemp(Path dir, String fileName) throws IOException {
        // Not Files.createTempFile: that makes the file owner-only (0600), and the renamed target would
        // keep those permissions; CREATE_NEW with the default permissions gives an ordinary file.
        for (int attempt = 0; ; attempt++) {
            Path temp = dir.resolve("." + fileName + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
            try {
                FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return temp;
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 10) {
                    throw e;
                }
            }
        }
    }

    private static void writeTensor(FileChannel ch, Path path, String name, Tensor t) throws IOException {
        if (!t.device().isHost()) {
            // device memory is never read from Java: a host copy, freed once written
            try (io.panrec.tensor.Scope s = io.panrec.tensor.Scope.open("safetensors write " + name)) {
                writeTensor(ch, path, name, t.detach().to(io.panrec.tensor.Device.CPU));
            }
            return;
        }
        // segment() checks again that the scope is open: it may have been closed by another thread
        MemorySegment seg;
        try {
            seg = t.segment();
        } catch (IllegalStateException e) {
            throw new IllegalStateException("SafeTensors.write " + path + ": tensor '" + name + "': " + e.getMessage(), e);
        }
        long elem = t.dtype().byteSize();
        long bytes = t.numel() * elem;
        if (bytes == 0) {
            return;
        }
        if (t.isContiguous()) {
            MemorySegment data = seg.asSlice(t.offset() * elem, bytes);
            for (long off = 0; off < bytes; off += WRITE_CHUNK) {
                long len = Math.min(WRITE_CHUNK, bytes - off);
                writeFully(ch, data.asSlice(off, len).asByteBuffer());
            }
            return;
        }
        // A strided view: gather its elements in row-major order through a buffer.
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(WRITE_CHUNK, bytes)).order(ByteOrder.LITTLE_ENDIAN);
        int[] shape = t.shape();
        long[] strides = t.strides();
        int[] idx = new int[shape.length];
        long n = t.numel();
        MemorySegment one = MemorySegment.ofBuffer(buf);
        for (long i = 0; i < n; i++) {
            long e = t.offset();
            for (int d = 0; d < shape.length; d++) {
                e += idx[d] * strides[d];
            }
            MemorySegment.copy(seg, e * elem, one, buf.position(), elem);
            buf.position(buf.position() + (int) elem);
            if (buf.remaining() < elem) {
                writeFully(ch, buf.flip());
                buf.clear();
            }
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        if (buf.position() > 0) {
            writeFully(ch, buf.flip());
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    /** Makes the rename durable; best effort, as not every platform can open a directory. */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // the file itself was forced before the move; the rename's durability is the OS's to give
        }
    }
}
