package io.panrec.cuda;

import io.panrec.backend.Availability;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds and loads the CUDA libraries panrec's GPU backend uses, once per JVM, without downloading anything:
 * libcudart (12 or 13), libcublas (+ libcublasLt), libcudnn.so.9 (+ its split sub-libraries, loaded first from
 * the same folder so that cuDNN never mixes two installations) and libnvrtc (+ its builtins).
 *
 * <p>Where it looks, in this order: the folders of {@code -Dpanrec.cuda.path} (path-separator list) and nowhere
 * else when that property is set; otherwise {@code LD_LIBRARY_PATH}, {@code $CUDA_HOME}/{@code $CUDA_PATH},
 * {@code /usr/local/cuda*}{@code /lib64} and {@code targets/x86_64-linux/lib}, the {@code nvidia/*}{@code /lib}
 * folders of Python wheels in the usual site-packages ({@code ~/.local/lib/python3*}, {@code /usr/lib/python3*},
 * {@code /usr/local/lib/python3*}, conda, virtualenv, pyenv), and the system library folders. Python is never
 * run: the folders are scanned.
 *
 * <p>Then the runtime is asked for its version, the driver's and the device count: no library, no driver, no
 * device each become a reason in {@link #availability()}, never an exception while classes load.
 */
public final class CudaLibraries {
    /** Folders to search instead of the defaults, separated by {@link java.io.File#pathSeparator}. */
    public static final String PATH_PROPERTY = "panrec.cuda.path";
    /** Which GPU the backend uses (default 0). */
    public static final String DEVICE_PROPERTY = "panrec.cuda.device";

    private static final System.Logger LOG = System.getLogger(CudaLibraries.class.getName());

    /** The libraries panrec binds, with the major versions whose API it was written against. */
    public enum Library {
        CUDART("libcudart.so", "CUDA runtime", List.of(13, 12), "nvidia-cuda-runtime-cu12"),
        CUBLAS("libcublas.so", "cuBLAS", List.of(13, 12), "nvidia-cublas-cu12"),
        CUDNN("libcudnn.so", "cuDNN", List.of(9), "nvidia-cudnn-cu12"),
        NVRTC("libnvrtc.so", "NVRTC", List.of(13, 12), "nvidia-cuda-nvrtc-cu12");

        final String base;
        final String title;
        final List<Integer> majors;
        final String wheel;

        Library(String base, String title, List<Integer> majors, String wheel) {
            this.base = base;
            this.title = title;
            this.majors = majors;
            this.wheel = wheel;
        }

        /** "libcudart.so.{13,12}", for messages. */
        public String pattern() {
            return majors.size() == 1 ? base + "." + majors.getFirst()
                    : base + ".{" + String.join(",", majors.stream().map(String::valueOf).toList()) + "}";
        }
    }

    /**
     * cuDNN 9's sub-libraries in dependency order. libcudnn.so.9 opens them by name when first needed; loading
     * the copies beside it first makes that name resolve to them (the loader reuses a loaded soname), so a
     * second cuDNN elsewhere on the system is never mixed in (CUDNN_STATUS_SUBLIBRARY_VERSION_MISMATCH).
     */
    static final List<String> CUDNN_PARTS = List.of("libcudnn_graph.so.9", "libcudnn_engines_runtime_compiled.so.9",
            "libcudnn_engines_precompiled.so.9", "libcudnn_heuristic.so.9", "libcudnn_ops.so.9", "libcudnn_cnn.so.9",
            "libcudnn_adv.so.9");
    /** The parts without which the descriptor API used here does not work. */
    static final Set<String> CUDNN_REQUIRED_PARTS = Set.of("libcudnn_graph.so.9", "libcudnn_ops.so.9", "libcudnn_cnn.so.9");

    private static volatile State state;

    private CudaLibraries() {
    }

    // ------------------------------------------------------------------ the environment (a value, for tests)

    /**
     * What discovery reads: the property, {@code LD_LIBRARY_PATH}, the home folder, the file-system root the
     * fixed locations hang from ("/" except in tests), and the variables naming conda, virtualenv, pyenv and
     * CUDA installations.
     */
    record Env(String cudaPath, String ldLibraryPath, Path home, Path root, Map<String, String> vars) {
        static Env system() {
            Map<String, String> vars = new java.util.HashMap<>();
            for (String v : List.of("CUDA_HOME", "CUDA_PATH", "CONDA_PREFIX", "VIRTUAL_ENV", "PYENV_ROOT")) {
                String value = System.getenv(v);
                if (value != null && !value.isBlank()) {
                    vars.put(v, value);
                }
            }
            return new Env(System.getProperty(PATH_PROPERTY), System.getenv("LD_LIBRARY_PATH"),
                    Path.of(System.getProperty("user.home", "/")), Path.of("/"), vars);
        }
    }

    /** Where each library was found, its companions (loaded first), and why some were not. */
    record Discovery(Map<Library, Path> found, Map<Library, List<Path>> companions, List<Path> searched,
                     List<String> reasons) {
    }

    // ------------------------------------------------------------------ discovery (pure file-system scanning)

    /** The folders searched, in order, that exist (deduplicated). */
    static List<Path> searchDirs(Env env) {
        LinkedHashSet<Path> dirs = new LinkedHashSet<>();
        if (env.cudaPath() != null && !env.cudaPath().isBlank()) {
            for (String p : env.cudaPath().split(java.io.File.pathSeparator)) {
                if (!p.isBlank()) {
                    dirs.add(Path.of(p.trim()).toAbsolutePath().normalize());
                }
            }
            return List.copyOf(dirs); // the user said where: look nowhere else
        }
        if (env.ldLibraryPath() != null) {
            for (String p : env.ldLibraryPath().split(":")) {
                if (!p.isBlank()) {
                    dirs.add(Path.of(p.trim()).toAbsolutePath().normalize());
                }
            }
        }
        for (String v : List.of("CUDA_HOME", "CUDA_PATH")) {
            String home = env.vars().get(v);
            if (home != null) {
                dirs.add(Path.of(home).resolve("lib64"));
                dirs.add(Path.of(home).resolve("targets/x86_64-linux/lib"));
            }
        }
        Path usrLocal = env.root().resolve("usr/local");
        for (Path cuda : cudaInstalls(usrLocal)) {
            dirs.add(cuda.resolve("lib64"));
            dirs.add(cuda.resolve("targets/x86_64-linux/lib"));
        }
        for (Path site : sitePackages(env)) {
            dirs.addAll(children(site.resolve("nvidia")).stream().map(d -> d.resolve("lib")).toList());
        }
        for (String sys : List.of("usr/lib/x86_64-linux-gnu", "lib/x86_64-linux-gnu", "usr/lib64", "usr/lib")) {
            dirs.add(env.root().resolve(sys));
        }
        return dirs.stream().filter(Files::isDirectory).toList();
    }

    /** /usr/local/cuda first (the default the installer links), then cuda-X.Y newest first. */
    private static List<Path> cudaInstalls(Path usrLocal) {
        List<Path> all = new ArrayList<>(children(usrLocal).stream()
                .filter(p -> p.getFileName().toString().startsWith("cuda")).toList());
        all.sort(Comparator.comparing((Path p) -> !p.getFileName().toString().equals("cuda"))
                .thenComparing(p -> versionKey(p.getFileName().toString()), Comparator.reverseOrder()));
        return all;
    }

    /** site-packages and dist-packages folders of the usual Python installations, scanned, not asked. */
    static List<Path> sitePackages(Env env) {
        List<Path> libRoots = new ArrayList<>();
        libRoots.add(env.home().resolve(".local/lib"));
        for (String v : List.of("VIRTUAL_ENV", "CONDA_PREFIX")) {
            if (env.vars().containsKey(v)) {
                libRoots.add(Path.of(env.vars().get(v)).resolve("lib"));
            }
        }
        libRoots.add(env.root().resolve("usr/local/lib"));
        libRoots.add(env.root().resolve("usr/lib"));
        libRoots.add(env.root().resolve("opt/conda/lib"));
        Path pyenv = env.vars().containsKey("PYENV_ROOT") ? Path.of(env.vars().get("PYENV_ROOT")) : env.home().resolve(".pyenv");
        for (Path version : children(pyenv.resolve("versions"))) {
            libRoots.add(version.resolve("lib"));
        }
        List<Path> out = new ArrayList<>();
        for (Path lib : libRoots) {
            List<Path> pythons = new ArrayList<>(children(lib).stream()
                    .filter(p -> p.getFileName().toString().startsWith("python3")).toList());
            pythons.sort(Comparator.comparing((Path p) -> versionKey(p.getFileName().toString()), Comparator.reverseOrder()));
            for (Path py : pythons) {
                for (String kind : List.of("site-packages", "dist-packages")) {
                    Path site = py.resolve(kind);
                    if (Files.isDirectory(site)) {
                        out.add(site);
                    }
                }
            }
        }
        return out;
    }

    private static List<Path> children(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).sorted().toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** "cuda-12.4" -> "0012.0004" so that string order is version order. */
    private static String versionKey(String name) {
        Matcher m = Pattern.compile("(\\d+)").matcher(name);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            sb.append(String.format(Locale.ROOT, "%06d.", Long.parseLong(m.group(1).length() > 6 ? "999999" : m.group(1))));
        }
        return sb.toString();
    }

    /** A file of {@code dir} named {@code base}, {@code base.N} or {@code base.N.M...}, with N its major (-1 if none). */
    record Candidate(Path path, int major, boolean soname) {
    }

    static List<Candidate> candidates(Path dir, String base) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        Pattern p = Pattern.compile(Pattern.quote(base) + "(?:\\.(\\d+)((?:\\.\\d+)*))?");
        List<Candidate> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.sorted().toList()) {
                Matcher m = p.matcher(f.getFileName().toString());
                if (m.matches() && Files.isRegularFile(f)) {
                    int major = m.group(1) == null ? -1 : Integer.parseInt(m.group(1));
                    boolean soname = m.group(1) != null && m.group(2).isEmpty();
                    out.add(new Candidate(f, major, soname));
                }
            }
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
        return out;
    }

    /**
     * The best file for {@code lib} in {@code dir}: a supported major (the preferred one first, then the
     * highest), the soname form ({@code .so.12}) before a fully versioned one, the unversioned development link
     * last. Null if none.
     */
    static Path pick(Path dir, Library lib, int preferredMajor, List<String> rejected) {
        List<Candidate> cs = candidates(dir, lib.base);
        Candidate best = null;
        for (Candidate c : cs) {
            if (c.major() >= 0 && !lib.majors.contains(c.major())) {
                rejected.add(c.path().getFileName() + " in " + dir + " (" + lib.title + " " + c.major() + "; panrec needs "
                        + lib.pattern().substring(lib.base.length() + 1) + ")");
                continue;
            }
            if (best == null || rank(c, lib, preferredMajor) < rank(best, lib, preferredMajor)) {
                best = c;
            }
        }
        return best == null ? null : best.path();
    }

    private static int rank(Candidate c, Library lib, int preferred) {
        if (c.major() < 0) {
            return 1000;
        }
        int r = c.major() == preferred ? 0 : 10 + lib.majors.indexOf(c.major());
        return r * 2 + (c.soname() ? 0 : 1);
    }

    /** Finds every library; a missing one is a reason naming what was looked for and where. */
    static Discovery discover(Env env) {
        List<Path> dirs = searchDirs(env);
        Map<Library, Path> found = new EnumMap<>(Library.class);
        Map<Library, List<Path>> companions = new EnumMap<>(Library.class);
        List<String> reasons = new ArrayList<>();
        List<String> rejected = new ArrayList<>();
        int cudaMajor = -1;
        for (Library lib : Library.values()) {
            Path hit = null;
            // the CUDA libraries should share the runtime's major version: look for it everywhere first
            if (cudaMajor > 0 && lib != Library.CUDNN) {
                for (Path d : dirs) {
                    Path p = pick(d, lib, cudaMajor, new ArrayList<>());
                    if (p != null && majorOf(p) == cudaMajor) {
                        hit = p;
                        break;
                    }
                }
            }
            if (hit == null) {
                for (Path d : dirs) {
                    hit = pick(d, lib, cudaMajor, rejected);
                    if (hit != null) {
                        break;
                    }
                }
            }
            if (hit == null) {
                reasons.add(notFound(lib, env, dirs, rejected));
                continue;
            }
            found.put(lib, hit);
            if (lib == Library.CUDART) {
                cudaMajor = majorOf(hit);
            }
            companions.put(lib, companionsOf(lib, hit));
        }
        if (!reasons.isEmpty() && (env.cudaPath() == null || env.cudaPath().isBlank())) {
            reasons.add(searched(dirs));
        }
        return new Discovery(found, companions, dirs, reasons);
    }

    static int majorOf(Path p) {
        Matcher m = Pattern.compile("\\.so\\.(\\d+)").matcher(p.getFileName().toString());
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** Libraries loaded before {@code lib}, from its own folder. */
    static List<Path> companionsOf(Library lib, Path libPath) {
        Path dir = libPath.getParent();
        List<Path> out = new ArrayList<>();
        switch (lib) {
            case CUBLAS -> {
                int major = majorOf(libPath);
                Path lt = dir.resolve("libcublasLt.so." + major);
                if (major > 0 && Files.isRegularFile(lt)) {
                    out.add(lt);
                } else {
                    candidates(dir, "libcublasLt.so").stream().map(Candidate::path).findFirst().ifPresent(out::add);
                }
            }
            case CUDNN -> {
                for (String part : CUDNN_PARTS) {
                    Path p = dir.resolve(part);
                    if (Files.isRegularFile(p)) {
                        out.add(p);
                    }
                }
            }
            case NVRTC -> candidates(dir, "libnvrtc-builtins.so").stream()
                    .filter(c -> c.major() == majorOf(libPath) || majorOf(libPath) < 0)
                    .map(Candidate::path).findFirst().ifPresent(out::add);
            case CUDART -> {
            }
        }
        return out;
    }

    private static String notFound(Library lib, Env env, List<Path> dirs, List<String> rejected) {
        StringBuilder sb = new StringBuilder(lib.title).append(" (").append(lib.pattern()).append(") not found");
        if (env.cudaPath() != null && !env.cudaPath().isBlank()) {
            sb.append(" in -D").append(PATH_PROPERTY).append("=").append(env.cudaPath());
            if (dirs.stream().noneMatch(Files::isDirectory)) {
                sb.append(" (no such folder)");
            }
        } else {
            sb.append(" in the folders searched");
        }
        List<String> mine = rejected.stream().filter(r -> r.startsWith(lib.base)).distinct().toList();
        if (!mine.isEmpty()) {
            sb.append("; skipped ").append(String.join(", ", mine));
        }
        sb.append(": install it (e.g. pip install ").append(lib.wheel).append(", or the CUDA toolkit")
                .append(lib == Library.CUDNN ? " and cuDNN 9" : "").append(") or pass -D").append(PATH_PROPERTY)
                .append("=/folder/with/").append(lib.base).append(".N");
        return sb.toString();
    }

    /** One line naming where discovery looked, added once after the libraries it did not find. */
    static String searched(List<Path> dirs) {
        List<Path> shown = dirs.stream().limit(16).toList();
        StringBuilder sb = new StringBuilder("folders searched (LD_LIBRARY_PATH, $CUDA_HOME, /usr/local/cuda*, Python wheels' "
                + "site-packages/nvidia/*/lib, system folders): ");
        sb.append(shown.isEmpty() ? "none of them exists" : String.join(", ", shown.stream().map(Path::toString).toList()));
        if (dirs.size() > shown.size()) {
            sb.append(" and ").append(dirs.size() - shown.size()).append(" more");
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ loading and probing

    /** What loading found: the lookups of the libraries that loaded, what the runtime reported, and the reasons. */
    record State(Map<Library, SymbolLookup> lookups, Map<Library, Path> paths, Info info, List<String> reasons) {
        boolean ok() {
            return reasons.isEmpty();
        }
    }

    /**
     * What the runtime reported: versions as the libraries encode them (CUDA 12040 = 12.4, cuDNN 90100 = 9.1.0),
     * the devices, and the chosen one.
     */
    public record Info(int runtimeVersion, int driverVersion, int deviceCount, int device, String deviceName,
                       int computeMajor, int computeMinor, long cudnnVersion, int nvrtcMajor, int nvrtcMinor) {
        static final Info NONE = new Info(0, 0, 0, 0, "", 0, 0, 0, 0, 0);

        /** "CUDA 12.4 (driver 12.6), cuDNN 9.1.0, NVRTC 12.4, NVIDIA H100 (sm_90)". */
        public String describe() {
            StringBuilder sb = new StringBuilder();
            sb.append("CUDA ").append(cudaVersion(runtimeVersion));
            if (driverVersion > 0) {
                sb.append(" (driver ").append(cudaVersion(driverVersion)).append(")");
            }
            if (cudnnVersion > 0) {
                sb.append(", cuDNN ").append(cudnnVersion / 10000).append('.').append(cudnnVersion / 100 % 100).append('.')
                        .append(cudnnVersion % 100);
            }
            if (nvrtcMajor > 0) {
                sb.append(", NVRTC ").append(nvrtcMajor).append('.').append(nvrtcMinor);
            }
            if (!deviceName.isEmpty()) {
                sb.append(", ").append(deviceName).append(" (sm_").append(computeMajor).append(computeMinor).append(")");
            }
            return sb.toString();
        }
    }

    /** "12.4" from 12040. */
    static String cudaVersion(int v) {
        return v / 1000 + "." + v % 1000 / 10;
    }

    private static State state() {
        State s = state;
        if (s == null) {
            synchronized (CudaLibraries.class) {
                s = state;
                if (s == null) {
                    s = load(Env.system(), Integer.getInteger(DEVICE_PROPERTY, 0));
                    state = s;
                    if (!s.ok()) {
                        LOG.log(System.Logger.Level.DEBUG, "CUDA unavailable: " + String.join("; ", s.reasons()));
                    }
                }
            }
        }
        return s;
    }

    public static Availability availability() {
        State s = state();
        return s.ok() ? Availability.yes() : Availability.no(s.reasons());
    }

    /** The symbols of a loaded library; throws with the reasons when it was not loaded. */
    public static SymbolLookup lookup(Library lib) {
        State s = state();
        SymbolLookup l = s.lookups().get(lib);
        if (l == null) {
            throw new UnsatisfiedLinkError(lib.title + " is not loaded: " + String.join("; ", s.reasons()));
        }
        return l;
    }

    /** The file a library was loaded from, or null. */
    public static Path path(Library lib) {
        return state().paths().get(lib);
    }

    /** What the runtime reported (zeros where it could not be asked). */
    public static Info info() {
        return state().info();
    }

    /** Loads everything {@code env} leads to and asks the runtime about the device; never throws. */
    static State load(Env env, int device) {
        Discovery d = discover(env);
        List<String> reasons = new ArrayList<>(d.reasons());
        Map<Library, SymbolLookup> lookups = new EnumMap<>(Library.class);
        Map<Library, Path> paths = new EnumMap<>(Library.class);
        for (Library lib : Library.values()) {
            Path p = d.found().get(lib);
            if (p == null) {
                continue;
            }
            try {
                boolean companionsOk = true;
                for (Path c : d.companions().getOrDefault(lib, List.of())) {
                    try {
                        SymbolLookup.libraryLookup(c, Arena.global());
                    } catch (IllegalArgumentException e) {
                        String name = c.getFileName().toString();
                        if (lib != Library.CUDNN || CUDNN_REQUIRED_PARTS.contains(name)) {
                            reasons.add("cannot load " + c + " (needed by " + lib.title + "): " + e.getMessage());
                            companionsOk = false;
                        } else {
                            LOG.log(System.Logger.Level.INFO, "cuDNN part " + c + " did not load (" + e.getMessage()
                                    + "); cuDNN may still find what it needs");
                        }
                    }
                }
                if (!companionsOk) {
                    continue;
                }
                lookups.put(lib, SymbolLookup.libraryLookup(p, Arena.global()));
                paths.put(lib, p);
            } catch (IllegalCallerException e) {
                return new State(Map.of(), Map.of(), Info.NONE, List.of("native access is restricted (" + e.getMessage()
                        + "): start the JVM with --enable-native-access=ALL-UNNAMED (or =<your module>); the ./panrec launcher does"));
            } catch (IllegalArgumentException e) {
                reasons.add("cannot load " + p + ": " + e.getMessage());
            }
        }
        Info info = Info.NONE;
        SymbolLookup cudart = lookups.get(Library.CUDART);
        if (cudart != null) {
            try {
                info = probe(cudart, lookups.get(Library.CUDNN), lookups.get(Library.NVRTC), device, paths.get(Library.CUDART),
                        reasons);
            } catch (Throwable e) {
                reasons.add("asking the CUDA runtime at " + paths.get(Library.CUDART) + " about the GPU failed: " + e);
            }
        }
        checkSymbols(lookups, paths, reasons);
        return new State(Map.copyOf(lookups), Map.copyOf(paths), info, List.copyOf(reasons));
    }

    /** A library of the wrong generation loads but lacks functions: name the first missing one. */
    private static void checkSymbols(Map<Library, SymbolLookup> lookups, Map<Library, Path> paths, List<String> reasons) {
        Map<Library, List<String>> needed = Map.of(
                Library.CUDART, List.of("cudaLibraryLoadData", "cudaLibraryGetKernel", "cudaMallocAsync", "cudaLaunchKernel"),
                Library.CUBLAS, List.of("cublasCreate_v2", "cublasSgemmStridedBatched", "cublasGetStatusString"),
                Library.CUDNN, List.of("cudnnCreate", "cudnnConvolutionForward", "cudnnGetConvolutionForwardAlgorithm_v7",
                        "cudnnPoolingForward", "cudnnSoftmaxForward"),
                Library.NVRTC, List.of("nvrtcCreateProgram", "nvrtcGetCUBIN"));
        for (Map.Entry<Library, SymbolLookup> e : lookups.entrySet()) {
            for (String sym : needed.get(e.getKey())) {
                if (e.getValue().find(sym).isEmpty()) {
                    reasons.add(paths.get(e.getKey()) + " has no " + sym + ": it is not the " + e.getKey().title + " "
                            + e.getKey().pattern().substring(e.getKey().base.length() + 1) + " panrec binds");
                    break;
                }
            }
        }
    }

    /**
     * Asks the runtime for its version, the driver's and the devices, with handles made here (the raw classes
     * resolve through the state being built). Adds a reason for each problem and returns what it learnt.
     */
    private static Info probe(SymbolLookup cudart, SymbolLookup cudnn, SymbolLookup nvrtc, int device, Path cudartPath,
                              List<String> reasons) throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.JAVA_INT, 2);
            int runtime = intCall(cudart, "cudaRuntimeGetVersion", out);
            int driver = intCall(cudart, "cudaDriverGetVersion", out);
            if (runtime > 0 && runtime < 12000) {
                reasons.add(cudartPath + " is CUDA " + cudaVersion(runtime) + "; panrec needs a CUDA 12 or newer runtime");
            }
            MethodHandle count = handle(cudart, "cudaGetDeviceCount", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
            out.set(ValueLayout.JAVA_INT, 0, 0);
            int rc = (int) count.invokeExact(out);
            int devices = out.get(ValueLayout.JAVA_INT, 0);
            String name = "";
            int ccMajor = 0;
            int ccMinor = 0;
            if (rc != 0) {
                reasons.add(noDeviceReason(cudart, rc, runtime, driver));
                devices = 0;
            } else if (devices == 0) {
                reasons.add("the CUDA runtime sees no GPU (cudaGetDeviceCount returned 0)");
            } else if (device < 0 || device >= devices) {
                reasons.add("-D" + DEVICE_PROPERTY + "=" + device + " but there " + (devices == 1 ? "is 1 GPU" : "are " + devices + " GPUs")
                        + " (indices from 0)");
            } else {
                ccMajor = attribute(cudart, out, 75, device);
                ccMinor = attribute(cudart, out, 76, device);
                name = deviceName(cudart, a, device);
            }
            long cudnnVersion = 0;
            if (cudnn != null) {
                MethodHandle v = handle(cudnn, "cudnnGetVersion", FunctionDescriptor.of(ValueLayout.JAVA_LONG));
                cudnnVersion = (long) v.invokeExact();
                if (cudnnVersion < 90000 || cudnnVersion >= 100000) {
                    reasons.add("cuDNN reports version " + cudnnVersion + "; panrec binds the cuDNN 9 API");
                }
            }
            int nvMajor = 0;
            int nvMinor = 0;
            if (nvrtc != null) {
                MethodHandle v = handle(nvrtc, "nvrtcVersion", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                        ValueLayout.ADDRESS));
                int ignored = (int) v.invokeExact(out, out.asSlice(4));
                nvMajor = out.get(ValueLayout.JAVA_INT, 0);
                nvMinor = out.get(ValueLayout.JAVA_INT, 4);
            }
            return new Info(runtime, driver, devices, device, name, ccMajor, ccMinor, cudnnVersion, nvMajor, nvMinor);
        }
    }

    /** The runtime's words for why there is no device, and what to do about it. */
    static String noDeviceReason(SymbolLookup cudart, int rc, int runtime, int driver) throws Throwable {
        MethodHandle str = handle(cudart, "cudaGetErrorString", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        MethodHandle nm = handle(cudart, "cudaGetErrorName", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        String text = ((MemorySegment) str.invokeExact(rc)).reinterpret(4096).getString(0);
        String errName = ((MemorySegment) nm.invokeExact(rc)).reinterpret(256).getString(0);
        String hint;
        if (rc == 35 && driver == 0) {
            hint = "no NVIDIA driver could be loaded (libcuda.so.1): this machine has no GPU driver; install one, or run on a GPU machine";
        } else if (rc == 35) {
            hint = "the driver supports CUDA " + cudaVersion(driver) + " but the runtime is " + cudaVersion(runtime)
                    + ": update the driver, or point -D" + PATH_PROPERTY + " at an older runtime";
        } else if (rc == 100) {
            hint = "no NVIDIA GPU is visible (check CUDA_VISIBLE_DEVICES and nvidia-smi)";
        } else {
            hint = "check nvidia-smi";
        }
        return "no usable GPU: cudaGetDeviceCount returned " + errName + " (" + rc + "): " + text + "; " + hint;
    }

    private static int intCall(SymbolLookup lib, String fn, MemorySegment out) throws Throwable {
        MethodHandle h = handle(lib, fn, FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        out.set(ValueLayout.JAVA_INT, 0, 0);
        int rc = (int) h.invokeExact(out);
        return rc == 0 ? out.get(ValueLayout.JAVA_INT, 0) : 0;
    }

    private static int attribute(SymbolLookup cudart, MemorySegment out, int attr, int device) throws Throwable {
        MethodHandle h = handle(cudart, "cudaDeviceGetAttribute", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        int rc = (int) h.invokeExact(out, attr, device);
        return rc == 0 ? out.get(ValueLayout.JAVA_INT, 0) : 0;
    }

    private static String deviceName(SymbolLookup cudart, Arena a, int device) throws Throwable {
        MethodHandle h = handle(cudart, "cudaGetDeviceProperties", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                ValueLayout.JAVA_INT));
        MemorySegment prop = a.allocate(io.panrec.cuda.raw.cuda_runtime_h.cudaDeviceProp_buffer_size, 8);
        int rc = (int) h.invokeExact(prop, device);
        if (rc != 0) {
            return "GPU " + device;
        }
        MemorySegment name = prop.asSlice(0, io.panrec.cuda.raw.cuda_runtime_h.cudaDeviceProp_name_length);
        byte[] bytes = name.toArray(ValueLayout.JAVA_BYTE);
        int n = 0;
        while (n < bytes.length && bytes[n] != 0) {
            n++;
        }
        return new String(bytes, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static MethodHandle handle(SymbolLookup lib, String name, FunctionDescriptor desc) {
        MemorySegment fn = lib.find(name).orElseThrow(() -> new UnsatisfiedLinkError(name));
        return Linker.nativeLinker().downcallHandle(fn, desc);
    }
}
