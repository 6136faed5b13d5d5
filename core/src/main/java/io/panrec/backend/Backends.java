package io.panrec.backend;

import io.panrec.tensor.Device;
import io.panrec.tensor.Tensor;

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
 *
 * <p>Ops ask {@link #on} for the backend of their tensors: the current backend for host tensors (the same
 * call as before devices existed, so the host path costs nothing more), the backend of the device for tensors
 * all on one device ({@link #forDevice}), and an {@link IllegalArgumentException} naming both devices when
 * they are mixed: data moves only through {@link Tensor#to(Device)}, never behind the caller's back.
 */
public final class Backends {
    public static final String PROPERTY = "panrec.backend";

    private static final System.Logger LOG = System.getLogger(Backends.class.getName());
    private static final List<BackendProvider> EXTRA = new CopyOnWriteArrayList<>();
    private static final Map<String, Backend> CREATED = new ConcurrentHashMap<>();
    private static final ThreadLocal<Backend> OVERRIDE = new ThreadLocal<>();
    private static volatile Backend defaultBackend;
    private static final Map<Device, Backend> BY_DEVICE = new ConcurrentHashMap<>();

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
        BY_DEVICE.clear();
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

    // ------------------------------------------------------------------ devices

    /** The backend of an op on {@code a}: see the class comment. */
    public static Backend on(String op, Tensor a) {
        Device d = a.device();
        return d.isHost() ? current() : forDevice(d);
    }

    /** The backend of an op on {@code a} and {@code b} (either may be null); mixed devices are an error. */
    public static Backend on(String op, Tensor a, Tensor b) {
        Device da = a == null ? Device.CPU : a.device();
        Device db = b == null ? Device.CPU : b.device();
        if (da.isHost() && db.isHost()) {
            return current();
        }
        if (a != null && b != null && !da.equals(db)) {
            throw mixed(op, a, b);
        }
        return forDevice(da.isHost() ? db : da);
    }

    /** The backend of an op on these tensors (nulls skipped); mixed devices are an error. */
    public static Backend on(String op, Tensor... tensors) {
        Tensor first = null;
        for (Tensor t : tensors) {
            if (t == null) {
                continue;
            }
            if (first == null) {
                first = t;
            } else if (!t.device().equals(first.device())) {
                throw mixed(op, first, t);
            }
        }
        return first == null || first.device().isHost() ? current() : forDevice(first.device());
    }

    private static IllegalArgumentException mixed(String op, Tensor a, Tensor b) {
        // describe() names a device tensor's device already; a host tensor's is said here
        return new IllegalArgumentException(op + ": tensors on different devices, " + a.describe() + (a.device().isHost() ? " on cpu" : "")
                + " and " + b.describe() + (b.device().isHost() ? " on cpu" : "") + "; move one with .to(device) first (e.g. "
                + "model.to(device) and batch tensors .to(device)): ops never copy between devices silently");
    }

    /**
     * The backend whose kernels take tensors in {@code device}'s memory: the current backend for the host;
     * else the current backend if it {@linkplain Backend#runsOn runs on} the device (a {@link #use} override
     * included), else the available provider of highest rank whose backend runs on it.
     *
     * @throws IllegalStateException when no backend runs on the device, listing the providers and reasons
     */
    public static Backend forDevice(Device device) {
        Backend c = current();
        if (device.isHost() || c.runsOn(device)) {
            return c;
        }
        Backend b = BY_DEVICE.get(device);
        if (b == null) {
            b = findForDevice(device);
            BY_DEVICE.put(device, b);
        }
        return b;
    }

    private static Backend findForDevice(Device device) {
        List<String> tried = new ArrayList<>();
        for (BackendProvider p : providers()) {
            Availability a = safeAvailability(p);
            if (!a.available()) {
                tried.add(p.name() + " (unavailable: " + firstReason(a) + ")");
                continue;
            }
            Backend b;
            try {
                b = created(p);
            } catch (IllegalStateException e) {
                tried.add(p.name() + " (failed to start: " + e.getMessage() + ")");
                continue;
            }
            if (b.runsOn(device)) {
                return b;
            }
            tried.add(p.name() + " (does not run on " + device + ")");
        }
        throw new IllegalStateException("no panrec backend runs on " + device + "; tried " + tried
                + ". Tensors on " + device + " come from a backend that is no longer usable, or the device index is not the "
                + "one the backend was created for (-Dpanrec.cuda.device)");
    }

    /**
     * Copies {@code src} into {@code dst} (same shape and dtype) wherever each lives: a copy kernel when they are
     * on one device, a {@linkplain Backend#transfer transfer} between host and device memory, and through a host
     * copy between two devices. Not recorded by autograd.
     */
    public static void copy(Tensor src, Tensor dst) {
        if (!src.sameShape(dst) || src.dtype() != dst.dtype()) {
            throw new IllegalArgumentException("copy: " + src.describe() + " and " + dst.describe()
                    + " differ in shape or dtype");
        }
        Device from = src.device();
        Device to = dst.device();
        if (from.equals(to)) {
            on("copy", src, dst).copy(src, dst);
        } else if (from.isHost() || to.isHost()) {
            forDevice(from.isHost() ? to : from).transfer(src, dst);
        } else {
            Tensor staged = Tensor.empty(src.dtype(), src.shape());
            forDevice(from).transfer(src, staged);
            forDevice(to).transfer(staged, dst);
        }
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
