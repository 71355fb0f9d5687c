package org.sesemi.runtime.core.engine;

/**
 * ONNX Runtime settings for every session.
 *
 * @param intraOpThreads threads per inference inside ONNX Runtime (0 = ONNX Runtime's default, one per core).
 *     With many concurrent requests 1 is usually best; a single large model at low concurrency gains from more.
 * @param allowSpinning let ORT worker threads spin while idle (lower latency, burns CPU in packed instances)
 */
public record EngineConfig(int intraOpThreads, boolean allowSpinning) {
    public EngineConfig {
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intraOpThreads must be >= 0");
        }
    }

    public static EngineConfig defaults() {
        return new EngineConfig(1, false);
    }
}
