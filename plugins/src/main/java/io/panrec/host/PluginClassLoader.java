package io.panrec.host;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Enumeration;

/**
 * The class loader of one plugin jar: classes of the jar (and of jars its manifest's Class-Path names),
 * over the {@link ApiClassLoader}. Service configuration files ({@code META-INF/services/...}) are read
 * from the plugin's own jars only, so that ServiceLoader on this loader finds the plugin's providers and
 * not, again, the host's built-in ones.
 */
final class PluginClassLoader extends URLClassLoader {
    static {
        ClassLoader.registerAsParallelCapable();
    }

    private final Path jar;

    PluginClassLoader(Path jar, ClassLoader parent) throws IOException {
        super(jar.getFileName().toString(), new URL[] {jar.toUri().toURL()}, parent);
        this.jar = jar;
    }

    Path jar() {
        return jar;
    }

    /**
     * Classes of the jar; for an {@code io.panrec} class that is neither in the jar nor in the API, a
     * message saying so (the parent's explanation would otherwise be lost behind URLClassLoader's plain
     * "not found").
     */
    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        try {
            return super.findClass(name);
        } catch (ClassNotFoundException e) {
            if (name.startsWith("io.panrec.")) {
                throw new ClassNotFoundException(name + " is not part of panrec's API (core and models), which is all a plugin can use, "
                        + "nor a class of " + jar.getFileName(), e);
            }
            throw e;
        }
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        if (name.startsWith("META-INF/services/")) {
            return findResources(name);
        }
        return super.getResources(name);
    }

    @Override
    public String toString() {
        return "PluginClassLoader[" + jar.getFileName() + "]";
    }
}
