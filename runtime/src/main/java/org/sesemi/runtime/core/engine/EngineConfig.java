package org.sesemi.runtime.core.engine;

/**
 * ONNX Runtime settings for every session.
 *
 * @param intraOpThreads threads per inference inside ONNX Runtime (0 = ONNX Runtime's default, one per core).
 *     With many concurrent requests 1 is usually best; a single large model at low concurrency gains from more.
 * @param allowSpinning let ORT worker threads spin while idle (lower latency, burns CPU in packed instances)
 * @param cpuArena ONNX Runtime's CPU memory arena (default off). The arena keeps the peak of any request reserved for
 *     the session's life: one large request left a MiniLM runtime at 4.6 GB resident. Off, memory returns to the
 *     system after each run; the cost on warm latency is measured in {@code docs/benchmarks.md}
 * @param memoryPattern ONNX Runtime's memory-pattern planning (default off): it pre-allocates one block per input
 *     shape seen, which grows with every new large shape like the arena
 */
public record EngineConfig(int intraOpThreads, boolean allowSpinning, boolean cpuArena, boolean memoryPattern) {
    public EngineConfig {
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intraOpThreads must be >= 0");
        }
    }

    /** The given threading, arena and memory pattern off. */
    public EngineConfig(int intraOpThreads, boolean allowSpinning) {
        this(intraOpThreads, allowSpinning, false, false);
    }

    public static EngineConfig defaults() {
        return new EngineConfig(1, false);
    }

    public EngineConfig withArena(boolean cpuArena, boolean memoryPattern) {
        return new EngineConfig(intraOpThreads, allowSpinning, cpuArena, memoryPattern);
    }
}
