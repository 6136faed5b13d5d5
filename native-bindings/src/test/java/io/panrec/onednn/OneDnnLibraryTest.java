package io.panrec.onednn;

import io.panrec.backend.BackendProvider;
import io.panrec.backend.Backends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The loader (extraction, cache, reasons with their fixes), the status mapping and the safe handles. */
class OneDnnLibraryTest {

    private static final OneDnnLibrary.Extractor NO_JAR = () -> null;

    @Test
    void theBundledLibraryLoadsHereAndIsVersion3() {
        assertTrue(OneDnnLibrary.availability().available(), "oneDNN must load in CI: " + OneDnnLibrary.availability());
        assertTrue(OneDnnLibrary.version().startsWith("3."), OneDnnLibrary.version());
        assertEquals("libdnnl.so.3", OneDnnLibrary.path().getFileName().toString());
    }

    @Test
    void extractionIsKeyedVerifiedReusedAndRepaired(@TempDir Path cache) throws Exception {
        ClassLoader cl = OneDnnLibrary.class.getClassLoader();
        Path lib = OneDnnLibrary.extract(cl, cache);
        Path dir = lib.getParent();
        assertEquals(cache.resolve("onednn"), dir.getParent());
        assertTrue(dir.getFileName().toString().matches("[0-9a-f]{32}"), "folder named by a SHA-256: " + dir);
        Path gomp = dir.resolve("libgomp.so.1");
        assertTrue(Files.isRegularFile(lib) && Files.isRegularFile(gomp), String.valueOf(dir));
        // the bytes are the jar's, and SHA256SUMS says so in sha256sum -c format
        assertArrayEquals(resource(cl, "libgomp.so.1"), Files.readAllBytes(gomp));
        String sums = Files.readString(dir.resolve(OneDnnLibrary.SUMS));
        assertTrue(sums.contains(sha256(Files.readAllBytes(gomp)) + "  libgomp.so.1\n"), sums);
        assertTrue(sums.contains("  libdnnl.so.3\n"), sums);

        long modified = Files.getLastModifiedTime(lib).toMillis();
        assertEquals(lib, OneDnnLibrary.extract(cl, cache));
        assertEquals(modified, Files.getLastModifiedTime(lib).toMillis(), "a verified copy is reused, not rewritten");

        // a damaged copy (same size, one byte changed) and a truncated one are both written again
        byte[] good = Files.readAllBytes(gomp);
        byte[] bad = good.clone();
        bad[bad.length / 2] ^= 1;
        Files.write(gomp, bad);
        assertEquals(lib, OneDnnLibrary.extract(cl, cache));
        assertArrayEquals(good, Files.readAllBytes(gomp), "a copy whose CRC-32 differs from the jar's is replaced");
        Files.write(gomp, new byte[10]);
        OneDnnLibrary.extract(cl, cache);
        assertArrayEquals(good, Files.readAllBytes(gomp), "a truncated copy is replaced");
        try (Stream<Path> files = Files.list(dir)) {
            assertFalse(files.anyMatch(p -> p.toString().endsWith(".part")), "no temporary files left");
        }
    }

    @Test
    void anotherBuildOfTheLibraryGetsAnotherFolder(@TempDir Path tmp) throws Exception {
        Path cache = tmp.resolve("cache");
        Path jarA = fakeJar(tmp.resolve("a.jar"), "gomp A", "dnnl A");
        Path jarB = fakeJar(tmp.resolve("b.jar"), "gomp A", "dnnl B");
        Path a, b;
        try (URLClassLoader la = new URLClassLoader(new URL[] {jarA.toUri().toURL()}, null);
             URLClassLoader lb = new URLClassLoader(new URL[] {jarB.toUri().toURL()}, null)) {
            a = OneDnnLibrary.extract(la, cache);
            b = OneDnnLibrary.extract(lb, cache);
            assertEquals(a, OneDnnLibrary.extract(la, cache), "the key is stable");
        }
        assertNotEquals(a.getParent(), b.getParent());
        assertEquals("dnnl A", Files.readString(a));
        assertEquals("dnnl B", Files.readString(b));
        assertEquals("gomp A", Files.readString(b.resolveSibling("libgomp.so.1")));

        // an exploded class path (a folder, no jar CRC): the resource is checksummed instead
        Path exploded = tmp.resolve("classes").resolve(OneDnnLibrary.RESOURCE_DIR);
        Files.createDirectories(exploded);
        Files.writeString(exploded.resolve("libgomp.so.1"), "gomp A");
        Files.writeString(exploded.resolve("libdnnl.so.3"), "dnnl A");
        try (URLClassLoader lc = new URLClassLoader(new URL[] {tmp.resolve("classes").toUri().toURL()}, null)) {
            assertEquals(a, OneDnnLibrary.extract(lc, cache), "same bytes, same folder, however they are packed");
        }
    }

    @Test
    void missingJarIsAReasonNamingTheDependencyAndTheProperty(@TempDir Path cache) throws IOException {
        try (URLClassLoader empty = new URLClassLoader(new URL[0], null)) {
            assertNull(OneDnnLibrary.extract(empty, cache));
            OneDnnLibrary.State s = OneDnnLibrary.load("", "Linux", "amd64", () -> OneDnnLibrary.extract(empty, cache));
            assertFalse(s.ok());
            String reason = String.join("; ", s.reasons());
            assertTrue(reason.contains("org.bytedeco:dnnl") && reason.contains("-D" + OneDnnLibrary.PROPERTY), reason);
        }
    }

    @Test
    void aBadLibraryPropertyIsAReasonNamingIt(@TempDir Path tmp) throws IOException {
        OneDnnLibrary.State missing = OneDnnLibrary.load(tmp.resolve("nope/libdnnl.so.3").toString(), "Linux", "amd64", NO_JAR);
        assertFalse(missing.ok());
        assertTrue(missing.reasons().getFirst().contains("-Dpanrec.onednn.library=" + tmp.resolve("nope/libdnnl.so.3"))
                && missing.reasons().getFirst().contains("does not name a readable file"), missing.reasons().toString());

        OneDnnLibrary.State folder = OneDnnLibrary.load(tmp.toString(), "Linux", "amd64", NO_JAR);
        assertFalse(folder.ok(), "a folder is not a library");
        assertTrue(folder.reasons().getFirst().contains("does not name a readable file"), folder.reasons().toString());

        Path text = Files.writeString(tmp.resolve("libdnnl.so.3"), "not an ELF file");
        OneDnnLibrary.State notLib = OneDnnLibrary.load(text.toString(), "Linux", "amd64", NO_JAR);
        assertFalse(notLib.ok());
        assertTrue(notLib.reasons().getFirst().startsWith("cannot load " + text), notLib.reasons().toString());

        // libgomp is a real library but no oneDNN: dnnl_version is missing
        Path gomp = OneDnnLibrary.path().resolveSibling("libgomp.so.1");
        OneDnnLibrary.State wrong = OneDnnLibrary.load(gomp.toString(), "Linux", "amd64", NO_JAR);
        assertFalse(wrong.ok());
        assertTrue(wrong.reasons().getFirst().contains("dnnl_version"), wrong.reasons().toString());
    }

    @Test
    void aSystemCopyNamedByThePropertyIsUsed() {
        OneDnnLibrary.State s = OneDnnLibrary.load(OneDnnLibrary.path().toString(), "Linux", "amd64",
                () -> fail("the bundled jar must not be extracted when a library is named"));
        assertTrue(s.ok(), s.reasons().toString());
        assertTrue(s.version().startsWith("3."), s.version());
        assertEquals(OneDnnLibrary.path(), s.path());
    }

    @Test
    void otherPlatformsAreToldHowToBringTheirOwn() {
        for (String[] p : new String[][] {{"Mac OS X", "aarch64"}, {"Windows 11", "amd64"}, {"Linux", "aarch64"}}) {
            OneDnnLibrary.State s = OneDnnLibrary.load("", p[0], p[1], () -> fail("nothing to extract on " + p[0]));
            assertFalse(s.ok());
            String reason = s.reasons().getFirst();
            assertTrue(reason.contains("linux-x86_64") && reason.contains(p[0] + "/" + p[1])
                    && reason.contains("-D" + OneDnnLibrary.PROPERTY + "="), reason);
        }
    }

    @Test
    void onlyMajorVersion3IsAccepted() {
        Path lib = Path.of("/opt/x/libdnnl.so.3");
        assertNull(OneDnnLibrary.versionProblem(new int[] {3, 0, 0}, lib));
        assertNull(OneDnnLibrary.versionProblem(new int[] {3, 11, 2}, lib));
        for (int[] v : new int[][] {{2, 7, 3}, {4, 0, 0}, {1, 8, 1}}) {
            String why = OneDnnLibrary.versionProblem(v, lib);
            assertTrue(why != null && why.contains(v[0] + "." + v[1] + "." + v[2]) && why.contains("3.x") && why.contains(lib.toString()),
                    String.valueOf(why));
        }
    }

    @Test
    void aFailedExtractionIsAReasonNamingTheCacheProperty() {
        OneDnnLibrary.State s = OneDnnLibrary.load("", "Linux", "amd64", () -> {
            throw new IOException("Read-only file system");
        });
        assertFalse(s.ok());
        assertTrue(s.reasons().getFirst().contains("Read-only file system") && s.reasons().getFirst().contains("-Dpanrec.cache.dir"),
                s.reasons().toString());
    }

    /** What a user sees, in a fresh JVM: the reasons, and panrec running on a pure-Java backend. */
    @Test
    void inAFreshJvmABadPropertyOrRestrictedNativeAccessFallsBackWithTheFix(@TempDir Path tmp) throws Exception {
        String bad = tmp.resolve("missing/libdnnl.so.3").toString();
        String out = probe("--enable-native-access=ALL-UNNAMED", "-D" + OneDnnLibrary.PROPERTY + "=" + bad);
        assertTrue(out.contains("onednn unavailable") && out.contains(bad) && out.contains("does not name a readable file"), out);
        assertTrue(out.contains("default backend: vector") || out.contains("default backend: reference"), out);

        String denied = probe("--illegal-native-access=deny");
        assertTrue(denied.contains("onednn unavailable") && denied.contains("--enable-native-access=ALL-UNNAMED"), denied);
        assertFalse(denied.contains("default backend: onednn"), denied);

        String fine = probe("--enable-native-access=ALL-UNNAMED");
        assertTrue(fine.contains("onednn available") && fine.contains("default backend: onednn"), fine);
    }

    @Test
    void providerIsRankedAboveThePureJavaBackends() {
        // the cuda provider (rank 300) may come first; oneDNN must still rank above the Java backends
        BackendProvider p = Backends.providers().stream().filter(x -> x.name().equals("onednn")).findFirst().orElseThrow();
        assertEquals(200, p.rank());
        assertTrue(Backends.providers().stream().filter(x -> x.name().equals("vector") || x.name().equals("reference"))
                .allMatch(x -> x.rank() < p.rank()));
        assertTrue(p.availability().available(), p.availability().toString());
        assertTrue(p.description().contains(OneDnnLibrary.version()), p.description());
    }

    @Test
    void statusesBecomeExceptionsNamingTheFunctionAndTheStatus() {
        String[] names = {"dnnl_success", "dnnl_out_of_memory", "dnnl_invalid_arguments", "dnnl_unimplemented",
                "dnnl_last_impl_reached", "dnnl_runtime_error", "dnnl_not_required"};
        for (int status = 1; status < names.length; status++) {
            int st = status;
            DnnlException e = assertThrows(DnnlException.class, () -> DnnlException.check(st, "dnnl_matmul_primitive_desc_create", "matmul"));
            assertEquals("dnnl_matmul_primitive_desc_create failed: " + names[st] + " (matmul)", e.getMessage());
            assertEquals(st, e.status());
            assertEquals("dnnl_matmul_primitive_desc_create", e.function());
            assertEquals(names[st], DnnlException.statusName(st));
        }
        assertEquals("status 42", DnnlException.statusName(42));
        DnnlException.check(0, "fine");
    }

    @Test
    void invalidDescriptorsAreReportedNotCrashed() {
        OneDnnLibrary.lookup();
        // a data type oneDNN does not know: its own check answers, and we name the call
        DnnlException e = assertThrows(DnnlException.class,
                () -> new Dnnl.MemoryDesc(new long[] {2, 3}, new long[] {3, 1}, 12345, null).close());
        assertTrue(e.getMessage().startsWith("dnnl_memory_desc_create_with_strides failed: dnnl_invalid_arguments"), e.getMessage());
        // ranks oneDNN cannot hold are refused before the call
        assertThrows(IllegalArgumentException.class, () -> new Dnnl.MemoryDesc(new long[0], new long[0], 3, null));
        assertThrows(IllegalArgumentException.class, () -> new Dnnl.MemoryDesc(new long[13], new long[13], 3, null));
        assertThrows(IllegalArgumentException.class, () -> new Dnnl.MemoryDesc(new long[] {2}, new long[] {1, 1}, 3, null));
    }

    @Test
    void handlesAreDestroyedOnceByCloseOrByTheirArena() {
        long before = Dnnl.destroyedCount();
        Dnnl.MemoryDesc kept;
        Dnnl.Attr attr;
        try (Arena arena = Arena.ofConfined()) {
            kept = new Dnnl.MemoryDesc(new long[] {4, 5}, new long[] {5, 1}, 3, arena);
            attr = new Dnnl.Attr(arena).postOps(0.5f, 32, 0f, 0f);
            Dnnl.MemoryDesc early = new Dnnl.MemoryDesc(new long[] {3}, new long[] {1}, 3, arena);
            assertEquals(80, kept.byteSize());
            early.close();
            early.close();
            assertEquals(before + 1, Dnnl.destroyedCount(), "an explicit close destroys once");
            assertThrows(IllegalStateException.class, early::handle);
        }
        assertEquals(before + 3, Dnnl.destroyedCount(), "closing the arena destroys the rest, not the closed one again");
        assertThrows(IllegalStateException.class, kept::handle);
        assertThrows(IllegalStateException.class, () -> attr.scale(1));
        kept.close();
        assertEquals(before + 3, Dnnl.destroyedCount());

        Dnnl.MemoryDesc a = new Dnnl.MemoryDesc(new long[] {1}, new long[] {1}, 3, null);
        Dnnl.MemoryDesc b = new Dnnl.MemoryDesc(new long[] {1}, new long[] {1}, 3, null);
        assertNotEquals(a.id(), b.id(), "ids are unique");
        a.close();
        b.close();
    }

    // ------------------------------------------------------------------ helpers

    private static String probe(String... jvmFlags) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(jvmFlags));
        cmd.addAll(List.of("--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                OneDnnProbe.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe JVM hangs");
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);
        return text;
    }

    private static Path fakeJar(Path file, String gomp, String dnnl) throws IOException {
        try (OutputStream f = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(f)) {
            jar.putNextEntry(new JarEntry(OneDnnLibrary.RESOURCE_DIR + "libgomp.so.1"));
            jar.write(gomp.getBytes(StandardCharsets.UTF_8));
            jar.putNextEntry(new JarEntry(OneDnnLibrary.RESOURCE_DIR + "libdnnl.so.3"));
            jar.write(dnnl.getBytes(StandardCharsets.UTF_8));
        }
        return file;
    }

    private static byte[] resource(ClassLoader cl, String name) throws IOException {
        try (InputStream in = cl.getResourceAsStream(OneDnnLibrary.RESOURCE_DIR + name)) {
            return in.readAllBytes();
        }
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
