package org.sesemi.models.workload;

import java.io.IOException;

/** A trace file that does not follow the Azure Functions 2019 format, or exceeds the configured limits. */
public final class TraceFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /** What is wrong, for callers that branch on it (messages are for people). */
    public enum Reason { EMPTY, BAD_HEADER, BAD_ROW, BAD_NUMBER, DUPLICATE_FUNCTION, TOO_LARGE }

    private final Reason reason;
    private final long line;

    TraceFormatException(Reason reason, String file, long line, String message) {
        super(file + (line > 0 ? ":" + line : "") + ": " + message);
        this.reason = reason;
        this.line = line;
    }

    public Reason reason() {
        return reason;
    }

    /** 1-based line number, 0 when the problem is not tied to a line. */
    public long line() {
        return line;
    }
}
