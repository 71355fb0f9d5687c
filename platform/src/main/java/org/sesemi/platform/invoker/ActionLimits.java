package org.sesemi.platform.invoker;

/**
 * An action's limits (OpenWhisk {@code limits}): run timeout in ms (init + run), memory in MB (what the pool charges
 * and what billing counts), log size in MB, and the number of concurrent activations one container may serve.
 */
public record ActionLimits(int timeoutMs, int memoryMb, int logsMb, int concurrency) {
    public ActionLimits {
        if (timeoutMs <= 0 || memoryMb <= 0 || logsMb < 0 || concurrency <= 0) {
            throw new IllegalArgumentException("limits must be positive: " + timeoutMs + " ms, " + memoryMb + " MB, " + logsMb
                    + " MB logs, concurrency " + concurrency);
        }
    }
}
