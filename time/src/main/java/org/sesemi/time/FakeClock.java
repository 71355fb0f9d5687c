package org.sesemi.time;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock tests move by hand: one instance is both the {@link Clock} (instants) and the {@link Ticker} (nanoseconds)
 * of the code under test, and both move together, only when the test calls {@link #advance(Duration)} or
 * {@link #set(Instant)}. Thread-safe. In main sources so that every module's tests can use it without test jars.
 */
public final class FakeClock extends Clock implements Ticker {
    /** Where a {@code new FakeClock()} starts. */
    public static final Instant DEFAULT_START = Instant.parse("2026-01-01T00:00:00Z");

    private final Instant origin;
    private final AtomicLong nanos = new AtomicLong(); // since origin; the ticker reads it as is

    public FakeClock() {
        this(DEFAULT_START);
    }

    public FakeClock(Instant start) {
        if (start == null) {
            throw new IllegalArgumentException("start instant is required");
        }
        this.origin = start;
    }

    /** Moves both the instant and the ticker forward by {@code d} (not negative: a ticker never goes back). */
    public FakeClock advance(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("a fake clock only moves forward, not by " + d);
        }
        nanos.addAndGet(d.toNanos());
        return this;
    }

    /** Sets the instant to {@code t} (not before the current one); the ticker moves by the same amount. */
    public FakeClock set(Instant t) {
        return advance(Duration.between(instant(), t));
    }

    @Override
    public long read() {
        return nanos.get();
    }

    @Override
    public Instant instant() {
        return origin.plusNanos(nanos.get());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public String toString() {
        return "FakeClock[" + instant() + "]";
    }
}
