package org.sesemi.platform.invoker;

/**
 * A snapshot of the {@link ContainerPool} for metrics.
 *
 * @param starting action containers whose process is starting or whose {@code /init} runs
 * @param busy initialised action containers with at least one activation in flight
 * @param idle initialised action containers with nothing in flight (warm, reusable)
 * @param prewarmed stem cells ready to be taken (plus {@code prewarmStarting} still starting)
 * @param memoryInUseMb memory charged to action containers, out of {@code capacityMb}
 * @param queued activations waiting for memory in the FIFO queue
 * @param coldStarts activations that started a new container (counts since the pool started)
 * @param warmStarts activations that reused a container
 * @param prewarmStarts activations that took a stem cell
 */
public record PoolStats(int starting, int busy, int idle, int prewarmed, int prewarmStarting, int memoryInUseMb, int capacityMb,
        int queued, long coldStarts, long warmStarts, long prewarmStarts) {}
