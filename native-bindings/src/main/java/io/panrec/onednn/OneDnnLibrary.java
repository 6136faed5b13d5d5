package io.panrec.onednn;

import io.panrec.backend.Availability;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * Finds and loads libdnnl.so.3, once per JVM, without downloading anything: {@code -Dpanrec.onednn.library}
 * names a system copy, else the library inside the {@code org.bytedeco:dnnl:linux-x86_64} jar on the class
 * path is extracted (with its libgomp.so.1) into a per-user cache folder named after the jar entries'
 * checksums, verified, and loaded with {@link SymbolLookup#libraryLookup}. Then {@code dnnl_version} is
 * checked: only major version 3 has the API bound here.
 *
 * <p>Every failure becomes a reason in {@link #availability()}, never an exception while classes load.
 */
public final class OneDnnLibrary {
    public static final String PROPERTY = "panrec.onednn.library";
    static final String RESOURCE_DIR = "org/bytedeco/dnnl/linux-x86_64/";
    static final String[] FILES = {"libgomp.so.1", "libdnnl.so.3"};
    static final int SUPPORTED_MAJOR = 3;

    private static volatile State state;

    private OneDnnLibrary() {
    }

    /** What loading found: the lookup and version when it worked, the reasons when not. */
    record State(SymbolLookup lookup, String version, Path path, List<String> reasons) {
        boolean ok() {
            return lookup != null;
        }
    }

    private static State state() {
        State s = state;
        if (s == null) {
            synchronized (OneDnnLibrary.class) {
                s = state;
                if (s == null) {
                    s = load();
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

    /** "3.11.0 (hash)" of the loaded library. */
    public static String version() {
        State s = state();
        return s.ok() ? s.version() : "unavailable";
    }

    /** The library file that was loaded. */
    public static Path path() {
        return state().path();
    }

    private static State load() {
        List<String> reasons = new ArrayList<>();
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        String forced = System.getProperty(PROPERTY, "").trim();
        Path lib;
        if (!forced.isEmpty()) {
            lib = Path.of(forced);
            if (!Files.isReadable(lib)) {
                return fail("-D" + PROPERTY + "=" + forced + " does not name a readable file: point it at libdnnl.so.3, or remove it to use the bundled copy");
            }
        } else {
            if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
                return fail("the bundled oneDNN is for linux-x86_64 only, this is " + os + "/" + arch
                        + ": install oneDNN 3.x and pass -D" + PROPERTY + "=/path/to/libdnnl.so.3");
            }
            try {
                lib = extract();
            } catch (IOException | RuntimeException e) {
                return fail("cannot extract the bundled oneDNN: " + e.getMessage());
            }
            if (lib == null) {
                return fail("the org.bytedeco:dnnl:linux-x86_64 jar is not on the class path (add it, or pass -D" + PROPERTY
                        + "=/path/to/libdnnl.so.3)");
            }
            // libdnnl.so.3 finds libgomp.so.1 beside it ($ORIGIN run path); loading it first makes that explicit
            try {
                passiveOpenMpByDefault();
                SymbolLookup.libraryLookup(lib.resolveSibling("libgomp.so.1"), Arena.global());
            } catch (IllegalCallerException e) {
                return fail(nativeAccessHint(e));
            } catch (IllegalArgumentException e) {
                reasons.add("libgomp.so.1: " + e.getMessage());
            }
        }
        SymbolLookup lookup;
        try {
            lookup = SymbolLookup.libraryLookup(lib, Arena.global());
        } catch (IllegalCallerException e) {
            return fail(nativeAccessHint(e));
        } catch (IllegalArgumentException e) {
            reasons.add("cannot load " + lib + ": " + e.getMessage());
            return new State(null, null, lib, reasons);
        }
        try {
            int[] v = io.panrec.onednn.raw.dnnl_h.version(lookup);
            String version = v[0] + "." + v[1] + "." + v[2];
            if (v[0] != SUPPORTED_MAJOR) {
                return fail(lib + " is oneDNN " + version + "; panrec binds the oneDNN " + SUPPORTED_MAJOR
                        + ".x C API, whose functions differ in other major versions: use a 3.x library");
            }
            return new State(lookup, version, lib, List.of());
        } catch (Throwable e) {
            return fail("calling dnnl_version in " + lib + " failed: " + e);
        }
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
        try (Arena a = Arena.ofConfined()) {
            java.lang.foreign.Linker linker = java.lang.foreign.Linker.nativeLinker();
            java.lang.foreign.MemorySegment setenv = linker.defaultLookup().find("setenv").orElse(null);
            if (setenv == null) {
                return;
            }
            java.lang.invoke.MethodHandle h = linker.downcallHandle(setenv, java.lang.foreign.FunctionDescriptor.of(
                    java.lang.foreign.ValueLayout.JAVA_INT, java.lang.foreign.ValueLayout.ADDRESS,
                    java.lang.foreign.ValueLayout.ADDRESS, java.lang.foreign.ValueLayout.JAVA_INT));
            int ignored = (int) h.invokeExact(a.allocateFrom("OMP_WAIT_POLICY"), a.allocateFrom("PASSIVE"), 0);
        } catch (Throwable e) {
            // only a tuning default: oneDNN works either way
        }
    }

    private static String nativeAccessHint(IllegalCallerException e) {
        return "native access is restricted (" + e.getMessage() + "): start the JVM with --enable-native-access=ALL-UNNAMED"
                + " (or =<your module>); the ./panrec launcher does";
    }

    private static State fail(String reason) {
        return new State(null, null, null, List.of(reason));
    }

    /**
     * Extracts the bundled libraries into {@code <cache>/panrec/onednn/<crc of both entries>/} unless a
     * verified copy is there; returns the path of libdnnl.so.3, or null when the jar is absent.
     */
    static Path extract() throws IOException {
        ClassLoader cl = OneDnnLibrary.class.getClassLoader();
        long[] crcs = new long[FILES.length];
        long[] sizes = new long[FILES.length];
        URL[] urls = new URL[FILES.length];
        for (int i = 0; i < FILES.length; i++) {
            urls[i] = cl.getResource(RESOURCE_DIR + FILES[i]);
            if (urls[i] == null) {
                return null;
            }
            URLConnection c = urls[i].openConnection();
            if (c instanceof JarURLConnection jar && jar.getJarEntry() != null && jar.getJarEntry().getCrc() >= 0) {
                crcs[i] = jar.getJarEntry().getCrc();
                sizes[i] = jar.getJarEntry().getSize();
            } else {
                // not in a jar (an exploded class path): checksum the resource itself
                try (InputStream in = c.getInputStream()) {
                    long[] cs = crcAndSize(in);
                    crcs[i] = cs[0];
                    sizes[i] = cs[1];
                }
            }
        }
        String key = String.format(Locale.ROOT, "%08x-%08x", crcs[0], crcs[1]);
        Path dir = cacheRoot().resolve("onednn").resolve(key);
        Files.createDirectories(dir);
        for (int i = 0; i < FILES.length; i++) {
            Path target = dir.resolve(FILES[i]);
            if (Files.isRegularFile(target) && verified(target, crcs[i], sizes[i])) {
                continue;
            }
            Path tmp = Files.createTempFile(dir, FILES[i], ".part");
            try {
                try (InputStream in = urls[i].openStream(); OutputStream out = Files.newOutputStream(tmp)) {
                    in.transferTo(out);
                }
                if (!verified(tmp, crcs[i], sizes[i])) {
                    throw new IOException("extracted " + FILES[i] + " does not match its checksum in the jar");
                }
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        return dir.resolve("libdnnl.so.3");
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
            return crcAndSize(in)[0] == crc;
        }
    }

    private static long[] crcAndSize(InputStream in) throws IOException {
        CRC32 crc = new CRC32();
        byte[] buf = new byte[1 << 16];
        long n = 0;
        int r;
        while ((r = in.read(buf)) > 0) {
            crc.update(buf, 0, r);
            n += r;
        }
        return new long[] {crc.getValue(), n};
    }
}
