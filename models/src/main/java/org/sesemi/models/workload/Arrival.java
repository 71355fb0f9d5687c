package org.sesemi.models.workload;

import java.util.Comparator;

/**
 * One request of a workload.
 *
 * @param atNanos time since the start of the workload, in nanoseconds (after any time compression)
 * @param model the model the request is for
 * @param source what produced it: the trace function's id, or the synthetic stream's name
 */
public record Arrival(long atNanos, String model, String source) {
    /** Time order with a total tie-break, so equal timestamps still come out in one reproducible order. */
    public static final Comparator<Arrival> ORDER = Comparator.comparingLong(Arrival::atNanos)
            .thenComparing(Arrival::model).thenComparing(Arrival::source);

    public Arrival {
        if (atNanos < 0) {
            throw new IllegalArgumentException("negative arrival time");
        }
    }

    public double atSeconds() {
        return atNanos / 1e9;
    }
}
