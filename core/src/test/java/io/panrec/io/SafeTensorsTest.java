package io.panrec.io;

import io.panrec.tensor.DType;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTensorsTest {
    @TempDir
    Path dir;

    // ------------------------------------------------------------------ helpers

    /** A raw file: 8-byte little-endian length, the header as given, then the data bytes. */
    private Path raw(String name, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return rawBytes(name, h, data);
    }

    private Path rawBytes(String name, byte[] header, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header).put(data);
        Path p = dir.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    private static byte[] floatsLE(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    private SafeTensorsException rejected(Path p, String... expectedWords) {
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.open(p).close(),
                () -> "accepted " + p.getFileName());
        String msg = e.getMessage();
        assertTrue(msg.contains(p.getFileName().toString()), "the message names the file: " + msg);
        for (String w : expectedWords) {
            assertTrue(msg.contains(w), "expected '" + w + "' in: " + msg);
        }
        // the copying reader applies the same checks
        assertThrows(SafeTensorsException.class, () -> SafeTensors.readCopy(p, Scope.global()));
        return e;
    }

    private List<Path> leftovers() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    // ------------------------------------------------------------------ round trips

    @Test
    void roundTripOfEveryDtypeWithScalarsEmptyTensorsAndMetadata() throws IOException {
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("weight", Tensor.of(new float[] {1.5f, -2, 3, Float.MIN_VALUE, Float.MAX_VALUE, -0f}, 2, 3));
        in.put("scalar", Tensor.of(new float[] {42.25f}, new int[0]));
        in.put("doubles", Tensor.ofDoubles(new double[] {Math.PI, -1e300, Double.MIN_VALUE}, 3));
        in.put("ids32", Tensor.ofInts(new int[] {Integer.MIN_VALUE, -1, 0, Integer.MAX_VALUE}, 2, 2));
        in.put("ids64", Tensor.ofLongs(new long[] {Long.MIN_VALUE, 1L << 40, Long.MAX_VALUE}, 3, 1));
        in.put("empty", Tensor.zeros(DType.F32, 0, 4));
        in.put("empty64", Tensor.zeros(DType.I64, 0));
        in.put("na\"me \\ with\nodd ch\u00e4rs \ud83d\ude00", Tensor.ofInts(new int[] {7}, 1));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("quote\"and\\slash", "line\nbreak \u00e9");
        meta.put("", "");
        Path p = dir.resolve("all.safetensors");
        SafeTensors.write(p, in, meta);

        try (SafeTensorsFile f = SafeTensors.open(p)) {
            assertEquals(List.copyOf(in.keySet()), List.copyOf(f.tensors().keySet()), "header order is the map's order");
            assertEquals(meta, f.metadata());
            for (Map.Entry<String, Tensor> e : in.entrySet()) {
                Tensor a = e.getValue();
                Tensor b = f.tensor(e.getKey());
                assertEquals(a.dtype(), b.dtype(), e.getKey());
                assertArrayEquals(a.shape(), b.shape(), e.getKey());
                assertArrayEquals(a.toDoubleArray(), b.toDoubleArray(), e.getKey());
            }
            assertArrayEquals(new long[] {Long.MIN_VALUE, 1L << 40, Long.MAX_VALUE},
                    new long[] {f.tensor("ids64").dtype().getLong(f.tensor("ids64").segment(), 0),
                        f.tensor("ids64").dtype().getLong(f.tensor("ids64").segment(), 1),
                        f.tensor("ids64").dtype().getLong(f.tensor("ids64").segment(), 2)},
                    "64-bit ids survive exactly (not through doubles)");
            assertEquals(0, f.copiedTensors(), "panrec's writer aligns every tensor");
            IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> f.tensor("nope"));
            assertTrue(missing.getMessage().contains("weight"), missing.getMessage());
        }
        try (Scope s = Scope.open("copy")) {
            SafeTensorsFile c = SafeTensors.readCopy(p, s);
            assertNull(c.mapping());
            Tensor w = c.tensor("weight");
            assertArrayEquals(in.get("weight").toFloatArray(), w.toFloatArray());
            w.set(9, 0, 0); // a copy is writable
            assertEquals(9, w.get(0, 0));
            assertEquals(meta, c.metadata());
        }
        // no metadata: the header has no __metadata__ and reads back empty
        Path q = dir.resolve("plain.safetensors");
        SafeTensors.write(q, Map.of("x", Tensor.of(new float[] {1, 2}, 2)));
        assertFalse(new String(Files.readAllBytes(q), StandardCharsets.UTF_8).contains("__metadata__"));
        try (SafeTensorsFile f = SafeTensors.open(q)) {
            assertTrue(f.metadata().isEmpty());
        }
        assertTrue(leftovers().isEmpty());
    }

    @Test
    void headerIsPaddedAndDataAlignedAsTheSpecAllows() throws IOException {
        Path p = dir.resolve("aligned.safetensors");
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("f", Tensor.of(new float[] {1, 2, 3}, 3));      // 12 bytes: would misalign what follows
        in.put("d", Tensor.ofDoubles(new double[] {4, 5}, 2));
        SafeTensors.write(p, in, Map.of());
        byte[] bytes = Files.readAllBytes(p);
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (8 + n) % 8, "the data buffer starts at a multiple of 8");
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.contains("\"d\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}"), header);
        assertTrue(header.contains("\"f\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[16,28]}"), header);
    }

    @Test
    void stridedViewsAreWrittenInRowMajorOrder() throws IOException {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor transposed = x.view(new int[] {3, 2}, new long[] {1, 3}, 0);
        Tensor column = x.view(new int[] {2}, new long[] {3}, 1);
        Path p = dir.resolve("views.safetensors");
        SafeTensors.write(p, Map.of("t", transposed, "c", column));
        try (SafeTensorsFile f = SafeTensors.open(p)) {
            assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, f.tensor("t").toFloatArray());
            assertArrayEquals(new int[] {3, 2}, f.tensor("t").shape());
            assertArrayEquals(new float[] {2, 5}, f.tensor("c").toFloatArray());
        }
    }

    @Test
    void tensorsLargerThanOneWriteChunkRoundTrip() throws IOException {
        // 2400 x 2200 floats = 21 MB: more than one 16 MB write, contiguous and as a strided view
        int rows = 2400;
        int cols = 2200;
        try (Scope s = Scope.open("big")) {
            Tensor big = Tensor.zeros(DType.F32, rows, cols);
            MemorySegment seg = big.segment();
            for (long i = 0; i < (long) rows * cols; i++) {
                seg.setAtIndex(ValueLayout.JAVA_FLOAT, i, i * 0.5f);
            }
            Tensor transposed = big.view(new int[] {cols, rows}, new long[] {1, cols}, 0);
            Path p = dir.resolve("big.safetensors");
            SafeTensors.write(p, Map.of("big", big, "t", transposed));
            try (SafeTensorsFile f = SafeTensors.open(p)) {
                Tensor b = f.tensor("big");
                Tensor t = f.tensor("t");
                SplittableRandom r = new SplittableRandom(3);
                for (int k = 0; k < 2000; k++) {
                    int i = r.nextInt(rows);
                    int j = r.nextInt(cols);
                    float expected = ((long) i * cols + j) * 0.5f;
                    assertEquals(expected, b.get(i, j), 0);
                    assertEquals(expected, t.get(j, i), 0);
                }
                assertEquals(((long) rows * cols - 1) * 0.5f, b.get(rows - 1, cols - 1), 0);
                assertEquals(((long) rows * cols - 1) * 0.5f, t.get(cols - 1, rows - 1), 0);
            }
        }
    }

    @Test
    void randomTensorsRoundTrip() throws IOException {
        long seed = System.nanoTime();
        SplittableRandom r = new SplittableRandom(seed);
        try {
            for (int round = 0; round < 20; round++) {
                Map<String, Tensor> in = new LinkedHashMap<>();
                int count = 1 + r.nextInt(6);
                for (int i = 0; i < count; i++) {
                    int rank = r.nextInt(4);
                    int[] shape = new int[rank];
                    for (int d = 0; d < rank; d++) {
                        shape[d] = r.nextInt(1 + (r.nextInt(10) == 0 ? 0 : 7)) + (r.nextInt(5) == 0 ? 0 : 1);
                    }
                    DType dt = DType.values()[r.nextInt(DType.values().length)];
                    Tensor t = Tensor.zeros(dt, shape);
                    for (long e = 0; e < t.numel(); e++) {
                        dt.set(t.segment(), e, dt.isFloating() ? r.nextDouble() * 200 - 100 : r.nextInt(2000) - 1000);
                    }
                    in.put("t" + i + "_" + dt, t);
                }
                Path p = dir.resolve("r" + round + ".safetensors");
                SafeTensors.write(p, in);
                try (SafeTensorsFile f = SafeTensors.open(p)) {
                    assertEquals(in.keySet(), f.tensors().keySet());
                    for (Map.Entry<String, Tensor> e : in.entrySet()) {
                        assertArrayEquals(e.getValue().shape(), f.tensor(e.getKey()).shape());
                        assertArrayEquals(e.getValue().toDoubleArray(), f.tensor(e.getKey()).toDoubleArray());
                    }
                    assertEquals(0, f.copiedTensors());
                }
            }
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("randomTensorsRoundTrip failed with seed " + seed, e);
        }
    }

    // ------------------------------------------------------------------ zero copy

    @Test
    void readTensorsAreViewsOfTheReadOnlyMapping() throws IOException {
        Path p = dir.resolve("mapped.safetensors");
        SafeTensors.write(p, Map.of("a", Tensor.of(new float[] {1, 2, 3, 4}, 2, 2), "b", Tensor.ofLongs(new long[] {5, 6}, 2)));
        Tensor a;
        try (Scope scope = Scope.open("weights")) {
            long before = scope.allocatedBytes();
            SafeTensorsFile f = SafeTensors.read(p, scope);
            MemorySegment map = f.mapping();
            assertNotNull(map);
            assertEquals(Files.size(p), map.byteSize());
            for (Tensor t : f.tensors().values()) {
                MemorySegment s = t.dataSegment();
                assertTrue(s.address() >= map.address() && s.address() + t.numel() * t.dtype().byteSize()
                        <= map.address() + map.byteSize(), "tensor memory lies inside the mapping");
                assertTrue(s.isReadOnly());
                assertTrue(s.isMapped());
            }
            assertEquals(before, scope.allocatedBytes(), "nothing was copied into the scope");
            a = f.tensor("a");
            assertEquals(4f, a.get(1, 1));
            IllegalArgumentException ro = assertThrows(IllegalArgumentException.class, () -> f.tensor("a").set(0, 0, 0));
            assertTrue(ro.getMessage().contains("read-only"), ro.getMessage());
            assertArrayEquals(new float[] {1, 2, 3, 4}, Files.exists(p) ? a.toFloatArray() : null);
        }
        // closing the scope unmaps: use after close is an exception, not a crash
        IllegalStateException e = assertThrows(IllegalStateException.class, a::toFloatArray);
        assertTrue(e.getMessage().contains("weights"), e.getMessage());
    }

    @Test
    void unalignedDataIsCopiedIntoAlignedMemory() throws IOException {
        // header of 6 bytes + 8 = 14: the F32 data starts at an address = 2 (mod 4)
        String header = "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        int pad = (int) (((2 - (8 + header.length())) % 4 + 4) % 4);
        Path p = raw("unaligned.safetensors", header + " ".repeat(pad), floatsLE(1.5f, -2.5f));
        try (SafeTensorsFile f = SafeTensors.open(p)) {
            Tensor x = f.tensor("x");
            assertArrayEquals(new float[] {1.5f, -2.5f}, x.toFloatArray());
            assertEquals(1, f.copiedTensors());
            assertEquals(0, x.dataSegment().address() % 4);
        }
    }

    // ------------------------------------------------------------------ rejected files

    @Test
    void truncatedFilesAreRejected() throws IOException {
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2, 3, 4, 5});
        rejected(tiny, "shorter than the 8-byte header length");
        Path empty = dir.resolve("empty.safetensors");
        Files.write(empty, new byte[0]);
        rejected(empty, "0 bytes");

        Path good = dir.resolve("good.safetensors");
        SafeTensors.write(good, Map.of("w", Tensor.of(new float[] {1, 2, 3, 4}, 4)));
        byte[] all = Files.readAllBytes(good);
        Path cutData = dir.resolve("cut-data.safetensors");
        Files.write(cutData, Arrays.copyOf(all, all.length - 3));
        rejected(cutData, "past the end");
        Path cutHeader = dir.resolve("cut-header.safetensors");
        Files.write(cutHeader, Arrays.copyOf(all, 20));
        rejected(cutHeader, "runs past the end of the file");
    }

    @Test
    void oversizedHeaderLengthsAreRejected() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(SafeTensors.MAX_HEADER_BYTES + 1);
        Path big = dir.resolve("big.safetensors");
        Files.write(big, b.array());
        rejected(big, "above the limit");
        b.clear();
        b.putLong(-1L); // 2^64 - 1 as unsigned
        Path huge = dir.resolve("huge.safetensors");
        Files.write(huge, b.array());
        rejected(huge, "18446744073709551615", "above the limit");
    }

    @Test
    void wrongOverlappingOrOutOfBufferOffsetsAreRejected() throws IOException {
        rejected(raw("short.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}", new byte[12]),
                "'w'", "needs 16 bytes", "span 12");
        rejected(raw("outside.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", new byte[8]),
                "past the end");
        rejected(raw("overlap.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}", new byte[24]), "overlaps", "'a'", "'b'");
        rejected(raw("same.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]), "overlaps");
        rejected(raw("gap.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}}", new byte[20]), "belong to no tensor");
        rejected(raw("trailing.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[12]),
                "trailing bytes");
        rejected(raw("reversed.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", new byte[8]),
                "data_offsets");
        rejected(raw("negoff.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}", new byte[0]),
                "data_offsets");
        rejected(raw("threeoff.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,8]}}", new byte[8]),
                "data_offsets");
        rejected(raw("huge-shape.safetensors", "{\"a\":{\"dtype\":\"F64\",\"shape\":[2147483647,2147483647,2147483647],"
                + "\"data_offsets\":[0,8]}}", new byte[8]), "too");
    }

    @Test
    void unknownAndUnsupportedDtypesAreRejected() throws IOException {
        rejected(raw("f31.safetensors", "{\"w\":{\"dtype\":\"F31\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]),
                "unknown dtype \"F31\"", "'w'");
        rejected(raw("bf16.safetensors", "{\"w\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]}}", new byte[4]),
                "BF16", "does not support");
        rejected(raw("lower.safetensors", "{\"w\":{\"dtype\":\"f32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]),
                "unknown dtype");
        rejected(raw("numdtype.safetensors", "{\"w\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]),
                "must be a string");
    }

    @Test
    void malformedHeadersAreRejected() throws IOException {
        String ok = "\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]";
        rejected(raw("json.safetensors", "{\"w\":{" + ok + "},}", new byte[4]), "not valid JSON");
        rejected(raw("dup.safetensors", "{\"w\":{" + ok + "},\"w\":{" + ok + "}}", new byte[4]), "duplicate key \"w\"");
        rejected(rawBytes("utf8.safetensors", new byte[] {'{', '"', (byte) 0xC3, 0x28, '"', ':', '1', '}'}, new byte[0]),
                "not valid UTF-8");
        rejected(raw("array.safetensors", "[1,2]", new byte[0]), "does not start with '{'");
        rejected(raw("spaces.safetensors", "  {}", new byte[0]), "does not start with '{'");
        rejected(raw("zero.safetensors", "", new byte[0]), "does not start with '{'");
        rejected(raw("negdim.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", new byte[4]),
                "dimension 0", "[-1]");
        rejected(raw("fracdim.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1.0],\"data_offsets\":[0,4]}}", new byte[4]),
                "dimension 0");
        rejected(raw("extra.safetensors", "{\"w\":{" + ok + ",\"exec\":\"rm -rf /\"}}", new byte[4]), "unknown field \"exec\"");
        rejected(raw("missing.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", new byte[4]), "lacks", "data_offsets");
        rejected(raw("notobj.safetensors", "{\"w\":[1]}", new byte[0]), "must be described by an object");
        rejected(raw("meta.safetensors", "{\"__metadata__\":{\"k\":1},\"w\":{" + ok + "}}", new byte[4]), "must be a string");
        rejected(raw("metaarr.safetensors", "{\"__metadata__\":[],\"w\":{" + ok + "}}", new byte[4]), "__metadata__");
        rejected(raw("deep.safetensors", "{\"w\":" + "[".repeat(5000) + "]".repeat(5000) + "}", new byte[0]), "nesting");
    }

    @Test
    void validEdgeCasesAreAccepted() throws IOException {
        // trailing whitespace padding, an empty header object, zero-length tensors sharing an offset
        try (SafeTensorsFile f = SafeTensors.open(raw("emptyobj.safetensors", "{}   ", new byte[0]))) {
            assertTrue(f.tensors().isEmpty());
        }
        String h = "{\"e\":{\"dtype\":\"I64\",\"shape\":[0,3],\"data_offsets\":[0,0]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"z\":{\"dtype\":\"F32\",\"shape\":[2,0],\"data_offsets\":[8,8]}}";
        try (SafeTensorsFile f = SafeTensors.open(raw("edges.safetensors", h + "  ", floatsLE(3, 4)))) {
            assertArrayEquals(new int[] {0, 3}, f.tensor("e").shape());
            assertArrayEquals(new float[] {3, 4}, f.tensor("w").toFloatArray());
            assertEquals(0, f.tensor("z").numel());
        }
    }

    // ------------------------------------------------------------------ atomic writes

    @Test
    void aFailedWriteLeavesTheOldFileAndNoTemporaryFile() throws IOException {
        Path p = dir.resolve("model.safetensors");
        SafeTensors.write(p, Map.of("w", Tensor.of(new float[] {1, 2, 3}, 3)), Map.of("v", "1"));
        byte[] old = Files.readAllBytes(p);

        Tensor dead;
        try (Scope s = Scope.open("gone")) {
            dead = Tensor.of(new float[] {7, 8}, 2);
        }
        Map<String, Tensor> withDead = new LinkedHashMap<>();
        withDead.put("w", Tensor.of(new float[] {9, 9, 9}, 3));
        withDead.put("dead", dead);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SafeTensors.write(p, withDead));
        assertTrue(e.getMessage().contains("dead") && e.getMessage().contains("gone"), e.getMessage());
        assertArrayEquals(old, Files.readAllBytes(p));
        assertTrue(leftovers().isEmpty(), "no temporary file is left: " + leftovers());

        assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.write(p, Map.of("__metadata__", Tensor.of(new float[] {1}, 1))));
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(p, Map.of("bad\ud800", Tensor.of(new float[] {1}, 1))));
        assertArrayEquals(old, Files.readAllBytes(p));

        // a failure after the temporary file was written: the target is a non-empty directory
        Path asDir = dir.resolve("occupied.safetensors");
        Files.createDirectory(asDir);
        Files.writeString(asDir.resolve("keep.txt"), "keep");
        assertThrows(IOException.class, () -> SafeTensors.write(asDir, Map.of("w", Tensor.of(new float[] {1}, 1))));
        assertEquals("keep", Files.readString(asDir.resolve("keep.txt")));
        assertTrue(leftovers().isEmpty(), "no temporary file is left: " + leftovers());

        // and a successful write replaces the file
        SafeTensors.write(p, Map.of("w", Tensor.of(new float[] {4, 5}, 2)));
        try (SafeTensorsFile f = SafeTensors.open(p)) {
            assertArrayEquals(new float[] {4, 5}, f.tensor("w").toFloatArray());
            assertTrue(f.metadata().isEmpty());
        }
        assertTrue(leftovers().isEmpty());
    }

    @Test
    void replacingAMappedFileLeavesItsReadersOnTheOldContents() throws IOException {
        Path p = dir.resolve("live.safetensors");
        SafeTensors.write(p, Map.of("w", Tensor.of(new float[] {1, 2}, 2)));
        try (SafeTensorsFile old = SafeTensors.open(p)) {
            SafeTensors.write(p, Map.of("w", Tensor.of(new float[] {3, 4, 5}, 3)));
            assertArrayEquals(new float[] {1, 2}, old.tensor("w").toFloatArray());
            try (SafeTensorsFile fresh = SafeTensors.open(p)) {
                assertArrayEquals(new float[] {3, 4, 5}, fresh.tensor("w").toFloatArray());
            }
        }
    }

    @Test
    void readingIntoAClosedScopeThrows() throws IOException {
        Path p = dir.resolve("x.safetensors");
        SafeTensors.write(p, Map.of("w", Tensor.of(new float[] {1}, 1)));
        Scope s = Scope.open("closed");
        s.close();
        assertThrows(IllegalStateException.class, () -> SafeTensors.read(p, s));
        assertThrows(java.nio.file.NoSuchFileException.class, () -> SafeTensors.open(dir.resolve("absent.safetensors")));
        // an F32 little-endian sanity check of the written bytes, independent of the reader
        byte[] all = Files.readAllBytes(p);
        long n = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(1f, ByteBuffer.wrap(all, (int) (8 + n), 4).order(ByteOrder.LITTLE_ENDIAN).getFloat());
        assertEquals(1f, MemorySegment.ofArray(all).get(ValueLayout.JAVA_FLOAT_UNALIGNED, 8 + n));
    }
}
