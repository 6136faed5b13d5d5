package io.panrec.models.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What readers found in each file: records read, malformed lines skipped (in
 * {@linkplain ReadOptions#lenient() lenient} mode) and the first few of those problems.
 *
 * @param files one entry per file read, in reading order
 */
public record ReadReport(List<FileReport> files) {
    /** Problems kept per file: enough to see the pattern, bounded for a file of a billion bad lines. */
    public static final int KEPT_PROBLEMS = 10;

    public ReadReport {
        files = List.copyOf(files);
    }

    /**
     * One file's account.
     *
     * @param file     the file
     * @param records  records accepted (interactions, or items of a catalog)
     * @param skipped  malformed records skipped (always 0 in strict mode, which throws instead)
     * @param problems the first {@link #KEPT_PROBLEMS} problems, each "line N: what"
     */
    public record FileReport(Path file, long records, long skipped, List<String> problems) {
        public FileReport {
            problems = List.copyOf(problems);
        }

        @Override
        public String toString() {
            String s = file.getFileName() + ": " + records + " records";
            if (skipped > 0) {
                s += ", " + skipped + " malformed line" + (skipped == 1 ? "" : "s") + " skipped (" + String.join("; ", problems)
                        + (skipped > problems.size() ? "; ..." : "") + ")";
            }
            return s;
        }
    }

    /** Malformed records skipped over all files. */
    public long skipped() {
        long s = 0;
        for (FileReport f : files) {
            s += f.skipped();
        }
        return s;
    }

    /** This report followed by {@code other}'s files. */
    public ReadReport plus(ReadReport other) {
        List<FileReport> all = new ArrayList<>(files);
        all.addAll(other.files);
        return new ReadReport(all);
    }

    /** One line per file. */
    public String summary() {
        List<String> lines = new ArrayList<>();
        for (FileReport f : files) {
            lines.add(f.toString());
        }
        return String.join("\n", lines);
    }
}
