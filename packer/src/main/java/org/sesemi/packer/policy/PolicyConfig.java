package org.sesemi.packer.policy;

import java.time.Duration;

/**
 * What a policy knows about the pool it routes to. The estimates are the policy's priors, not the truth: the
 * simulator's {@code CostModel} (or the real platform) decides what a cold start or a model switch really costs.
 *
 * @param poolSize instances in the pool (ignored by {@code dedicated}, which has one per model)
 * @param capacity concurrent requests one instance accepts (the action's concurrency limit; SeMIRT's multi-request
 *     enclave runs them side by side)
 * @param cacheSlots models one instance's cache holds under its memory budget (1 in the prototype)
 * @param keepAlive idle time after which the platform removes a container, so its cache is gone
 * @param queueTimeout how long a queued request may wait before the caller rejects it
 * @param maxQueued queued requests beyond which new ones are rejected (bounds the gateway's memory)
 * @param switchCost estimated cost of loading a model into a warm instance
 * @param coldStart estimated cost of starting a container
 */
public record PolicyConfig(int poolSize, int capacity, int cacheSlots, Duration keepAlive, Duration queueTimeout,
        int maxQueued, Duration switchCost, Duration coldStart) {
    public PolicyConfig {
        if (poolSize < 1 || capacity < 1 || cacheSlots < 1 || maxQueued < 0) {
            throw new IllegalArgumentException("pool size, capacity and cache slots must be >= 1, max queued >= 0");
        }
        for (Duration d : new Duration[] {keepAlive, queueTimeout, switchCost, coldStart}) {
            if (d.isNegative()) {
                throw new IllegalArgumentException("negative duration " + d);
            }
        }
    }

    /** The prototype's set-up: 5 instances of concurrency 1 holding one model; the measured costs of the runtime. */
    public static PolicyConfig defaults() {
        return new PolicyConfig(5, 1, 1, Duration.ofMinutes(10), Duration.ofSeconds(10), 10_000,
                Duration.ofMillis(130), Duration.ofMillis(1_600));
    }

    public PolicyConfig withPoolSize(int n) {
        return new PolicyConfig(n, capacity, cacheSlots, keepAlive, queueTimeout, maxQueued, switchCost, coldStart);
    }

    public PolicyConfig withCapacity(int c) {
        return new PolicyConfig(poolSize, c, cacheSlots, keepAlive, queueTimeout, maxQueued, switchCost, coldStart);
    }

    public PolicyConfig withCacheSlots(int s) {
        return new PolicyConfig(poolSize, capacity, s, keepAlive, queueTimeout, maxQueued, switchCost, coldStart);
    }

    public PolicyConfig withQueueTimeout(Duration d) {
        return new PolicyConfig(poolSize, capacity, cacheSlots, keepAlive, d, maxQueued, switchCost, coldStart);
    }
}
