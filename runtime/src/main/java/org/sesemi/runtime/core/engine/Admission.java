package org.sesemi.runtime.core.engine;

import org.sesemi.runtime.core.RefusedException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounded concurrency with a bounded wait queue: at most {@code maxConcurrent} requests run, at most {@code maxQueue}
 * wait (each at most {@code maxWait}); anyone beyond that is refused at once with {@link RefusedException#busy busy}, so overload
 * costs a fast answer instead of memory. Thread-safe.
 */
public final class Admission {
    private final Semaphore permits;
    private final AtomicInteger waiting = new AtomicInteger();
    private final int maxQueue;
    private final Duration maxWait;

    public Admission(int maxConcurrent, int maxQueue, Duration maxWait) {
        if (maxConcurrent < 1 || maxQueue < 0) {
            throw new IllegalArgumentException("maxConcurrent >= 1 and maxQueue >= 0 required");
        }
        this.permits = new Semaphore(maxConcurrent, true);
        this.maxQueue = maxQueue;
        this.maxWait = maxWait;
    }

    /** A held permit; close exactly once to release it. */
    public interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Waits for a permit within the limits.
     *
     * @throws RefusedException (busy) when the queue is full or the wait exceeded {@code maxWait}
     */
    public Permit enter() {
        if (!permits.tryAcquire()) {
            if (waiting.incrementAndGet() > maxQueue) {
                waiting.decrementAndGet();
                throw RefusedException.busy("the runtime is busy: all " + permits.availablePermits() + "+ slots in use and the wait queue is full");
            }
            try {
                if (!permits.tryAcquire(maxWait.toNanos(), TimeUnit.NANOSECONDS)) {
                    throw RefusedException.busy("the runtime is busy: no slot became free within " + maxWait.toMillis() + " ms");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw RefusedException.busy("interrupted while waiting for a slot");
            } finally {
                waiting.decrementAndGet();
            }
        }
        return new Permit() {
            private boolean closed;

            @Override
            public synchronized void close() {
                if (!closed) {
                    closed = true;
                    permits.release();
                }
            }
        };
    }

    /** Requests waiting right now (for metrics). */
    public int waiting() {
        return waiting.get();
    }
}
