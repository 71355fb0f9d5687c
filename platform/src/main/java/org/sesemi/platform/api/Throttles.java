package org.sesemi.platform.api;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.time.Clock;

/**
 * Per-namespace invocation throttles as in OpenWhisk's controller: invocations per minute (a bucket per clock
 * minute, reset when the minute changes) and activations in flight (acquired before the invoker is asked, released
 * when the activation completes). Exceeding either gives 429 with OpenWhisk's messages. Thread-safe.
 */
public final class Throttles {
    /** One in-flight activation slot; {@link #release()} is idempotent. */
    public final class Permit {
        private final AtomicInteger inFlight;
        private boolean released;

        private Permit(AtomicInteger inFlight) {
            this.inFlight = inFlight;
        }

        public synchronized void release() {
            if (!released) {
                released = true;
                inFlight.decrementAndGet();
            }
        }
    }

    private static final class MinuteBucket {
        long minute = Long.MIN_VALUE;
        long count;
    }

    private final int perMinute;
    private final int concurrent;
    private final Clock clock;
    private final ConcurrentHashMap<String, MinuteBucket> rates = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

    public Throttles(int perMinute, int concurrent, Clock clock) {
        this.perMinute = perMinute;
        this.concurrent = concurrent;
        this.clock = clock;
    }

    public int perMinute() {
        return perMinute;
    }

    public int concurrent() {
        return concurrent;
    }

    /**
     * Counts one invocation against the rate and takes an in-flight slot.
     *
     * @throws ApiException 429 when either limit is reached
     */
    public Permit acquire(String namespace) {
        MinuteBucket bucket = rates.computeIfAbsent(namespace, n -> new MinuteBucket());
        long minute = Math.floorDiv(clock.millis(), 60_000L);
        synchronized (bucket) {
            if (bucket.minute != minute) {
                bucket.minute = minute;
                bucket.count = 0;
            }
            bucket.count++;
            if (bucket.count > perMinute) {
                throw new ApiException(429, Messages.tooManyRequests(bucket.count, perMinute));
            }
        }
        AtomicInteger flying = inFlight.computeIfAbsent(namespace, n -> new AtomicInteger());
        while (true) {
            int now = flying.get();
            if (now >= concurrent) {
                throw new ApiException(429, Messages.tooManyConcurrent(now, concurrent));
            }
            if (flying.compareAndSet(now, now + 1)) {
                return new Permit(flying);
            }
        }
    }

    /** Activations in flight for {@code namespace} (for tests and monitoring). */
    public int inFlight(String namespace) {
        AtomicInteger a = inFlight.get(namespace);
        return a == null ? 0 : a.get();
    }
}
