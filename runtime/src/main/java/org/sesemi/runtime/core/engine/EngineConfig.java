package org.sesemi.runtime.core.engine;

/**
 * ONNX Runtime settings for every session; made with a {@link Builder} ({@link #builder()}, {@link #defaults()}),
 * checked when built.
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
            throw new IllegalArgumentException("intraOpThreads must be >= 0, not " + intraOpThreads);
        }
    }

    /** One intra-op thread, no spinning, arena and memory pattern off. */
    public static EngineConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().intraOpThreads(intraOpThreads).allowSpinning(allowSpinning).arena(cpuArena, memoryPattern);
    }

    /** Collects settings; {@link #build()} checks them. */
    public static final class Builder {
        private int intraOpThreads = 1;
        private boolean allowSpinning;
        private boolean cpuArena;
        private boolean memoryPattern;

        private Builder() {}

        /** 0 = ONNX Runtime's default (one per core). */
        public Builder intraOpThreads(int v) {
            intraOpThreads = v;
            return this;
        }

        public Builder allowSpinning(boolean v) {
            allowSpinning = v;
            return this;
        }

        public Builder arena(boolean cpuArena, boolean memoryPattern) {
            this.cpuArena = cpuArena;
            this.memoryPattern = memoryPattern;
            return this;
        }

        public EngineConfig build() {
            return new EngineConfig(intraOpThreads, allowSpinning, cpuArena, memoryPattern);
        }
    }
}
