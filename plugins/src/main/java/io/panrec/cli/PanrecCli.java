package io.panrec.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code panrec} command line. Subcommands are listed here, in one place; each lives in its own
 * class. Run through the {@code ./panrec} launcher, which finds the JDK and builds what is missing.
 */
@Command(name = "panrec", mixinStandardHelpOptions = true, version = "panrec 0.1.0-SNAPSHOT",
        description = "Deep-learning recommenders for Java search engines.",
        subcommands = {DemoCommand.class, BackendsCommand.class, CommandLine.HelpCommand.class})
public final class PanrecCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
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
}
