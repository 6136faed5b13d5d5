package io.panrec.cli;

import io.panrec.backend.Availability;
import io.panrec.backend.BackendProvider;
import io.panrec.backend.Backends;
import io.panrec.backend.CpuInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code panrec backends}: every backend provider found, its rank, whether it can run here and why not,
 * which one is the default, and what the CPU and the JVM offer the kernels. Exits 1 when no default
 * backend can be had (e.g. {@code -Dpanrec.backend} names an unknown or unavailable one), after listing.
 */
@Command(name = "backends", mixinStandardHelpOptions = true,
        description = {"List the compute backends found, which one is the default, and what the CPU offers.",
                "Force a backend with -Dpanrec.backend=NAME (for ./panrec: PANREC_JAVA_OPTS=-Dpanrec.backend=NAME)."})
public final class BackendsCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @Spec
    CommandSpec spec;

    /** One provider as listed: availability is asked once, so table and default agree. */
    record Row(String name, int rank, boolean available, List<String> reasons, String description) {
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Row> rows = new ArrayList<>();
        for (BackendProvider p : Backends.providers()) {
            Availability a = availability(p);
            rows.add(new Row(p.name(), p.rank(), a.available(), a.reasons(), description(p)));
        }
        String forced = System.getProperty(Backends.PROPERTY, "").trim();
        String chosen = null;
        try {
            chosen = Backends.defaultBackend().name();
        } catch (RuntimeException | LinkageError e) {
            err.println("panrec backends: no default backend: " + e.getMessage());
            err.flush();
        }
        CpuInfo cpu = CpuInfo.current();
        if (json) {
            printJson(out, rows, chosen, forced, cpu);
        } else {
            printTable(out, rows, chosen, forced, cpu);
        }
        out.flush();
        return chosen == null ? 1 : 0;
    }

    private static void printTable(PrintWriter out, List<Row> rows, String chosen, String forced, CpuInfo cpu) {
        int width = "backend".length();
        for (Row r : rows) {
            width = Math.max(width, r.name().length());
        }
        String format = "%-2s %-" + width + "s %5s  %-9s  %s%n";
        out.printf(Locale.ROOT, format, "", "backend", "rank", "available", "description");
        String indent = " ".repeat(2 + 1 + width + 1 + 5 + 2 + 9 + 2);
        for (Row r : rows) {
            out.printf(Locale.ROOT, format, r.name().equals(chosen) ? "*" : "", r.name(), r.rank(),
                    r.available() ? "yes" : "no", r.description());
            for (String reason : r.reasons()) {
                out.println(indent + "- " + reason);
            }
        }
        if (rows.isEmpty()) {
            out.println("(no backend providers found: is panrec-core on the class path?)");
        }
        out.println();
        String why = forced.isEmpty()
                ? "the highest-ranked available one; force another with -D" + Backends.PROPERTY + "=NAME"
                : "forced by -D" + Backends.PROPERTY + "=" + forced;
        out.println("default: " + (chosen == null ? "none" : "* " + chosen) + " (" + why + ")");
        out.println("CPU:     " + cpu.modelName() + ", " + cpu.logicalCores() + " logical cores, flags "
                + (cpu.simdFlags().isEmpty() ? "(not known)" : String.join(" ", cpu.simdFlags())));
        out.println("Vector:  " + cpu.vectorNote());
        out.println("JDK:     " + Runtime.version() + " (" + System.getProperty("java.home") + ")");
    }

    private static void printJson(PrintWriter out, List<Row> rows, String chosen, String forced, CpuInfo cpu) {
        StringBuilder sb = new StringBuilder("{\"backends\":[");
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            sb.append(i == 0 ? "" : ",").append("{\"name\":").append(q(r.name())).append(",\"rank\":").append(r.rank())
                    .append(",\"available\":").append(r.available()).append(",\"default\":").append(r.name().equals(chosen))
                    .append(",\"description\":").append(q(r.description())).append(",\"reasons\":");
            strings(sb, r.reasons());
            sb.append('}');
        }
        sb.append("],\"default\":").append(chosen == null ? "null" : q(chosen))
                .append(",\"forced\":").append(forced.isEmpty() ? "null" : q(forced))
                .append(",\"cpu\":{\"model\":").append(q(cpu.modelName()))
                .append(",\"logicalCores\":").append(cpu.logicalCores()).append(",\"simdFlags\":");
        strings(sb, cpu.simdFlags());
        sb.append(",\"vectorBits\":").append(cpu.vectorBits()).append(",\"floatLanes\":").append(cpu.floatLanes())
                .append(",\"vector\":").append(q(cpu.vectorNote()))
                .append("},\"jdk\":{\"version\":").append(q(Runtime.version().toString()))
                .append(",\"home\":").append(q(System.getProperty("java.home"))).append("}}");
        out.println(sb);
    }

    // A provider is third-party code: listing must survive whatever it does.
    private static Availability availability(BackendProvider p) {
        try {
            Availability a = p.availability();
            return a != null ? a : Availability.no("availability() returned null");
        } catch (RuntimeException | LinkageError e) {
            return Availability.no("availability check threw " + e);
        }
    }

    private static String description(BackendProvider p) {
        try {
            String d = p.description();
            return d != null ? d : p.name();
        } catch (RuntimeException | LinkageError e) {
            return p.name();
        }
    }

    private static void strings(StringBuilder sb, List<String> values) {
        sb.append('[');
        for (int i = 0; i < values.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(q(values.get(i)));
        }
        sb.append(']');
    }

    /** A JSON string literal. */
    static String q(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
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
