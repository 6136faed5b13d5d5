package io.panrec.backend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Finds {@link BackendProvider}s with ServiceLoader, ranks them, and hands out backends.
 *
 * <p>The default backend is the available provider of highest rank, or the one named by the system
 * property {@code panrec.backend}; a forced backend that is unavailable throws with its reasons, an
 * unknown name throws with the known ones. A provider that is skipped is logged once, with its reasons.
 * {@link #use(Backend)} overrides the choice for the current thread (tests compare backends this way).
 */
public final class Backends {
    public static final String PROPERTY = "panrec.backend";

    private static final System.Logger LOG = System.getLogger(Backends.class.getName());
    private static final List<BackendProvider> EXTRA = new CopyOnWriteArrayList<>();
    private static final Map<String, Backend> CREATED = new ConcurrentHashMap<>();
    private static final ThreadLocal<Backend> OVERRIDE = new ThreadLocal<>();
    private static volatile Backend defaultBackend;

    private Backends() {
    }

    /** Every provider found (ServiceLoader plus {@link #register}), highest rank first. */
    public static List<BackendProvider> providers() {
        Map<String, BackendProvider> byName = new java.util.LinkedHashMap<>();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader())) {
            byName.putIfAbsent(p.name(), p);
        }
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        if (context != null && context != Backends.class.getClassLoader()) {
            for (BackendProvider p : ServiceLoader.load(BackendProvider.class, context)) {
                byName.putIfAbsent(p.name(), p);
            }
        }
        for (BackendProvider p : EXTRA) {
            byName.putIfAbsent(p.name(), p);
        }
        List<BackendProvider> list = new ArrayList<>(byName.values());
        list.sort(Comparator.comparingInt(BackendProvider::rank).reversed().thenComparing(BackendProvider::name));
        return list;
    }

    /**
     * Adds a provider that ServiceLoader cannot see (e.g. one from a plugin's class loader) and
     * re-selects the default backend.
     */
    public static synchronized void register(BackendProvider provider) {
        for (BackendProvider p : providers()) {
            if (p.name().equals(provider.name())) {
                throw new IllegalArgumentException("a backend named '" + provider.name() + "' is already registered ("
                        + p.getClass().getName() + ")");
            }
        }
        EXTRA.add(provider);
        defaultBackend = null;
    }

    /** The backend of the current thread: the {@link #use} override if any, else the default. */
    public static Backend current() {
        Backend b = OVERRIDE.get();
        return b != null ? b : defaultBackend();
    }

    /** The process-wide backend: forced by {@code -Dpanrec.backend}, else the best available. */
    public static Backend defaultBackend() {
        Backend b = defaultBackend;
        if (b == null) {
            synchronized (Backends.class) {
                b = defaultBackend;
                if (b == null) {
                    b = selectDefault();
                    defaultBackend = b;
                }
            }
        }
        return b;
    }

    private static Backend selectDefault() {
        String forced = System.getProperty(PROPERTY, "").trim();
        if (!forced.isEmpty()) {
            return named(forced);
        }
        for (BackendProvider p : providers()) {
            Availability a = safeAvailability(p);
            if (a.available()) {
                try {
                    return created(p);
                } catch (RuntimeException | LinkageError e) {
                    LOG.log(System.Logger.Level.WARNING, "backend '" + p.name() + "' failed to start, skipped: " + e);
                }
            } else {
                LOG.log(System.Logger.Level.INFO, "backend '" + p.name() + "' skipped: " + firstReason(a));
            }
        }
        throw new IllegalStateException("no panrec backend is available; the reference backend should always be: "
                + "is panrec-core on the class path?");
    }

    /**
     * The backend of the provider with this name, created once.
     *
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     * @throws IllegalStateException if the provider is unavailable, with its reasons
     */
    public static Backend named(String name) {
        Backend existing = CREATED.get(name);
        if (existing != null) {
            return existing;
        }
        List<BackendProvider> all = providers();
        for (BackendProvider p : all) {
            if (p.name().equals(name)) {
                Availability a = safeAvailability(p);
                if (!a.available()) {
                    throw new IllegalStateException("backend '" + name + "' is unavailable: " + String.join("; ", a.reasons()));
                }
                return created(p);
            }
        }
        throw new IllegalArgumentException("unknown backend '" + name + "'; known: "
                + all.stream().map(BackendProvider::name).toList());
    }

    private static Backend created(BackendProvider p) {
        return CREATED.computeIfAbsent(p.name(), n -> {
            try {
                return p.create();
            } catch (RuntimeException | LinkageError e) {
                throw new IllegalStateException("backend '" + n + "' failed to start: " + e.getMessage(), e);
            }
        });
    }

    /** The first reason, shortened for a log line; `panrec backends` shows them all. */
    private static String firstReason(Availability a) {
        String first = a.reasons().isEmpty() ? "unavailable" : a.reasons().getFirst();
        if (first.length() > 200) {
            first = first.substring(0, 197) + "...";
        }
        int more = a.reasons().size() - 1;
        return first + (more > 0 ? " (and " + more + " more reason" + (more > 1 ? "s" : "") + ": see `panrec backends`)" : "");
    }

    private static Availability safeAvailability(BackendProvider p) {
        try {
            return p.availability();
        } catch (RuntimeException | LinkageError e) {
            return Availability.no("availability check of '" + p.name() + "' threw " + e);
        }
    }

    /**
     * The best available backend that is plain Java ("vector" when the Vector API is there, else
     * "reference"): the delegate of native backends for the kernels they lack.
     */
    public static Backend bestPureJava() {
        for (String n : List.of("vector", "reference")) {
            try {
                return named(n);
            } catch (IllegalStateException | IllegalArgumentException e) {
                // try the next one
            }
        }
        throw new IllegalStateException("no pure-Java backend found: is panrec-core on the class path?");
    }

    /** Makes {@code backend} current for this thread until the returned handle is closed. */
    public static Using use(Backend backend) {
        Backend previous = OVERRIDE.get();
        OVERRIDE.set(backend);
        return () -> OVERRIDE.set(previous);
    }

    /** {@link #use(Backend)} by name. */
    public static Using use(String name) {
        return use(named(name));
    }

    /** Restores the previous backend choice of the thread on close. */
    @FunctionalInterface
    public interface Using extends AutoCloseable {
        @Override
        void close();
    }
}
