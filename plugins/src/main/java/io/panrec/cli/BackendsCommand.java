package io.panrec.cli;

import io.panrec.backend.Availability;
import io.panrec.backend.BackendProvider;
import io.panrec.backend.Backends;
import io.panrec.backend.CpuInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code panrec backends}: every backend found, its rank and availability with reasons, and the CPU. */
@Command(name = "backends", mixinStandardHelpOptions = true,
        description = "List the compute backends found, which one is used, and what the CPU offers.")
public final class BackendsCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<BackendProvider> providers = Backends.providers();
        String chosen;
        try {
            chosen = Backends.defaultBackend().name();
        } catch (RuntimeException e) {
            chosen = null;
            spec.commandLine().getErr().println("no usable default backend: " + e.getMessage());
        }
        CpuInfo cpu = CpuInfo.current();
        if (json) {
            printJson(out, providers, chosen, cpu);
        } else {
            printTable(out, providers, chosen, cpu);
        }
        out.flush();
        return chosen == null ? 1 : 0;
    }

    private static void printTable(PrintWriter out, List<BackendProvider> providers, String chosen, CpuInfo cpu) {
        out.printf(Locale.ROOT, "%-3s %-10s %5s  %-11s %s%n", "", "backend", "rank", "available", "details");
        for (BackendProvider p : providers) {
            Availability a = safe(p);
            String mark = p.name().equals(chosen) ? "*" : "";
            String details = a.available() ? p.description() : String.join("; ", a.reasons());
            out.printf(Locale.ROOT, "%-3s %-10s %5d  %-11s %s%n", mark, p.name(), p.rank(), a.available() ? "yes" : "no",
                    details);
        }
        out.println();
        out.println("* = used (the highest-ranked available backend, or -D" + Backends.PROPERTY + "=NAME)");
        out.println("CPU:    " + cpu.modelName() + ", " + cpu.logicalCores() + " logical cores, flags "
                + (cpu.simdFlags().isEmpty() ? "(unknown)" : String.join(" ", cpu.simdFlags())));
        out.println("Vector: " + cpu.vectorNote());
        out.println("JDK:    " + Runtime.version() + " (" + System.getProperty("java.home") + ")");
    }

    private static void printJson(PrintWriter out, List<BackendProvider> providers, String chosen, CpuInfo cpu) {
        StringBuilder sb = new StringBuilder("{\"backends\":[");
        for (int i = 0; i < providers.size(); i++) {
            BackendProvider p = providers.get(i);
            Availability a = safe(p);
            sb.append(i == 0 ? "" : ",").append("{\"name\":").append(q(p.name())).append(",\"rank\":").append(p.rank())
                    .append(",\"available\":").append(a.available()).append(",\"used\":").append(p.name().equals(chosen))
                    .append(",\"description\":").append(q(p.description())).append(",\"reasons\":[");
            for (int r = 0; r < a.reasons().size(); r++) {
                sb.append(r == 0 ? "" : ",").append(q(a.reasons().get(r)));
            }
            sb.append("]}");
        }
        sb.append("],\"cpu\":{\"model\":").append(q(cpu.modelName())).append(",\"logicalCores\":").append(cpu.logicalCores())
                .append(",\"simdFlags\":[");
        for (int i = 0; i < cpu.simdFlags().size(); i++) {
            sb.append(i == 0 ? "" : ",").append(q(cpu.simdFlags().get(i)));
        }
        sb.append("],\"vectorBits\":").append(cpu.vectorBits()).append(",\"floatLanes\":").append(cpu.floatLanes())
                .append("},\"jdk\":").append(q(Runtime.version().toString())).append('}');
        out.println(sb);
    }

    private static Availability safe(BackendProvider p) {
        try {
            return p.availability();
        } catch (RuntimeException | LinkageError e) {
            return Availability.no("availability check threw " + e);
        }
    }

    static String q(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
