package org.sesemi.runtime.core;

import java.time.Duration;
import org.sesemi.protocol.envelope.EnvelopeJson;
import org.sesemi.runtime.core.engine.EngineConfig;

/**
 * Configuration of the trusted core, made with {@link #builder()}. Defaults ({@link #defaults()}) suit a laptop.
 *
 * @param modelBudgetBytes enclave memory the model cache may charge (default 512 MiB)
 * @param chargeFactor a model is charged {@code plaintext size × chargeFactor} bytes (default 2.0: the decrypted
 *     buffer and ONNX Runtime's own copy of the weights coexist while a model loads)
 * @param maxConcurrent requests processed at once (default: available processors)
 * @param maxQueue requests allowed to wait for a slot; beyond that: busy (default 64)
 * @param maxWait longest wait for a slot or for model budget before answering busy (default 30 s)
 * @param keyCacheEntries bound of the key cache in (user, model) pairs (default 4096)
 * @param keySafetyMargin keys count as expired this long before their expiresAt (default 1 s)
 * @param maxEnvelopeBytes largest request envelope JSON accepted (default 64 MiB)
 * @param engine ONNX Runtime settings
 * @param inputLimits bounds on a request's inputs, per model ({@link InputLimitPolicy}; default: only what an envelope
 *     can carry)
 * @param timing add non-secret timing metadata to outcomes (default off; benchmarks turn it on)
 * @param payloadRefAbove the answer to a request that came by reference, or that carried the {@code answerByRef} hint,
 *     is itself stored by reference when its sealed payload exceeds this many bytes (default {@link org.sesemi.client.inference.InferenceClient#DEFAULT_PAYLOAD_REF_ABOVE},
 *     fitting a stock OpenWhisk's 1 MiB result limit)
 */
public record CoreConfig(long modelBudgetBytes, double chargeFactor, int maxConcurrent, int maxQueue, Duration maxWait,
        int keyCacheEntries, Duration keySafetyMargin, int maxEnvelopeBytes, EngineConfig engine, InputLimitPolicy inputLimits, boolean timing,
        int payloadRefAbove) {

    /** Prefer {@link #builder()}: positional arguments are easy to swap. */
    public CoreConfig {
        java.util.Objects.requireNonNull(maxWait, "maxWait");
        java.util.Objects.requireNonNull(keySafetyMargin, "keySafetyMargin");
        java.util.Objects.requireNonNull(engine, "engine");
        java.util.Objects.requireNonNull(inputLimits, "inputLimits");
        if (modelBudgetBytes < 1 || chargeFactor < 1.0 || maxConcurrent < 1 || maxQueue < 0 || keyCacheEntries < 1 || maxEnvelopeBytes < 64 || payloadRefAbove < 0) {
            throw new IllegalArgumentException("invalid core configuration: budget >= 1 byte, chargeFactor >= 1, maxConcurrent >= 1, "
                    + "maxQueue >= 0, keyCacheEntries >= 1, maxEnvelopeBytes >= 64, payloadRefAbove >= 0");
        }
    }

    /** The defaults above. */
    public static CoreConfig defaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.modelBudgetBytes = modelBudgetBytes;
        b.chargeFactor = chargeFactor;
        b.maxConcurrent = maxConcurrent;
        b.maxQueue = maxQueue;
        b.maxWait = maxWait;
        b.keyCacheEntries = keyCacheEntries;
        b.keySafetyMargin = keySafetyMargin;
        b.maxEnvelopeBytes = maxEnvelopeBytes;
        b.engine = engine;
        b.inputLimits = inputLimits;
        b.timing = timing;
        b.payloadRefAbove = payloadRefAbove;
        return b;
    }

    /** Builds a {@link CoreConfig}; {@link #build()} checks the values. Not thread-safe. */
    public static final class Builder {
        private long modelBudgetBytes = 512L << 20;
        private double chargeFactor = 2.0;
        private int maxConcurrent = Runtime.getRuntime().availableProcessors();
        private int maxQueue = 64;
        private Duration maxWait = Duration.ofSeconds(30);
        private int keyCacheEntries = 4096;
        private Duration keySafetyMargin = Duration.ofSeconds(1);
        private int maxEnvelopeBytes = EnvelopeJson.DEFAULT_MAX_BYTES;
        private EngineConfig engine = EngineConfig.defaults();
        private InputLimitPolicy inputLimits = InputLimitPolicy.standard();
        private boolean timing;
        private int payloadRefAbove = org.sesemi.client.inference.InferenceClient.DEFAULT_PAYLOAD_REF_ABOVE;

        private Builder() {}

        public Builder modelBudgetBytes(long v) {
            modelBudgetBytes = v;
            return this;
        }

        public Builder chargeFactor(double v) {
            chargeFactor = v;
            return this;
        }

        /** Requests processed at once, requests allowed to wait, and how long one waits before the answer is busy. */
        public Builder concurrency(int maxConcurrent, int maxQueue, Duration maxWait) {
            this.maxConcurrent = maxConcurrent;
            this.maxQueue = maxQueue;
            this.maxWait = maxWait;
            return this;
        }

        public Builder keyCache(int entries, Duration safetyMargin) {
            keyCacheEntries = entries;
            keySafetyMargin = safetyMargin;
            return this;
        }

        public Builder maxEnvelopeBytes(int v) {
            maxEnvelopeBytes = v;
            return this;
        }

        public Builder engine(EngineConfig v) {
            engine = v;
            return this;
        }

        public Builder inputLimits(InputLimitPolicy v) {
            inputLimits = v;
            return this;
        }

        public Builder timing(boolean v) {
            timing = v;
            return this;
        }

        public Builder payloadRefAbove(int v) {
            payloadRefAbove = v;
            return this;
        }

        /** @throws IllegalArgumentException naming the bounds when a value is out of them */
        public CoreConfig build() {
            return new CoreConfig(modelBudgetBytes, chargeFactor, maxConcurrent, maxQueue, maxWait, keyCacheEntries,
                    keySafetyMargin, maxEnvelopeBytes, engine, inputLimits, timing, payloadRefAbove);
        }
    }
}
