package org.sesemi.runtime.core.keys;

import org.sesemi.runtime.core.RefusedException;
import java.time.Clock;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The policy half of {@link KeyCache}'s fetch bounds ({@link KeyFetchLimits}): remembered denials, proven pairs and
 * the unproven-fetch budget. Thread-safe (synchronized; every call is short and never blocks).
 */
final class FetchGate {
    /** The reason of a refusal for a pair over the unproven-fetch budget. */
    static final String KEY_FETCH_LIMITED = "key_fetch_limited";
    /** A remembered refusal. */
    record Denial(String reason, Instant until) {}

    private final KeyFetchLimits limits;
    private final Clock clock;
    /** Insertion order = expiry order (one TTL for all), so the oldest go first when full. */
    private final LinkedHashMap<Object, Denial> denials = new LinkedHashMap<>();
    private final LinkedHashMap<Object, Boolean> proven;
    private double tokens;
    private long lastRefillNanos;
    private int unprovenInFlight;
    private long limited, denialHits;

    FetchGate(KeyFetchLimits limits, Clock clock) {
        this.limits = limits;
        this.clock = clock;
        this.tokens = limits.unprovenBurst();
        this.lastRefillNanos = nanos();
        int cap = limits.provenPairs();
        this.proven = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Object, Boolean> eldest) {
                return size() > cap;
            }
        };
    }

    private long nanos() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** The pair's remembered denial, if still in force. */
    synchronized Denial denial(Object pair) {
        Denial d = denials.get(pair);
        if (d == null) {
            return null;
        }
        if (!clock.instant().isBefore(d.until())) {
            denials.remove(pair);
            return null;
        }
        denialHits++;
        return d;
    }

    synchronized void denied(Object pair, String reason) {
        if (limits.denialTtl().isZero()) {
            return;
        }
        Instant now = clock.instant();
        denials.remove(pair);
        for (Iterator<Denial> it = denials.values().iterator(); it.hasNext() && denials.size() >= limits.maxDenials(); ) {
            it.next();
            it.remove(); // the oldest, which expire first
        }
        denials.put(pair, new Denial(reason, now.plus(limits.denialTtl())));
    }

    synchronized void released(Object pair) {
        proven.put(pair, Boolean.TRUE);
        denials.remove(pair);
    }

    /**
     * Admits a fetch: proven pairs always; unproven ones within the budget (then {@link #done} must follow).
     *
     * @return true if this fetch counts against the unproven budget
     * @throws RefusedException ({@code unavailable}, reason {@code key_fetch_limited}) beyond the budget
     */
    synchronized boolean admit(Object pair) {
        if (proven.get(pair) != null) {
            return false;
        }
        long now = nanos();
        tokens = Math.min(limits.unprovenBurst(), tokens + (now - lastRefillNanos) / 1e9 * limits.unprovenPerSecond());
        lastRefillNanos = now;
        if (tokens < 1 || unprovenInFlight >= limits.unprovenInFlight()) {
            limited++;
            throw RefusedException.unavailable(KEY_FETCH_LIMITED, "too many key fetches for (model, user) pairs new to this runtime; retry later", null);
        }
        tokens -= 1;
        unprovenInFlight++;
        return true;
    }

    synchronized void done(boolean unproven) {
        if (unproven) {
            unprovenInFlight--;
        }
    }

    synchronized long limited() {
        return limited;
    }

    synchronized long denialHits() {
        return denialHits;
    }
}
