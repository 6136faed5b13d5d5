package io.panrec.models.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The trainer's display. On a terminal, a bar redrawn in place (carriage return) at most ten times a
 * second while an epoch runs, replaced by the epoch's summary line when it ends; otherwise (output to a
 * file or pipe, where carriage returns would pile up) the summary line only.
 */
final class Progress {
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final int BAR = 30;

    private final PrintStream out;
    private final boolean interactive;
    private int epoch;
    private int epochs;
    private int batches;
    private long lastDraw;
    private int lastWidth;

    Progress(PrintStream out, boolean interactive) {
        this.out = out;
        this.interactive = interactive;
    }

    /** Whether this JVM's standard streams are a terminal. */
    static boolean terminal() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }

    void startEpoch(int epochNumber, int totalEpochs, int totalBatches) {
        this.epoch = epochNumber;
        this.epochs = totalEpochs;
        this.batches = totalBatches;
        this.lastDraw = 0;
    }

    void step(int done, double meanLoss) {
        if (!interactive || out == null) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastDraw < REDRAW_NANOS && done < batches) {
            return;
        }
        lastDraw = now;
        int filled = batches > 0 ? (int) ((long) BAR * done / batches) : BAR;
        String line = String.format(Locale.ROOT, "epoch %d/%d [%s%s] %3d%%  loss %.5f", epoch, epochs, "=".repeat(filled),
                " ".repeat(BAR - filled), batches > 0 ? 100L * done / batches : 100, meanLoss);
        draw(line);
    }

    void endEpoch(EpochRecord record) {
        if (out == null) {
            return;
        }
        if (interactive) {
            draw(record.line(epochs));
            out.print('\n');
            lastWidth = 0;
        } else {
            out.println(record.line(epochs));
        }
        out.flush();
    }

    void message(String text) {
        if (out == null) {
            return;
        }
        if (interactive && lastWidth > 0) {
            out.print('\n');
            lastWidth = 0;
        }
        out.println(text);
        out.flush();
    }

    private void draw(String line) {
        // pad to the previous width so that a shorter line erases the longer one under it
        String padded = line.length() < lastWidth ? line + " ".repeat(lastWidth - line.length()) : line;
        out.print('\r');
        out.print(padded);
        out.flush();
        lastWidth = line.length();
    }
}
