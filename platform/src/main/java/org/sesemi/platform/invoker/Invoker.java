package org.sesemi.platform.invoker;

import java.util.concurrent.CompletableFuture;

/** Runs activations in containers. Thread-safe. */
public interface Invoker extends AutoCloseable {
    /**
     * Schedules one activation (warm container, prewarm, cold start, eviction or FIFO queue, in OpenWhisk's order).
     * The future never completes exceptionally for action failures: those are outcomes with status 1–3.
     */
    CompletableFuture<ActivationOutcome> invoke(Invocation invocation);

    /** Stops accepting work, destroys every container. */
    @Override
    void close();
}
