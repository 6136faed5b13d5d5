package io.panrec.cli;

import io.panrec.host.PluginHost;
import io.panrec.models.spi.ModelRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code panrec plugins}: what a {@link PluginHost} finds in a plugins folder: each jar with its model and
 * backend providers, the jars it could not use and why, and provider names given twice. Exits with 1
 * when there is a problem or a conflict, so that scripts notice.
 */
@Command(name = "plugins", mixinStandardHelpOptions = true,
        description = {"List the model and backend providers found in a plugins folder, by jar; report broken jars and duplicate names."})
public final class PluginsCommand implements Callable<Integer> {
    /** The folder used without --dir: $PANREC_PLUGINS, else ~/.panrec/plugins. */
    static Path defaultFolder() {
        String env = System.getenv("PANREC_PLUGINS");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".panrec", "plugins");
    }

    @Option(names = "--dir", paramLabel = "DIR", description = "The plugins folder (default: $PANREC_PLUGINS, else ~/.panrec/plugins).")
    Path dir;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        Path folder = dir != null ? dir : defaultFolder();
        ModelRegistry builtIn = ModelRegistry.discover(PluginsCommand.class.getClassLoader());
        out.println("built in: " + builtIn.names().size() + " models (" + String.join(", ", builtIn.names()) + ")");
        if (dir == null && !Files.exists(folder)) {
            out.println("plugins folder: " + folder.toAbsolutePath() + " does not exist: no plugins (create it and drop plugin jars in, or give --dir)");
            out.flush();
            return 0;
        }
        try (PluginHost host = PluginHost.load(folder)) {
            for (String line : host.report()) {
                out.println(line);
            }
            out.flush();
            return host.problems().isEmpty() && host.conflicts().isEmpty() ? 0 : 1;
        }
    }
}
