package org.sesemi.packer.policy;

import java.time.Duration;

/**
 * What a policy knows about the pool it routes to, made with {@link #builder()}. The estimates are the policy's priors, not the truth: the
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
        java.util.Objects.requireNonNull(keepAlive, "keepAlive");
        java.util.Objects.requireNonNull(queueTimeout, "queueTimeout");
        java.util.Objects.requireNonNull(switchCost, "switchCost");
        java.util.Objects.requireNonNull(coldStart, "coldStart");
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
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder().poolSize(poolSize).capacity(capacity).cacheSlots(cacheSlots).keepAlive(keepAlive)
                .queueTimeout(queueTimeout).maxQueued(maxQueued).estimates(switchCost, coldStart);
    }

    /** Builds a {@link PolicyConfig}; {@link #build()} checks the values. Not thread-safe. */
    public static final class Builder {
        private int poolSize = 5;
        private int capacity = 1;
        private int cacheSlots = 1;
        private Duration keepAlive = Duration.ofMinutes(10);
        private Duration queueTimeout = Duration.ofSeconds(10);
        private int maxQueued = 10_000;
        private Duration switchCost = Duration.ofMillis(130);
        private Duration coldStart = Duration.ofMillis(1_600);

        private Builder() {}

        public Builder poolSize(int v) {
            poolSize = v;
            return this;
        }

        public Builder capacity(int v) {
            capacity = v;
            return this;
        }

        public Builder cacheSlots(int v) {
            cacheSlots = v;
            return this;
        }

        public Builder keepAlive(Duration v) {
            keepAlive = v;
            return this;
        }

        public Builder queueTimeout(Duration v) {
            queueTimeout = v;
            return this;
        }

        public Builder maxQueued(int v) {
            maxQueued = v;
            return this;
        }

        /** The policy's priors: what loading a model into a warm instance and starting a container cost. */
        public Builder estimates(Duration switchCost, Duration coldStart) {
            this.switchCost = switchCost;
            this.coldStart = coldStart;
            return this;
        }

        /** @throws IllegalArgumentException when a size is below 1 (queue: 0) or a duration negative */
        public PolicyConfig build() {
            return new PolicyConfig(poolSize, capacity, cacheSlots, keepAlive, queueTimeout, maxQueued, switchCost, coldStart);
        }
    }
}
