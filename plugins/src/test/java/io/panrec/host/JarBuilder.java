package io.panrec.host;

import io.panrec.models.spi.ModelProvider;
import io.panrec.tensor.Tensor;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Builds plugin jars in a test: compiles Java sources against panrec's API (the core and models class
 * folders or jars only, as a third party would) and writes a jar with chosen entries.
 */
final class JarBuilder {
    private final Map<String, String> sources = new LinkedHashMap<>();
    private final Map<String, byte[]> entries = new LinkedHashMap<>();
    private final List<String> leaveOut = new ArrayList<>();
    private byte[] manifest = "Manifest-Version: 1.0\r\nCreated-By: panrec tests\r\n\r\n".getBytes(StandardCharsets.UTF_8);

    /** Adds a source file; {@code className} is the fully qualified name of its public class. */
    JarBuilder source(String className, String code) {
        sources.put(className, code);
        return this;
    }

    /** Registers providers in {@code META-INF/services/<service>}. */
    JarBuilder service(Class<?> service, String... providerClasses) {
        entries.put("META-INF/services/" + service.getName(), (String.join("\n", providerClasses) + "\n").getBytes(StandardCharsets.UTF_8));
        return this;
    }

    JarBuilder entry(String name, String content) {
        entries.put(name, content.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** The manifest's bytes as they are, valid or not. */
    JarBuilder manifest(String raw) {
        this.manifest = raw.getBytes(StandardCharsets.UTF_8);
        return this;
    }

    /** Compiles the class but leaves it out of the jar (a missing dependency). */
    JarBuilder leaveOut(String className) {
        leaveOut.add(className);
        return this;
    }

    /** The class path of panrec's API: where core and models are. */
    static List<Path> apiClassPath() {
        List<Path> cp = new ArrayList<>();
        for (Class<?> c : List.of(Tensor.class, ModelProvider.class)) {
            try {
                cp.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()));
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        return cp;
    }

    Path write(Path jar) throws IOException {
        Path classes = Files.createTempDirectory(jar.getParent(), "classes");
        if (!sources.isEmpty()) {
            compile(classes);
        }
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(jar))) {
            put(zip, "META-INF/MANIFEST.MF", manifest);
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                put(zip, e.getKey(), e.getValue());
            }
            try (Stream<Path> files = Files.walk(classes)) {
                for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                    String name = classes.relativize(f).toString().replace('\\', '/');
                    String className = name.substring(0, name.length() - ".class".length()).replace('/', '.');
                    if (!leaveOut.contains(className)) {
                        put(zip, name, Files.readAllBytes(f));
                    }
                }
            }
        }
        return jar;
    }

    private static void put(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(bytes);
        zip.closeEntry();
    }

    private void compile(Path out) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("no Java compiler in this runtime: run the tests on a JDK, not a JRE");
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        List<JavaFileObject> units = new ArrayList<>();
        for (Map.Entry<String, String> e : sources.entrySet()) {
            units.add(new SimpleJavaFileObject(URI.create("string:///" + e.getKey().replace('.', '/') + ".java"), JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return e.getValue();
                }
            });
        }
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            List<String> options = List.of("-d", out.toString(), "-classpath",
                    String.join(java.io.File.pathSeparator, apiClassPath().stream().map(Path::toString).toList()), "-proc:none");
            Boolean ok = javac.getTask(java.io.Writer.nullWriter(), fm, diagnostics, options, null, units).call();
            if (!ok) {
                StringBuilder sb = new StringBuilder("test plugin does not compile:");
                for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                    sb.append('\n').append(d);
                }
                throw new IllegalStateException(sb.toString());
            }
        }
    }
}
