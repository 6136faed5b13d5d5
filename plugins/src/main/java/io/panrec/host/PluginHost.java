package io.panrec.host;

import io.panrec.backend.Availability;
import io.panrec.backend.BackendProvider;
import io.panrec.backend.Backends;
import io.panrec.models.spi.ModelProvider;
import io.panrec.models.spi.ModelRegistry;
import io.panrec.tensor.Tensor;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * Loads the plugin jars of a folder and finds the {@link ModelProvider}s and {@link BackendProvider}s in
 * them.
 *
 * <p>Every {@code *.jar} directly in the folder (sorted by name, so that results do not depend on the
 * file system's order) gets a class loader of its own, whose parent exposes only panrec's API
 * ({@code core} and {@code models}; see {@link ApiClassLoader} for why not the application class
 * loader). Plugins cannot see each other, nor the host's libraries, and may bundle their own. Providers
 * are found with {@link ServiceLoader} on each jar's loader, from the jar's own
 * {@code META-INF/services/io.panrec.models.spi.ModelProvider} and
 * {@code META-INF/services/io.panrec.backend.BackendProvider}.
 *
 * <p>A broken jar never stops the host: a file that is not a jar, a bad manifest, a service file naming
 * a class that is missing or not a provider, a provider whose class needs a class the jar lacks, a
 * provider whose constructor or {@code name()} throws, a jar without any provider: each becomes a
 * {@link Problem} naming the jar and the cause, and loading goes on (a jar with one broken and one good
 * provider keeps the good one). Two providers of one name (models: ignoring case, as
 * {@link ModelRegistry} compares them), in two jars or in a jar and the application's classpath, are a
 * {@link Conflict}: {@link #models()} and {@link #registerBackends()} refuse to run with one, naming both
 * jars, while {@link #report()} still lists everything so the user can see what to remove.
 *
 * <p>Loading runs each provider's constructor and {@code name()} (providers must be cheap to construct);
 * nothing else of a plugin runs until a model is created or a backend's availability is asked for.
 * Immutable once loaded; {@link #close()} closes the plugin class loaders.
 */
public final class PluginHost implements AutoCloseable {
    /** Where a built-in provider comes from, in messages. */
    public static final String APPLICATION = "the application classpath";

    /**
     * A jar that loaded, with its providers.
     *
     * @param jar      the plugin jar
     * @param loader   its class loader
     * @param models   its model providers, in service-file order
     * @param backends its backend providers
     */
    public record Plugin(Path jar, ClassLoader loader, List<ModelProvider> models, List<BackendProvider> backends) {
        public Plugin {
            models = List.copyOf(models);
            backends = List.copyOf(backends);
        }

        public String name() {
            return jar.getFileName().toString();
        }
    }

    /**
     * Something wrong with a jar; the host went on without the part concerned.
     *
     * @param jar   the jar
     * @param cause what went wrong and how to fix it
     * @param error the exception behind it, or null
     */
    public record Problem(Path jar, String cause, Throwable error) {
        @Override
        public String toString() {
            return jar.getFileName() + ": " + cause;
        }
    }

    /**
     * Two providers of one name.
     *
     * @param kind   "model" or "backend"
     * @param name   the name they share
     * @param first  where the first comes from: a jar's file name, or {@link #APPLICATION}
     * @param second where the second comes from
     */
    public record Conflict(String kind, String name, String first, String second) {
        @Override
        public String toString() {
            return "two " + kind + " providers are named '" + name + "': one in " + first + ", one in " + second
                    + "; remove one of them from the plugins folder (or rename it)";
        }
    }

    private final Path dir;
    private final List<Plugin> plugins;
    private final List<Problem> problems;
    private final List<Conflict> conflicts;
    private final List<PluginClassLoader> loaders;
    private final ClassLoader application;

    private PluginHost(Path dir, List<Plugin> plugins, List<Problem> problems, List<Conflict> conflicts, List<PluginClassLoader> loaders,
                       ClassLoader application) {
        this.dir = dir;
        this.plugins = List.copyOf(plugins);
        this.problems = List.copyOf(problems);
        this.conflicts = List.copyOf(conflicts);
        this.loaders = List.copyOf(loaders);
        this.application = application;
    }

    /** A host without plugins: the application's own providers only. */
    public static PluginHost empty() {
        return new PluginHost(null, List.of(), List.of(), List.of(), List.of(), PluginHost.class.getClassLoader());
    }

    /**
     * Loads every {@code *.jar} of {@code dir}.
     *
     * @throws IllegalArgumentException if {@code dir} is not a folder
     * @throws IOException              if the folder cannot be listed
     */
    public static PluginHost load(Path dir) throws IOException {
        Objects.requireNonNull(dir, "dir");
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("plugins folder " + dir.toAbsolutePath() + " does not exist or is not a folder; "
                    + "create it and put plugin jars in it");
        }
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jar")
                && Files.isRegularFile(p))) {
            ds.forEach(jars::add);
        }
        jars.sort(null);

        ClassLoader app = PluginHost.class.getClassLoader();
        ApiClassLoader api = new ApiClassLoader(app, ApiClassLoader.locationsOf(List.of(Tensor.class, ModelProvider.class)));
        List<Plugin> plugins = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        List<PluginClassLoader> loaders = new ArrayList<>();
        for (Path jar : jars) {
            Plugin p = loadJar(jar, api, problems);
            if (p != null) {
                plugins.add(p);
                loaders.add((PluginClassLoader) p.loader());
            }
        }
        List<Conflict> conflicts = new ArrayList<>();
        conflicts.addAll(findConflicts("model", builtins(ModelProvider.class, app), plugins, Plugin::models, ModelProvider::name));
        conflicts.addAll(findConflicts("backend", builtins(BackendProvider.class, app), plugins, Plugin::backends, BackendProvider::name));
        return new PluginHost(dir, plugins, problems, conflicts, loaders, app);
    }

    private static Plugin loadJar(Path jar, ClassLoader api, List<Problem> problems) {
        String file = jar.getFileName().toString();
        try (JarFile jf = new JarFile(jar.toFile(), true)) {
            try {
                Manifest m = jf.getManifest(); // parsed here: a malformed manifest throws
                if (m != null) {
                    m.getMainAttributes();
                }
            } catch (IOException | RuntimeException e) {
                problems.add(new Problem(jar, "bad manifest (" + e.getMessage() + "); rebuild the jar with a valid META-INF/MANIFEST.MF", e));
                return null;
            }
        } catch (IOException | RuntimeException e) {
            problems.add(new Problem(jar, "not a readable jar (" + e + ")", e));
            return null;
        }
        PluginClassLoader loader;
        try {
            loader = new PluginClassLoader(jar, api);
        } catch (IOException | RuntimeException e) {
            problems.add(new Problem(jar, "cannot open a class loader on it (" + e + ")", e));
            return null;
        }
        int before = problems.size();
        List<ModelProvider> models = find(ModelProvider.class, loader, jar, problems);
        List<BackendProvider> backends = find(BackendProvider.class, loader, jar, problems);
        List<ModelProvider> goodModels = new ArrayList<>();
        for (ModelProvider mp : models) {
            try {
                ModelRegistry.empty().register(mp); // checks the name as the registry will
                Objects.requireNonNull(mp.family(), "family()");
                goodModels.add(mp);
            } catch (RuntimeException | LinkageError e) {
                problems.add(new Problem(jar, "model provider " + mp.getClass().getName() + " is unusable: " + e, e));
            }
        }
        if (goodModels.isEmpty() && backends.isEmpty()) {
            if (problems.size() == before) {
                problems.add(new Problem(jar, "no providers found: a plugin lists its classes in META-INF/services/"
                        + ModelProvider.class.getName() + " or META-INF/services/" + BackendProvider.class.getName(), null));
            }
            close(loader, problems);
            return null;
        }
        return new Plugin(jar, loader, goodModels, backends);
    }

    /** The providers of {@code service} in the jar's own service file; each failure becomes a problem. */
    private static <S> List<S> find(Class<S> service, PluginClassLoader loader, Path jar, List<Problem> problems) {
        List<S> found = new ArrayList<>();
        Function<S, String> nameOf = service == ModelProvider.class ? p -> ((ModelProvider) p).name() : p -> ((BackendProvider) p).name();
        Iterator<S> it = ServiceLoader.load(service, loader).iterator();
        for (int guard = 0; guard < 10_000; guard++) {
            S p;
            try {
                if (!it.hasNext()) {
                    break;
                }
                p = it.next();
            } catch (ServiceConfigurationError e) {
                // a class that is missing, is not a provider, or whose constructor threw; the iterator goes on
                problems.add(new Problem(jar, describe(service, e), e));
                continue;
            } catch (LinkageError e) {
                // a provider class that needs a class the jar does not have: ServiceLoader cannot go on reliably
                problems.add(new Problem(jar, service.getSimpleName() + ": a class is missing (" + e
                        + "); the jar must contain (or name in its manifest's Class-Path) every class its providers use; "
                        + "further " + service.getSimpleName() + "s of this jar were not examined", e));
                break;
            }
            if (p.getClass().getClassLoader() != loader) {
                problems.add(new Problem(jar, service.getSimpleName() + " " + p.getClass().getName()
                        + " is not a class of this jar (it comes from " + p.getClass().getClassLoader() + "); ignored", null));
                continue;
            }
            try {
                String name = nameOf.apply(p);
                if (name == null || name.isBlank()) {
                    throw new IllegalArgumentException("name() is " + (name == null ? "null" : "blank"));
                }
                found.add(p);
            } catch (RuntimeException | LinkageError e) {
                problems.add(new Problem(jar, service.getSimpleName() + " " + p.getClass().getName() + ": name() failed (" + e + ")", e));
            }
        }
        return found;
    }

    private static String describe(Class<?> service, ServiceConfigurationError e) {
        Throwable c = e.getCause();
        String why = e.getMessage();
        if (c != null) {
            Throwable root = c;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            why += " (cause: " + root + ")";
        }
        return service.getSimpleName() + ": " + why;
    }

    private static <S> Map<String, String> builtins(Class<S> service, ClassLoader app) {
        Map<String, String> out = new LinkedHashMap<>();
        Iterator<S> it = ServiceLoader.load(service, app).iterator();
        for (int guard = 0; guard < 10_000; guard++) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                S p = it.next();
                String name = p instanceof ModelProvider mp ? mp.name() : ((BackendProvider) p).name();
                out.putIfAbsent(name.toLowerCase(Locale.ROOT), name);
            } catch (ServiceConfigurationError | RuntimeException e) {
                continue; // the application's own broken providers are ModelRegistry's and Backends' to report
            } catch (LinkageError e) {
                break;
            }
        }
        return out;
    }

    private static <S> List<Conflict> findConflicts(String kind, Map<String, String> builtins, List<Plugin> plugins,
                                                    Function<Plugin, List<S>> providers, Function<S, String> name) {
        Map<String, String> origin = new LinkedHashMap<>();
        for (String key : builtins.keySet()) {
            origin.put(key, APPLICATION);
        }
        List<Conflict> out = new ArrayList<>();
        for (Plugin p : plugins) {
            for (S s : providers.apply(p)) {
                String n = name.apply(s);
                String key = n.toLowerCase(Locale.ROOT);
                String previous = origin.putIfAbsent(key, p.name());
                if (previous != null) {
                    out.add(new Conflict(kind, n, previous, p.name()));
                }
            }
        }
        return out;
    }

    private static void close(PluginClassLoader loader, List<Problem> problems) {
        try {
            loader.close();
        } catch (IOException e) {
            problems.add(new Problem(loader.jar(), "closing its class loader failed (" + e + ")", e));
        }
    }

    // ------------------------------------------------------------------ results

    /** The folder loaded, or null for {@link #empty()}. */
    public Path folder() {
        return dir;
    }

    /** The jars that loaded with at least one working provider, by file name. */
    public List<Plugin> plugins() {
        return plugins;
    }

    /** Jars (or parts of jars) that could not be used, with the reason. */
    public List<Problem> problems() {
        return problems;
    }

    /** Provider names given twice. */
    public List<Conflict> conflicts() {
        return conflicts;
    }

    /**
     * Every model provider: the application's (ServiceLoader on its class loader) and the plugins'.
     *
     * @throws IllegalStateException if two model providers share a name; the message names both jars
     */
    public ModelRegistry models() {
        failOnConflicts("model");
        ModelRegistry registry = ModelRegistry.discover(application);
        for (Plugin p : plugins) {
            for (ModelProvider m : p.models()) {
                registry.register(m);
            }
        }
        return registry;
    }

    /** The plugins' backend providers (the application's are {@link Backends#providers()}). */
    public List<BackendProvider> backends() {
        List<BackendProvider> out = new ArrayList<>();
        for (Plugin p : plugins) {
            out.addAll(p.backends());
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * Makes the plugins' backends selectable ({@code -Dpanrec.backend=NAME}, ranking) through
     * {@link Backends#register}. Call once per process.
     *
     * @throws IllegalStateException if two backend providers share a name; the message names both jars
     */
    public void registerBackends() {
        failOnConflicts("backend");
        for (BackendProvider b : backends()) {
            Backends.register(b);
        }
    }

    /** The jar a provider came from, or null if it is not a plugin's. */
    public Path jarOf(Object provider) {
        for (Plugin p : plugins) {
            if (provider.getClass().getClassLoader() == p.loader()) {
                return p.jar();
            }
        }
        return null;
    }

    private void failOnConflicts(String kind) {
        List<String> mine = new ArrayList<>();
        for (Conflict c : conflicts) {
            if (c.kind().equals(kind)) {
                mine.add(c.toString());
            }
        }
        if (!mine.isEmpty()) {
            throw new IllegalStateException(String.join("; ", mine) + " (plugins folder " + dir + ")");
        }
    }

    /**
     * What was found and from where, one line each, for {@code panrec plugins}: each plugin jar with its
     * providers (backends with their availability), then the problems and conflicts.
     */
    public List<String> report() {
        List<String> lines = new ArrayList<>();
        lines.add("plugins folder: " + (dir == null ? "(none)" : dir.toAbsolutePath()) + " (" + plugins.size() + " plugin"
                + (plugins.size() == 1 ? "" : "s") + ", " + problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + ", "
                + conflicts.size() + " conflict" + (conflicts.size() == 1 ? "" : "s") + ")");
        for (Plugin p : plugins) {
            lines.add(p.name());
            for (ModelProvider m : p.models()) {
                lines.add("  model   " + m.name() + " (" + m.family() + "): " + safe(m::description));
            }
            for (BackendProvider b : p.backends()) {
                lines.add("  backend " + b.name() + " (rank " + safe(() -> String.valueOf(b.rank())) + "): " + availability(b));
            }
        }
        for (Problem pr : problems) {
            lines.add("problem: " + pr);
        }
        for (Conflict c : conflicts) {
            lines.add("conflict: " + c);
        }
        return lines;
    }

    private static String availability(BackendProvider b) {
        try {
            Availability a = b.availability();
            return a.available() ? "available" : "unavailable: " + String.join("; ", a.reasons());
        } catch (RuntimeException | LinkageError e) {
            return "availability() threw " + e;
        }
    }

    private static String safe(java.util.function.Supplier<String> s) {
        try {
            return s.get();
        } catch (RuntimeException | LinkageError e) {
            return "(threw " + e + ")";
        }
    }

    /** Closes the plugins' class loaders: classes already loaded keep working, new ones cannot be loaded. */
    @Override
    public void close() throws IOException {
        IOException first = null;
        for (PluginClassLoader l : loaders) {
            try {
                l.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return "PluginHost[" + dir + ": " + plugins.size() + " plugins, " + problems.size() + " problems, " + conflicts.size() + " conflicts]";
    }
}
