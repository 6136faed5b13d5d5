package io.panrec.cli;

import io.panrec.cli.bench.BenchKernelsCommand;
import io.panrec.cli.bench.BenchQualityCommand;
import picocli.CommandLine.Command;

/** {@code panrec bench ...}: quick measurements on this machine (JMH benchmarks live in the bench module). */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Quick benchmarks on this machine.",
        subcommands = {BenchKernelsCommand.class, io.panrec.cli.bench.BenchRerankCommand.class, io.panrec.cli.bench.BenchSessionsCommand.class,
                BenchQualityCommand.class})
public final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
