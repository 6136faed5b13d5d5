package io.panrec.host;

import java.io.IOException;
import java.net.URL;
import java.security.CodeSource;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;

/**
 * The parent of every plugin's class loader: it exposes the JDK (through the platform class loader)
 * and panrec's API, which is every class and resource of the jars (or class folders) of panrec's
 * {@code core} and {@code models} modules, and nothing else of the application: not the command line,
 * the host, the Lucene integration, the native bindings' internals, nor libraries such as Lucene or
 * picocli.
 *
 * <p>Why not simply the application class loader: with it as parent, a plugin silently sees everything
 * the host happens to have on its classpath, so it can come to depend on host internals that change
 * without notice, and a plugin that bundles its own version of a library the host also has (say
 * Lucene) gets the host's version instead, since class loading is parent-first. Filtering keeps the
 * contract to the published API. The API classes themselves are still loaded by the application class
 * loader (this loader only delegates), so a plugin's {@code ModelProvider} is the very interface the
 * host uses, and its instances can be cast and called without reflection.
 *
 * <p>The API is recognised by where a class comes from (its code source), not by package name, so new
 * packages of core and models are exposed without a list to maintain. Where classes have no code
 * source, or core and models share one jar with the rest (a shaded jar), the filter cannot tell them
 * apart and exposes every {@code io.panrec} class.
 */
final class ApiClassLoader extends ClassLoader {
    private static final String PANREC = "io.panrec.";

    private final ClassLoader app;
    private final Set<String> apiLocations;

    /**
     * @param app          the loader of panrec's own classes
     * @param apiLocations the code-source locations (jar or folder URLs, as strings) of the API modules
     */
    ApiClassLoader(ClassLoader app, Set<String> apiLocations) {
        super("panrec-api", ClassLoader.getPlatformClassLoader());
        this.app = app;
        this.apiLocations = Set.copyOf(apiLocations);
    }

    /** The locations of core (where {@code Tensor} lives) and models (where {@code ModelProvider} lives). */
    static Set<String> locationsOf(List<Class<?>> apiClasses) {
        Set<String> out = new java.util.HashSet<>();
        for (Class<?> c : apiClasses) {
            String l = location(c);
            if (l != null) {
                out.add(l);
            }
        }
        return out;
    }

    private static String location(Class<?> c) {
        CodeSource cs = c.getProtectionDomain().getCodeSource();
        return cs == null || cs.getLocation() == null ? null : cs.getLocation().toString();
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.startsWith(PANREC)) {
            Class<?> c = app.loadClass(name);
            String where = location(c);
            if (where == null || apiLocations.isEmpty() || apiLocations.contains(where)) {
                return c;
            }
            throw new ClassNotFoundException(name + " is not part of panrec's API (core and models), which is all a plugin can use; "
                    + "it comes from " + where);
        }
        return super.loadClass(name, resolve); // the JDK, through the platform loader; anything else is not found
    }

    @Override
    public URL getResource(String name) {
        URL url = app.getResource(name);
        if (url != null && isApiResource(url)) {
            return url;
        }
        return super.getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        List<URL> out = new java.util.ArrayList<>(Collections.list(ClassLoader.getPlatformClassLoader().getResources(name)));
        for (URL url : Collections.list(app.getResources(name))) {
            if (isApiResource(url) && !out.contains(url)) {
                out.add(url);
            }
        }
        return Collections.enumeration(out);
    }

    /** A resource of the API's jars or folders: its URL starts with one of their locations. */
    private boolean isApiResource(URL url) {
        String u = url.toString();
        for (String loc : apiLocations) {
            if (u.startsWith(loc) || u.startsWith("jar:" + loc + "!")) {
                return true;
            }
        }
        return false;
    }
}
