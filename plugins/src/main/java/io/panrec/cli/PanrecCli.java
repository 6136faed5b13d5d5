package io.panrec.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The {@code panrec} command line. Every subcommand is registered here, in {@code subcommands}, and
 * lives in its own class; a new one is added to that list. Run through the {@code ./panrec} launcher,
 * which finds the JDK, builds what is missing and passes the JVM flags the backends need.
 */
@Command(name = "panrec", mixinStandardHelpOptions = true, versionProvider = PanrecCli.Version.class,
        description = "Deep-learning recommenders for Java search engines.",
        subcommands = {DemoCommand.class, io.panrec.cli.models.ModelsCommand.class, io.panrec.cli.models.TrainCommand.class, io.panrec.cli.models.EvaluateCommand.class, io.panrec.cli.models.RecommendCommand.class, io.panrec.cli.models.ExportCommand.class, BackendsCommand.class, BenchCommand.class, io.panrec.cli.search.IndexCommand.class, io.panrec.cli.search.SearchCommand.class, PluginsCommand.class, CommandLine.HelpCommand.class})
public final class PanrecCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The configured command line, for tests and embedding. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new PanrecCli());
        // bad input gets one clear line, not a stack trace; -Dpanrec.trace=true shows it
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("panrec " + cmd.getCommandName() + ": " + e.getMessage());
            if (Boolean.getBoolean("panrec.trace")) {
                e.printStackTrace(cmd.getErr());
            }
            return 2;
        });
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The version Maven wrote into the jar, so that it never drifts from the pom. */
    static final class Version implements CommandLine.IVersionProvider {
        static final String POM_PROPERTIES = "/META-INF/maven/io.panrec/panrec-plugins/pom.properties";

        @Override
        public String[] getVersion() {
            return new String[] {"panrec " + version(), "JDK " + Runtime.version() + " (" + System.getProperty("java.home") + ")"};
        }

        static String version() {
            try (InputStream in = PanrecCli.class.getResourceAsStream(POM_PROPERTIES)) {
                if (in != null) {
                    Properties p = new Properties();
                    p.load(in);
                    String v = p.getProperty("version");
                    if (v != null && !v.isBlank()) {
                        return v;
                    }
                }
            } catch (IOException e) {
                // fall through: the version is information, not a reason to fail
            }
            return "(not packaged: run from classes)";
        }
    }
}
