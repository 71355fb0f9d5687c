package org.sesemi.keyservice.http;

import java.util.concurrent.ConcurrentHashMap;
import org.sesemi.time.Ticker;

/**
 * Token buckets per caller key: {@code ratePerSecond} sustained, {@code burst} at once. A rate of 0 disables
 * limiting. Time comes from an injected {@link Ticker} so tests decide it.
 *
 * <p>Thread-safe. The map is bounded: when it grows past {@link #MAX_KEYS}, full (idle) buckets are dropped,
 * which loses nothing since a full bucket is the state of a new one.
 */
public final class RateLimiter {
    static final int MAX_KEYS = 50_000;
    private final double ratePerNano;
    private final double burst;
    private final Ticker nanoTime;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    public RateLimiter(double ratePerSecond, int burst, Ticker nanoTime) {
        if (ratePerSecond < 0 || burst < 1) {
            throw new IllegalArgumentException("rate must be >= 0 and burst >= 1");
        }
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.nanoTime = nanoTime;
    }

    public boolean enabled() {
        return ratePerNano > 0;
    }

    /** Takes one token for {@code key}; false = over the limit. */
    public boolean tryAcquire(String key) {
        if (!enabled()) {
            return true;
        }
        if (buckets.size() > MAX_KEYS) {
            long now = nanoTime.read();
            buckets.values().removeIf(b -> b.fullAt(now));
        }
        Bucket b = buckets.computeIfAbsent(key, k -> new Bucket(burst, nanoTime.read()));
        return b.take(nanoTime.read());
    }

    /** Seconds until one token is available again (for Retry-After), at least 1. */
    public long retryAfterSeconds() {
        return Math.max(1, (long) Math.ceil(1 / (ratePerNano * 1e9)));
    }

    private final class Bucket {
        private double tokens;
        private long last;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.last = now;
        }

        synchronized boolean take(long now) {
            refill(now);
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }

        synchronized boolean fullAt(long now) {
            refill(now);
            return tokens >= burst;
        }

        private void refill(long now) {
            if (now > last) {
                tokens = Math.min(burst, tokens + (now - last) * ratePerNano);
                last = now;
            }
        }
    }
}
