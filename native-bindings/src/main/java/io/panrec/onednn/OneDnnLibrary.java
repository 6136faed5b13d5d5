package io.panrec.onednn;

import io.panrec.backend.Availability;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * Finds and loads libdnnl.so.3, once per JVM, without downloading anything: {@code -Dpanrec.onednn.library}
 * names a system copy, else the library inside the {@code org.bytedeco:dnnl:linux-x86_64} jar on the class
 * path is extracted (with its libgomp.so.1) into a per-user cache folder named by a SHA-256, verified, and
 * loaded with {@link SymbolLookup#libraryLookup} — libgomp first, then libdnnl. Then {@code dnnl_version}
 * is checked: only major version 3 has the API bound here.
 *
 * <p>Every failure becomes a reason in {@link #availability()} that names the fix, never an exception
 * while classes load.
 */
public final class OneDnnLibrary {
    public static final String PROPERTY = "panrec.onednn.library";
    static final String RESOURCE_DIR = "org/bytedeco/dnnl/linux-x86_64/";
    /** In load order: libdnnl.so.3 needs libgomp.so.1 (its OpenMP runtime). */
    static final String[] FILES = {"libgomp.so.1", "libdnnl.so.3"};
    /** Written beside the libraries, in {@code sha256sum -c} format, for whoever wants to check them by hand. */
    static final String SUMS = "SHA256SUMS";
    static final int SUPPORTED_MAJOR = 3;

    private static volatile State state;

    private OneDnnLibrary() {
    }

    /** What loading found: the lookup and version when it worked, the reasons when not. */
    record State(SymbolLookup lookup, String version, Path path, List<String> reasons) {
        boolean ok() {
            return lookup != null;
        }

        static State fail(String reason) {
            return new State(null, null, null, List.of(reason));
        }
    }

    /** Where the library comes from when no system copy is named; {@code null} when the jar is absent. */
    interface Extractor {
        Path extract() throws IOException;
    }

    private static State state() {
        State s = state;
        if (s == null) {
            synchronized (OneDnnLibrary.class) {
                s = state;
                if (s == null) {
                    s = load(System.getProperty(PROPERTY, ""), System.getProperty("os.name", ""), System.getProperty("os.arch", ""),
                            () -> extract(OneDnnLibrary.class.getClassLoader(), cacheRoot()));
                    state = s;
                }
            }
        }
        return s;
    }

    public static Availability availability() {
        State s = state();
        return s.ok() ? Availability.yes() : Availability.no(s.reasons());
    }

    /** The symbols of the loaded library; throws with the reasons when it could not be loaded. */
    public static SymbolLookup lookup() {
        State s = state();
        if (!s.ok()) {
            throw new UnsatisfiedLinkError("oneDNN is not available: " + String.join("; ", s.reasons()));
        }
        return s.lookup();
    }

    /** "3.11.0" of the loaded library, or "unavailable". */
    public static String version() {
        State s = state();
        return s.ok() ? s.version() : "unavailable";
    }

    /** The library file that was loaded (null when none was). */
    public static Path path() {
        return state().path();
    }

    /**
     * The whole decision, apart from the JVM's properties so that tests can drive it: a named system copy,
     * else the bundled one on linux-x86_64 only; load; check the version.
     */
    static State load(String forced, String osName, String osArch, Extractor extractor) {
        forced = forced == null ? "" : forced.trim();
        String os = osName.toLowerCase(Locale.ROOT);
        Path lib;
        if (!forced.isEmpty()) {
            lib = Path.of(forced);
            if (!Files.isRegularFile(lib) || !Files.isReadable(lib)) {
                return State.fail("-D" + PROPERTY + "=" + forced + " does not name a readable file: point it at a oneDNN 3.x "
                        + "libdnnl.so.3, or remove the property to use the copy bundled in the org.bytedeco:dnnl jar");
            }
        } else {
            if (!os.contains("linux") || !(osArch.equals("amd64") || osArch.equals("x86_64"))) {
                return State.fail("the bundled oneDNN is built for linux-x86_64 only, this is " + osName + "/" + osArch
                        + ": install oneDNN 3.x and pass -D" + PROPERTY + "=/path/to/libdnnl.so.3 (the vector backend runs meanwhile)");
            }
            try {
                lib = extractor.extract();
            } catch (IOException | RuntimeException e) {
                return State.fail("cannot extract the bundled oneDNN into " + cacheRoot() + ": " + e.getMessage()
                        + " (set -Dpanrec.cache.dir to a writable folder, or pass -D" + PROPERTY + "=/path/to/libdnnl.so.3)");
            }
            if (lib == null) {
                return State.fail("the org.bytedeco:dnnl:" + "linux-x86_64 jar (resource " + RESOURCE_DIR + "libdnnl.so.3) is not on "
                        + "the class path: add that dependency, or pass -D" + PROPERTY + "=/path/to/libdnnl.so.3");
            }
        }
        try {
            passiveOpenMpByDefault();
            if (forced.isEmpty()) {
                // libdnnl.so.3 would find libgomp.so.1 beside it through its $ORIGIN run path; loading it first,
                // by its full path, makes sure this copy is the one used, whatever LD_LIBRARY_PATH says
                SymbolLookup.libraryLookup(lib.resolveSibling("libgomp.so.1"), Arena.global());
            }
        } catch (IllegalCallerException e) {
            return State.fail(nativeAccessHint(e));
        } catch (IllegalArgumentException e) {
            return State.fail("cannot load " + lib.resolveSibling("libgomp.so.1") + ": " + e.getMessage());
        }
        SymbolLookup lookup;
        try {
            lookup = SymbolLookup.libraryLookup(lib, Arena.global());
        } catch (IllegalCallerException e) {
            return State.fail(nativeAccessHint(e));
        } catch (IllegalArgumentException e) {
            return State.fail("cannot load " + lib + " (" + e.getMessage() + "): is it a 64-bit oneDNN 3.x libdnnl.so.3 for this "
                    + "machine?" + (forced.isEmpty() ? "" : " Remove -D" + PROPERTY + " to use the bundled copy."));
        }
        int[] v;
        try {
            v = io.panrec.onednn.raw.dnnl_h.version(lookup);
        } catch (Throwable e) {
            return State.fail("calling dnnl_version in " + lib + " failed (" + e + "): not a oneDNN library?");
        }
        String problem = versionProblem(v, lib);
        if (problem != null) {
            return State.fail(problem);
        }
        return new State(lookup, v[0] + "." + v[1] + "." + v[2], lib, List.of());
    }

    /** Why a library of this version cannot be used, or null when it can. */
    static String versionProblem(int[] v, Path lib) {
        if (v[0] == SUPPORTED_MAJOR) {
            return null;
        }
        return lib + " is oneDNN " + v[0] + "." + v[1] + "." + v[2] + "; panrec binds the oneDNN " + SUPPORTED_MAJOR
                + ".x C API, whose functions and constants differ in other major versions: use a 3.x library (or remove -D"
                + PROPERTY + " to use the bundled one)";
    }

    /**
     * OpenMP threads spin while they wait by default, which starves a JVM whose other threads (GC, Lucene
     * searchers) share the cores. Unless the user chose a policy, ask libgomp to sleep instead; it reads
     * the variable when it loads, so this runs before.
     */
    private static void passiveOpenMpByDefault() {
        if (System.getenv("OMP_WAIT_POLICY") != null) {
            return;
        }
        Linker linker = Linker.nativeLinker();
        MemorySegment setenv = linker.defaultLookup().find("setenv").orElse(null);
        if (setenv == null) {
            return;
        }
        // a restricted call: without native access this throws IllegalCallerException, reported by the caller
        MethodHandle h = linker.downcallHandle(setenv, FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        try (Arena a = Arena.ofConfined()) {
            int ignored = (int) h.invokeExact(a.allocateFrom("OMP_WAIT_POLICY"), a.allocateFrom("PASSIVE"), 0);
        } catch (Throwable e) {
            // only a tuning default: oneDNN works either way
        }
    }

    private static String nativeAccessHint(IllegalCallerException e) {
        return "native access is restricted (" + e.getMessage() + "): start the JVM with --enable-native-access=ALL-UNNAMED"
                + " (or =<your module> on the module path); the ./panrec launcher and the Maven builds pass it";
    }

    // ------------------------------------------------------------------ extraction into the cache

    /**
     * Extracts the bundled libraries into {@code <cacheRoot>/onednn/<key>/} unless verified copies are there,
     * and returns the path of libdnnl.so.3, or null when the jar is not on the class path.
     *
     * <p>The key is the SHA-256 of each entry's name, size and CRC-32 as the jar records them: another
     * oneDNN build gets another folder, and computing it does not inflate 90 MB at every start. A copy is
     * verified against the jar's size and CRC-32 (when written and each time it is reused: a truncated or
     * damaged file is written again), and the SHA-256 of the content is recorded in {@code SHA256SUMS}.
     * Writes go to a temporary file in the same folder, then an atomic move, so two JVMs extracting at once
     * never see a half-written library, and a library mapped by a running JVM is replaced, not overwritten.
     */
    static Path extract(ClassLoader cl, Path cacheRoot) throws IOException {
        long[] crcs = new long[FILES.length];
        long[] sizes = new long[FILES.length];
        URL[] urls = new URL[FILES.length];
        MessageDigest key = sha256();
        for (int i = 0; i < FILES.length; i++) {
            urls[i] = cl.getResource(RESOURCE_DIR + FILES[i]);
            if (urls[i] == null) {
                return null;
            }
            URLConnection c = urls[i].openConnection();
            c.setUseCaches(false); // a cached JarFile would stay open (and locked on some systems) after we are done
            if (c instanceof JarURLConnection jar && jar.getJarEntry() != null && jar.getJarEntry().getCrc() >= 0
                    && jar.getJarEntry().getSize() >= 0) {
                crcs[i] = jar.getJarEntry().getCrc();
                sizes[i] = jar.getJarEntry().getSize();
                jar.getJarFile().close();
            } else {
                // not in a jar (an exploded class path): checksum the resource itself
                try (InputStream in = c.getInputStream()) {
                    Sums s = sums(in, null);
                    crcs[i] = s.crc();
                    sizes[i] = s.size();
                }
            }
            key.update((FILES[i] + " " + sizes[i] + " " + Long.toHexString(crcs[i]) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        Path dir = cacheRoot.resolve("onednn").resolve(HexFormat.of().formatHex(key.digest()).substring(0, 32));
        Files.createDirectories(dir);
        boolean wrote = false;
        for (int i = 0; i < FILES.length; i++) {
            Path target = dir.resolve(FILES[i]);
            if (Files.isRegularFile(target) && verified(target, crcs[i], sizes[i])) {
                continue;
            }
            Path tmp = Files.createTempFile(dir, FILES[i], ".part");
            try {
                Sums s;
                try (InputStream in = urls[i].openStream(); OutputStream out = Files.newOutputStream(tmp)) {
                    s = sums(in, out);
                }
                if (s.size() != sizes[i] || s.crc() != crcs[i]) {
                    throw new IOException("extracted " + FILES[i] + " (" + s.size() + " bytes, CRC-32 " + Long.toHexString(s.crc())
                            + ") does not match the jar's entry (" + sizes[i] + " bytes, CRC-32 " + Long.toHexString(crcs[i]) + ")");
                }
                move(tmp, target);
                wrote = true;
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        if (wrote || !Files.isRegularFile(dir.resolve(SUMS))) {
            writeSums(dir);
        }
        return dir.resolve("libdnnl.so.3");
    }

    /** SHA256SUMS over the verified files now in {@code dir}. */
    private static void writeSums(Path dir) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String f : FILES) {
            MessageDigest d = sha256();
            try (InputStream in = Files.newInputStream(dir.resolve(f))) {
                sums(in, new DigestingSink(OutputStream.nullOutputStream(), d));
            }
            sb.append(HexFormat.of().formatHex(d.digest())).append("  ").append(f).append('\n');
        }
        Path tmp = Files.createTempFile(dir, SUMS, ".part");
        try {
            Files.writeString(tmp, sb, StandardCharsets.UTF_8);
            move(tmp, dir.resolve(SUMS));
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void move(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static Path cacheRoot() {
        String override = System.getProperty("panrec.cache.dir");
        if (override != null && !override.isBlank()) {
            return Path.of(override);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("panrec");
    }

    private static boolean verified(Path file, long crc, long size) throws IOException {
        if (Files.size(file) != size) {
            return false;
        }
        try (InputStream in = Files.newInputStream(file)) {
            return sums(in, null).crc() == crc;
        }
    }

    private record Sums(long crc, long size) {
    }

    /** CRC-32 and length of a stream, copying it to {@code sink} when one is given. */
    private static Sums sums(InputStream in, OutputStream sink) throws IOException {
        CRC32 crc = new CRC32();
        byte[] buf = new byte[1 << 16];
        long n = 0;
        int r;
        while ((r = in.read(buf)) > 0) {
            crc.update(buf, 0, r);
            if (sink != null) {
                sink.write(buf, 0, r);
            }
            n += r;
        }
        return new Sums(crc.getValue(), n);
    }

    /** Writes through to {@code out} and feeds a digest. */
    private static final class DigestingSink extends OutputStream {
        private final OutputStream out;
        private final MessageDigest digest;

        DigestingSink(OutputStream out, MessageDigest digest) {
            this.out = out;
            this.digest = digest;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            digest.update((byte) b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            digest.update(b, off, len);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
