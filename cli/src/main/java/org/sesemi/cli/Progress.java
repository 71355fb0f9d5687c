package org.sesemi.cli;

import java.io.PrintWriter;
import java.util.function.LongConsumer;

/**
 * A one-line progress bar on stderr for long file operations; silent for small files. Redraws in place on a
 * terminal, prints a few milestones otherwise (logs stay short).
 */
final class Progress implements LongConsumer, AutoCloseable {
    static final long THRESHOLD = 4L << 20;
    private final PrintWriter err;
    private final String label;
    private final long total;
    private final boolean enabled;
    private final boolean terminal = System.console() != null;
    private int lastShown = -1;

    Progress(PrintWriter err, String label, long total) {
        this.err = err;
        this.label = label;
        this.total = total;
        this.enabled = total >= THRESHOLD;
    }

    @Override
    public void accept(long done) {
        if (!enabled) {
            return;
        }
        int pct = (int) (done * 100 / total);
        int step = terminal ? 1 : 25;
        if (pct / step == lastShown / step && lastShown >= 0) {
            return;
        }
        lastShown = pct;
        int width = 30;
        int filled = pct * width / 100;
        String bar = "[" + "#".repeat(filled) + " ".repeat(width - filled) + "]";
        String line = String.format("%s %s %3d%% %,d/%,d MB", label, bar, pct, done >> 20, total >> 20);
        if (terminal) {
            err.print("\r" + line);
        } else {
            err.println(line);
        }
        err.flush();
    }

    @Override
    public void close() {
        if (enabled && terminal) {
            err.println();
            err.flush();
        }
    }
}
