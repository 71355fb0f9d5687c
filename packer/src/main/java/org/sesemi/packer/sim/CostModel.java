package org.sesemi.packer.sim;

import java.time.Duration;
import java.util.Map;
import org.sesemi.packer.policy.PolicyConfig;

/**
 * What things cost in the simulator, made with {@link #builder()}: the truth the policies' estimates are judged against. Defaults are measured
 * on the embedded platform with the real runtime (see the package summary in {@code org.sesemi.packer}).
 *
 * <p>A request's latency is: waiting at the gateway (a queued request) + waiting at the instance (only when a
 * policy routes beyond the instance's concurrency, which the platform then queues) + container cold start (if the
 * instance had no live container) + model load (if the instance's cache does not hold the model) + execution.
 * Concurrent requests on one instance run side by side without slowing each other (the instance is assumed to have
 * a core per concurrency slot); concurrent loads of different models on one instance also overlap.
 *
 * @param coldStart container start + runtime init (TEE start, attested KeyService connection), paid by the request
 *     that finds no live container; the model load comes on top
 * @param switchCost default model load on a live container: key release + model fetch + decrypt + session creation
 * @param switchCostByModel per-model overrides of {@code switchCost}
 * @param execution default execution (inference) time
 * @param executionByModel per-model overrides of {@code execution}
 * @param executionJitter each execution is scaled by a uniform factor in [1 − jitter, 1 + jitter] from a seeded
 *     RNG (0 = exact); must be in [0, 1)
 * @param seed the jitter RNG's seed
 * @param capacity concurrent requests per instance (the action's concurrency limit)
 * @param cacheSlots models one instance's cache holds under its memory budget (LRU, 1 in the prototype)
 * @param keepAlive idle time after which the platform removes a container (OpenWhisk's default 10 minutes)
 * @param memoryMb memory per function, for GB-s
 * @param queueTimeout how long the gateway lets a queued request wait before rejecting it
 * @param hostCores cores of the machine the containers start on, 0 for "unbounded": container starts running at the
 *     same time share them, so each takes {@code coldStart × max(1, starting / hostCores)} (an approximation, fixed at
 *     the start; measured on the 2-vCPU development machine: six runtime JVMs starting together took up to 7.4 s)
 */
public record CostModel(Duration coldStart, Duration switchCost, Map<String, Duration> switchCostByModel,
        Duration execution, Map<String, Duration> executionByModel, double executionJitter, long seed, int capacity,
        int cacheSlots, Duration keepAlive, int memoryMb, Duration queueTimeout, int hostCores) {
    public static final Duration DEFAULT_COLD_START = Duration.ofMillis(1_600);
    public static final Duration DEFAULT_SWITCH = Duration.ofMillis(130);
    public static final Duration DEFAULT_EXECUTION = Duration.ofMillis(10);
    public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofMinutes(10);
    public static final int DEFAULT_MEMORY_MB = 384;

    public CostModel {
        switchCostByModel = Map.copyOf(switchCostByModel);
        executionByModel = Map.copyOf(executionByModel);
        if (!(executionJitter >= 0 && executionJitter < 1)) {
            throw new IllegalArgumentException("execution jitter must be in [0, 1)");
        }
        if (capacity < 1 || cacheSlots < 1 || memoryMb < 1 || hostCores < 0) {
            throw new IllegalArgumentException("capacity, cache slots and memory must be positive");
        }
        for (Duration d : new Duration[] {coldStart, switchCost, execution, keepAlive, queueTimeout}) {
            if (d.isNegative()) {
                throw new IllegalArgumentException("negative duration " + d);
            }
        }
        for (Duration d : switchCostByModel.values()) {
            if (d.isNegative()) {
                throw new IllegalArgumentException("negative switch cost");
            }
        }
        for (Duration d : executionByModel.values()) {
            if (d.isNegative()) {
                throw new IllegalArgumentException("negative execution time");
            }
        }
    }

    /** The calibrated defaults: MiniLM on the real runtime, prototype pool settings, exact execution times. */
    public static CostModel defaults() {
        return builder().build();
    }

    /** A builder starting from the calibrated defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this cost model. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.coldStart = coldStart;
        b.switchCost = switchCost;
        b.switchCostByModel = switchCostByModel;
        b.execution = execution;
        b.executionByModel = executionByModel;
        b.executionJitter = executionJitter;
        b.seed = seed;
        b.capacity = capacity;
        b.cacheSlots = cacheSlots;
        b.keepAlive = keepAlive;
        b.memoryMb = memoryMb;
        b.queueTimeout = queueTimeout;
        b.hostCores = hostCores;
        return b;
    }

    /** Builds a {@link CostModel}; {@link #build()} checks the values. Not thread-safe. */
    public static final class Builder {
        private Duration coldStart = DEFAULT_COLD_START;
        private Duration switchCost = DEFAULT_SWITCH;
        private Map<String, Duration> switchCostByModel = Map.of();
        private Duration execution = DEFAULT_EXECUTION;
        private Map<String, Duration> executionByModel = Map.of();
        private double executionJitter;
        private long seed = 1;
        private int capacity = 1;
        private int cacheSlots = 1;
        private Duration keepAlive = DEFAULT_KEEP_ALIVE;
        private int memoryMb = DEFAULT_MEMORY_MB;
        private Duration queueTimeout = Duration.ofSeconds(10);
        private int hostCores;

        private Builder() {}

        public Builder coldStart(Duration v) {
            coldStart = v;
            return this;
        }

        /** The default model load on a live container, and per-model overrides. */
        public Builder switchCost(Duration v, Map<String, Duration> byModel) {
            switchCost = v;
            switchCostByModel = byModel;
            return this;
        }

        /** The default execution time, and per-model overrides. */
        public Builder execution(Duration v, Map<String, Duration> byModel) {
            execution = v;
            executionByModel = byModel;
            return this;
        }

        /** Each execution scaled by a uniform factor in [1 − jitter, 1 + jitter] from an RNG seeded with {@code rngSeed}. */
        public Builder jitter(double jitter, long rngSeed) {
            executionJitter = jitter;
            seed = rngSeed;
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

        public Builder memoryMb(int v) {
            memoryMb = v;
            return this;
        }

        public Builder queueTimeout(Duration v) {
            queueTimeout = v;
            return this;
        }

        public Builder hostCores(int v) {
            hostCores = v;
            return this;
        }

        /** @throws IllegalArgumentException when a size is not positive, a duration negative or the jitter out of [0, 1) */
        public CostModel build() {
            return new CostModel(coldStart, switchCost, switchCostByModel, execution, executionByModel, executionJitter, seed,
                    capacity, cacheSlots, keepAlive, memoryMb, queueTimeout, hostCores);
        }
    }

    public long switchNanos(String model) {
        return switchCostByModel.getOrDefault(model, switchCost).toNanos();
    }

    public long executionNanos(String model) {
        return executionByModel.getOrDefault(model, execution).toNanos();
    }

    /** What a policy is told about this pool: the same capacity, cache and keep-alive, and the defaults as priors. */
    public PolicyConfig policyConfig(int poolSize) {
        return PolicyConfig.builder().poolSize(poolSize).capacity(capacity).cacheSlots(cacheSlots).keepAlive(keepAlive)
                .queueTimeout(queueTimeout).estimates(switchCost, coldStart).build();
    }
}
