package org.sesemi.models.workload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.stream.Stream;

/**
 * Arrivals as CSV, for tools outside the JVM and for replaying a workload later:
 * {@code at_ns,model,source}, one arrival per line, in time order.
 */
public final class ArrivalCsv {
    public static final String HEADER = "at_ns,model,source";

    private ArrivalCsv() {}

    /** Writes the header and every arrival; returns how many arrivals were written. */
    public static long write(Stream<Arrival> arrivals, Appendable out) throws IOException {
        out.append(HEADER).append('\n');
        long n = 0;
        try {
            for (Iterator<Arrival> it = arrivals.iterator(); it.hasNext(); ) {
                Arrival a = it.next();
                out.append(Long.toString(a.atNanos())).append(',').append(clean(a.model())).append(',')
                        .append(clean(a.source())).append('\n');
                n++;
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return n;
    }

    /** Model names and trace ids never contain these, but a comma or newline would break the file: refuse them. */
    private static String clean(String s) {
        if (s.indexOf(',') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("name not representable in CSV: " + s);
        }
        return s;
    }
}
