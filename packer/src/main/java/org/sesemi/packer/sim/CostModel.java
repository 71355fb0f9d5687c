package org.sesemi.packer.sim;

import java.time.Duration;
import java.util.Map;
import org.sesemi.packer.policy.PolicyConfig;

/**
 * What things cost in the simulator: the truth the policies' estimates are judged against. Defaults are measured
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
        return new CostModel(DEFAULT_COLD_START, DEFAULT_SWITCH, Map.of(), DEFAULT_EXECUTION, Map.of(), 0.0, 1, 1, 1,
                DEFAULT_KEEP_ALIVE, DEFAULT_MEMORY_MB, Duration.ofSeconds(10), 0);
    }

    public long switchNanos(String model) {
        return switchCostByModel.getOrDefault(model, switchCost).toNanos();
    }

    public long executionNanos(String model) {
        return executionByModel.getOrDefault(model, execution).toNanos();
    }

    /** What a policy is told about this pool: the same capacity, cache and keep-alive, and the defaults as priors. */
    public PolicyConfig policyConfig(int poolSize) {
        return new PolicyConfig(poolSize, capacity, cacheSlots, keepAlive, queueTimeout, 10_000, switchCost,
                coldStart);
    }

    public CostModel withCapacity(int c) {
        return new CostModel(coldStart, switchCost, switchCostByModel, execution, executionByModel, executionJitter,
                seed, c, cacheSlots, keepAlive, memoryMb, queueTimeout, hostCores);
    }

    public CostModel withCacheSlots(int s) {
        return new CostModel(coldStart, switchCost, switchCostByModel, execution, executionByModel, executionJitter,
                seed, capacity, s, keepAlive, memoryMb, queueTimeout, hostCores);
    }

    public CostModel withJitter(double jitter, long rngSeed) {
        return new CostModel(coldStart, switchCost, switchCostByModel, execution, executionByModel, jitter, rngSeed,
                capacity, cacheSlots, keepAlive, memoryMb, queueTimeout, hostCores);
    }

    public CostModel withQueueTimeout(Duration d) {
        return new CostModel(coldStart, switchCost, switchCostByModel, execution, executionByModel, executionJitter,
                seed, capacity, cacheSlots, keepAlive, memoryMb, d, hostCores);
    }

    public CostModel withKeepAlive(Duration d) {
        return new CostModel(coldStart, switchCost, switchCostByModel, execution, executionByModel, executionJitter,
                seed, capacity, cacheSlots, d, memoryMb, queueTimeout, hostCores);
    }

    public CostModel withHostCores(int cores) {
        return new CostModel(coldStart, switchCost, switchCostByModel, execution, executionByModel, executionJitter, seed,
                capacity, cacheSlots, keepAlive, memoryMb, queueTimeout, cores);
    }

    public CostModel withMemoryMb(int mb) {
        return new CostModel(coldStart, switchCost, switchCostByModel, execution, executionByModel, executionJitter, seed,
                capacity, cacheSlots, keepAlive, mb, queueTimeout, hostCores);
    }
}
