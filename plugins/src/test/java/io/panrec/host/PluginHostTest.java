package io.panrec.host;

import io.panrec.backend.BackendProvider;
import io.panrec.backend.Backends;
import io.panrec.models.spi.Batch;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.ModelProvider;
import io.panrec.models.spi.ModelRegistry;
import io.panrec.models.spi.Recommender;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PluginHostTest {
    @TempDir
    static Path tmp;
    static Path good;      // one good plugin
    static Path mixed;     // one good plugin among broken jars
    static Path dup;       // duplicate names

    static final String MODEL = """
            package acme.%1$s;
            import io.panrec.models.spi.*;
            import io.panrec.tensor.*;
            import java.util.*;
            public class %2$s implements ModelProvider {
                public String name() { return "%3$s"; }
                public Family family() { return Family.GENERAL; }
                public String description() { return "scores item i as scale * i"; }
                public List<Setting> defaults() { return List.of(Setting.of("scale", 2.0, "multiplies the item index")); }
                public Recommender create(Settings s, DatasetSchema schema) { return new IndexModel(s, schema); }
                static final class IndexModel implements Recommender {
                    final Settings s; final DatasetSchema schema;
                    IndexModel(Settings s, DatasetSchema schema) { this.s = s; this.schema = schema; }
                    public Settings settings() { return s; }
                    public DatasetSchema schema() { return schema; }
                    public Tensor calculateLoss(Batch b) { throw new UnsupportedOperationException("nothing to train"); }
                    public Tensor predict(Batch b) { return b.get(Batch.ITEMS).to(DType.F32).mul((float) s.getDouble("scale")); }
                    public Tensor fullSortPredict(Tensor users) { throw new UnsupportedOperationException(); }
                    public List<Tensor> parameters() { return List.of(); }
                    public void setTraining(boolean t) { }
                    public boolean isTraining() { return false; }
                    public Map<String, Tensor> stateDict() { return Map.of(); }
                    public void loadState(Map<String, Tensor> state) { }
                }
            }
            """;

    static final String BACKEND = """
            package acme.%1$s;
            import io.panrec.backend.*;
            public class %2$s implements BackendProvider {
                public String name() { return "%3$s"; }
                public int rank() { return -7; }
                public Availability availability() { return Availability.no("a test backend that never runs"); }
                public Backend create() { throw new IllegalStateException("a test backend that never runs"); }
            }
            """;

    static JarBuilder model(String pkg, String cls, String name) {
        return new JarBuilder().source("acme." + pkg + "." + cls, MODEL.formatted(pkg, cls, name))
                .service(ModelProvider.class, "acme." + pkg + "." + cls);
    }

    @BeforeAll
    static void buildJars() throws IOException {
        good = Files.createDirectory(tmp.resolve("good"));
        model("good", "GoodProvider", "HostTestGood")
                .source("acme.good.GoodBackend", BACKEND.formatted("good", "GoodBackend", "hosttest"))
                .service(BackendProvider.class, "acme.good.GoodBackend")
                // a class of a library the host also has, in the plugin's own version
                .source("org.apache.lucene.util.Version", "package org.apache.lucene.util; public class Version { public static String mine() { return \"plugin\"; } }")
                .write(good.resolve("good-plugin.jar"));
        Files.writeString(good.resolve("README.txt"), "not a jar: ignored");

        mixed = Files.createDirectory(tmp.resolve("mixed"));
        model("ok", "OkProvider", "HostTestOk").write(mixed.resolve("ok.jar"));
        Files.writeString(mixed.resolve("garbage.jar"), "this is not a zip file");
        model("bm", "BmProvider", "HostTestBm").manifest("Manifest-Version: 1.0\r\nthis line has no colon\r\n\r\n")
                .write(mixed.resolve("bad-manifest.jar"));
        new JarBuilder().service(ModelProvider.class, "acme.nope.Missing").write(mixed.resolve("missing-class.jar"));
        new JarBuilder().source("acme.boom.Boom", """
                        package acme.boom;
                        public class Boom extends acme.good0.Base {
                            public Boom() { throw new IllegalStateException("boom in the constructor"); }
                        }
                        """).source("acme.good0.Base", MODEL.formatted("good0", "Base", "HostTestBase"))
                .leaveOut("acme.good0.Base").leaveOut("acme.good0.Base$IndexModel")
                .service(ModelProvider.class, "acme.boom.Boom").write(mixed.resolve("missing-superclass.jar"));
        new JarBuilder().source("acme.thrower.Thrower", MODEL.formatted("thrower", "Thrower", "HostTestThrower")
                        .replace("public String name()", "public Thrower() { throw new IllegalStateException(\"boom in the constructor\"); }\n    public String name()"))
                .service(ModelProvider.class, "acme.thrower.Thrower").write(mixed.resolve("throwing.jar"));
        new JarBuilder().source("acme.dep.Helper", "package acme.dep; public class Helper { public static String n() { return \"HostTestDep\"; } }")
                .source("acme.dep.UsesHelper", MODEL.formatted("dep", "UsesHelper", "x").replace("return \"x\";", "return Helper.n();"))
                .leaveOut("acme.dep.Helper").service(ModelProvider.class, "acme.dep.UsesHelper").write(mixed.resolve("missing-dependency.jar"));
        new JarBuilder().source("acme.none.Nothing", "package acme.none; public class Nothing { }").write(mixed.resolve("no-providers.jar"));
        model("badname", "BadName", "not a valid name!").write(mixed.resolve("bad-name.jar"));
        new JarBuilder().source("acme.np.NotAProvider", "package acme.np; public class NotAProvider { }")
                .service(ModelProvider.class, "acme.np.NotAProvider").write(mixed.resolve("not-a-provider.jar"));
        model("half", "HalfGood", "HostTestHalf").service(ModelProvider.class, "acme.half.HalfGood", "acme.half.Gone")
                .write(mixed.resolve("half-broken.jar"));

        dup = Files.createDirectory(tmp.resolve("dup"));
        model("a", "A", "HostTestDup").write(dup.resolve("a.jar"));
        model("b", "B", "hosttestdup").write(dup.resolve("b.jar"));
        new JarBuilder().source("acme.c.C", BACKEND.formatted("c", "C", "vector")).service(BackendProvider.class, "acme.c.C")
                .write(dup.resolve("c.jar"));
    }

    @Test
    void findsTheProvidersOfAGoodJar() throws Exception {
        try (PluginHost host = PluginHost.load(good)) {
            assertEquals(List.of(), host.problems(), "problems");
            assertEquals(List.of(), host.conflicts());
            assertEquals(1, host.plugins().size());
            PluginHost.Plugin p = host.plugins().getFirst();
            assertEquals("good-plugin.jar", p.name());
            assertEquals(1, p.models().size());
            assertEquals(1, p.backends().size());
            assertEquals(good.resolve("good-plugin.jar"), host.jarOf(p.models().getFirst()));
            assertEquals("hosttest", host.backends().getFirst().name());

            ModelRegistry registry = host.models();
            ModelProvider provider = registry.get("hosttestgood");
            Recommender m = provider.create(provider.defaultSettings().with("scale", 3.0), DatasetSchema.implicit(2, 10));
            try (var _ = Scope.open("test")) {
                Tensor s = m.predict(new Batch().put(Batch.USERS, Tensor.ofLongs(new long[] {0, 1, 1}))
                        .put(Batch.ITEMS, Tensor.ofLongs(new long[] {1, 4, 9})));
                assertArrayEquals(new float[] {3, 12, 27}, s.toFloatArray());
            }
            String report = String.join("\n", host.report());
            assertTrue(report.contains("good-plugin.jar") && report.contains("model   HostTestGood (GENERAL)")
                    && report.contains("backend hosttest (rank -7): unavailable: a test backend that never runs"), report);
        }
    }

    @Test
    void aPluginSeesOnlyTheApi() throws Exception {
        try (PluginHost host = PluginHost.load(good)) {
            ClassLoader loader = host.plugins().getFirst().loader();
            assertSame(ModelProvider.class, loader.loadClass(ModelProvider.class.getName()), "the API is shared, not copied");
            assertSame(Tensor.class, loader.loadClass(Tensor.class.getName()));
            assertSame(List.class, loader.loadClass("java.util.List"));
            for (String hidden : List.of("io.panrec.host.PluginHost", "io.panrec.lucene.RerankModel", "org.apache.lucene.search.Rescorer",
                    "picocli.CommandLine")) {
                ClassNotFoundException e = assertThrows(ClassNotFoundException.class, () -> loader.loadClass(hidden), hidden);
                if (hidden.startsWith("io.panrec")) {
                    assertTrue(e.getMessage().contains("not part of panrec's API"), e.getMessage());
                }
            }
            // the plugin's own copy of a class the host also has wins
            Class<?> version = loader.loadClass("org.apache.lucene.util.Version");
            assertSame(loader, version.getClassLoader());
            assertNotSame(org.apache.lucene.util.Version.class, version);
            // the host's service files are invisible to the plugin's ServiceLoader
            List<URL> services = Collections.list(loader.getResources("META-INF/services/" + BackendProvider.class.getName()));
            assertEquals(1, services.size(), services.toString());
            assertTrue(services.getFirst().toString().contains("good-plugin.jar"), services.toString());
        }
    }

    @Test
    void brokenJarsAreReportedAndTheOthersStillLoad() throws Exception {
        try (PluginHost host = PluginHost.load(mixed)) {
            List<String> names = host.plugins().stream().map(PluginHost.Plugin::name).toList();
            assertEquals(List.of("half-broken.jar", "ok.jar"), names);
            assertEquals(List.of("HostTestHalf"), host.plugins().getFirst().models().stream().map(ModelProvider::name).toList());
            String all = String.join("\n", host.problems().stream().map(PluginHost.Problem::toString).toList());
            expectProblem(host, "garbage.jar", "not a readable jar");
            expectProblem(host, "bad-manifest.jar", "bad manifest");
            expectProblem(host, "missing-class.jar", "acme.nope.Missing");
            expectProblem(host, "missing-superclass.jar", "acme/good0/Base");
            expectProblem(host, "throwing.jar", "boom in the constructor");
            expectProblem(host, "missing-dependency.jar", "acme/dep/Helper");
            expectProblem(host, "no-providers.jar", "no providers found");
            expectProblem(host, "bad-name.jar", "invalid name");
            expectProblem(host, "not-a-provider.jar", "not a subtype");
            expectProblem(host, "half-broken.jar", "acme.half.Gone");
            assertEquals(10, host.problems().size(), all);
            ModelRegistry registry = host.models();
            assertTrue(registry.find("HostTestOk").isPresent() && registry.find("HostTestHalf").isPresent());
            String report = String.join("\n", host.report());
            System.out.println(report); // what `panrec plugins` would show
            assertTrue(report.contains("problem: garbage.jar: not a readable jar"), report);
        }
    }

    private static void expectProblem(PluginHost host, String jar, String causePart) {
        boolean found = host.problems().stream().anyMatch(p -> p.jar().getFileName().toString().equals(jar) && p.cause().contains(causePart));
        assertTrue(found, "no problem for " + jar + " mentioning '" + causePart + "' in\n"
                + String.join("\n", host.problems().stream().map(PluginHost.Problem::toString).toList()));
    }

    @Test
    void twoProvidersOfOneNameAreAnErrorNamingBothJars() throws Exception {
        try (PluginHost host = PluginHost.load(dup)) {
            assertEquals(List.of(), host.problems());
            assertEquals(2, host.conflicts().size(), host.conflicts().toString());
            IllegalStateException e = assertThrows(IllegalStateException.class, host::models);
            assertTrue(e.getMessage().contains("a.jar") && e.getMessage().contains("b.jar") && e.getMessage().contains("hosttestdup"),
                    e.getMessage());
            e = assertThrows(IllegalStateException.class, host::registerBackends);
            assertTrue(e.getMessage().contains("c.jar") && e.getMessage().contains(PluginHost.APPLICATION) && e.getMessage().contains("'vector'"),
                    e.getMessage());
            assertTrue(Backends.providers().stream().noneMatch(b -> b.name().equals("hosttest")), "nothing registered");
            String report = String.join("\n", host.report());
            assertTrue(report.contains("conflict: two model providers are named"), report);
        }
    }

    @Test
    void foldersThatAreNotThere() throws IOException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PluginHost.load(tmp.resolve("nowhere")));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        try (PluginHost host = PluginHost.load(empty)) {
            assertEquals(List.of(), host.plugins());
            assertEquals(List.of(), host.problems());
            host.models(); // the application's own providers
        }
        try (PluginHost host = PluginHost.empty()) {
            assertEquals(List.of(), host.plugins());
        }
    }
}
