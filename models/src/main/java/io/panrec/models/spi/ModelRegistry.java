package io.panrec.models.spi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The models known to this JVM, by name. {@link #discover(ClassLoader)} finds the providers registered
 * in {@code META-INF/services/io.panrec.models.spi.ModelProvider}; {@link #register} adds one by hand
 * (tests, embedding applications).
 *
 * <p>Names are compared without case ({@code neumf} finds {@code NeuMF}), so two providers whose names
 * differ only in case are duplicates. A duplicate is an error naming both classes: silently keeping one
 * would make results depend on the classpath order. A provider that cannot be instantiated (a broken
 * jar, a missing dependency) does not stop discovery: it is recorded in {@link #problems()} so that
 * {@code panrec models} can report it beside the models that work.
 *
 * <p>Not thread-safe while registering; lookups on a registry no longer changed are.
 */
public final class ModelRegistry {
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_-]*");

    private final Map<String, ModelProvider> byName = new TreeMap<>();
    private final List<String> problems = new ArrayList<>();

    private ModelRegistry() {
    }

    /** An empty registry, for tests and applications that register their models by hand. */
    public static ModelRegistry empty() {
        return new ModelRegistry();
    }

    /** The providers visible to the context class loader (or this class's loader if there is none). */
    public static ModelRegistry discover() {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        return discover(cl != null ? cl : ModelRegistry.class.getClassLoader());
    }

    /**
     * The providers registered in {@code loader}'s {@code META-INF/services}.
     *
     * @throws IllegalStateException if two of them have the same name
     */
    public static ModelRegistry discover(ClassLoader loader) {
        ModelRegistry registry = new ModelRegistry();
        Iterator<ModelProvider> it = ServiceLoader.load(ModelProvider.class, loader).iterator();
        while (true) {
            ModelProvider p;
            try {
                if (!it.hasNext()) {
                    break;
                }
                p = it.next();
            } catch (ServiceConfigurationError e) {
                // one broken provider must not hide the others; the message names its class
                registry.problems.add(e.getMessage() + (e.getCause() != null ? " (" + e.getCause() + ")" : ""));
                continue;
            }
            registry.register(p);
        }
        return registry;
    }

    /**
     * Adds a provider.
     *
     * @throws IllegalArgumentException if its name is not a valid name
     * @throws IllegalStateException    if a provider of the same name (ignoring case) is already registered;
     *                                  the message names both classes
     */
    public ModelRegistry register(ModelProvider provider) {
        Objects.requireNonNull(provider, "provider");
        String name = provider.name();
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("model provider " + provider.getClass().getName() + " has an invalid name '" + name
                    + "': use letters, digits, '-' and '_', starting with a letter");
        }
        ModelProvider previous = byName.putIfAbsent(key(name), provider);
        if (previous != null) {
            throw new IllegalStateException("two model providers are named '" + name + "': " + previous.getClass().getName()
                    + " (as '" + previous.name() + "') and " + provider.getClass().getName()
                    + "; remove one of them from the classpath or rename it");
        }
        return this;
    }

    /**
     * The provider named {@code name} (any case).
     *
     * @throws IllegalArgumentException if there is none; the message lists the known names
     */
    public ModelProvider get(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException("unknown model '" + name + "'; known models: "
                + (byName.isEmpty() ? "(none registered)" : String.join(", ", names()))
                + (problems.isEmpty() ? "" : "; providers that failed to load: " + problems)));
    }

    public Optional<ModelProvider> find(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(byName.get(key(name)));
    }

    /** The names of the registered models, sorted without case. */
    public List<String> names() {
        List<String> names = new ArrayList<>();
        for (ModelProvider p : byName.values()) {
            names.add(p.name());
        }
        return names;
    }

    /** The providers, grouped by family (in {@link Family} order), then by name. */
    public List<ModelProvider> providers() {
        List<ModelProvider> list = new ArrayList<>(byName.values());
        list.sort(Comparator.comparing(ModelProvider::family).thenComparing(p -> key(p.name())));
        return Collections.unmodifiableList(list);
    }

    /** Providers that were registered but could not be loaded, each with its reason. */
    public List<String> problems() {
        return Collections.unmodifiableList(problems);
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
