package org.sesemi.time;

import java.time.Clock;

/**
 * The machine's time: the only place in main code that reads it (an ArchUnit rule in the cli module's tests says so;
 * benchmarks, which measure wall time on purpose, are the exception). Everything else gets a {@link Ticker} or a
 * {@link Clock} injected and defaults to these.
 */
public final class SystemTime {
    private static final Ticker TICKER = System::nanoTime;

    private SystemTime() {
    }

    /** Monotonic nanoseconds ({@link System#nanoTime()}). */
    public static Ticker ticker() {
        return TICKER;
    }

    /** Wall-clock instants in UTC ({@link Clock#systemUTC()}). */
    public static Clock clock() {
        return Clock.systemUTC();
    }
}
