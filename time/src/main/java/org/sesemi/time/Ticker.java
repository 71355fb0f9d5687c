package org.sesemi.time;

/**
 * A source of nanoseconds for measuring durations and deadlines (like {@link System#nanoTime()}: arbitrary origin,
 * only differences mean something). Instants (timestamps that are shown or stored) come from a
 * {@link java.time.Clock} instead. The system's ticker is {@link SystemTime#ticker()}; tests use {@link FakeClock}.
 */
@FunctionalInterface
public interface Ticker {
    /** Nanoseconds since an arbitrary, fixed origin. */
    long read();

    /** Nanoseconds elapsed since {@code start}, an earlier {@link #read()} of this ticker. */
    default long elapsedNanos(long start) {
        return read() - start;
    }

    /** Milliseconds (fractional) elapsed since {@code start}, an earlier {@link #read()} of this ticker. */
    default double elapsedMillis(long start) {
        return (read() - start) / 1e6;
    }
}
