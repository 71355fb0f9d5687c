package org.sesemi.runtime.core;

import java.time.Duration;
import org.sesemi.crypto.EnvelopeJson;
import org.sesemi.runtime.core.engine.EngineConfig;

/**
 * Configuration of the trusted core. Defaults ({@link #defaults()}) suit a laptop.
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

    public CoreConfig {
        if (modelBudgetBytes < 1 || chargeFactor < 1.0 || maxConcurrent < 1 || maxQueue < 0 || keyCacheEntries < 1 || maxEnvelopeBytes < 64 || payloadRefAbove < 0) {
            throw new IllegalArgumentException("invalid core configuration: budget >= 1 byte, chargeFactor >= 1, maxConcurrent >= 1, "
                    + "maxQueue >= 0, keyCacheEntries >= 1, maxEnvelopeBytes >= 64, payloadRefAbove >= 0");
        }
    }

    public static CoreConfig defaults() {
        return new CoreConfig(512L << 20, 2.0, Runtime.getRuntime().availableProcessors(), 64, Duration.ofSeconds(30), 4096,
                Duration.ofSeconds(1), EnvelopeJson.DEFAULT_MAX_BYTES, EngineConfig.defaults(), InputLimitPolicy.standard(), false,
                org.sesemi.client.inference.InferenceClient.DEFAULT_PAYLOAD_REF_ABOVE);
    }

    public CoreConfig withModelBudgetBytes(long v) {
        return new CoreConfig(v, chargeFactor, maxConcurrent, maxQueue, maxWait, keyCacheEntries, keySafetyMargin, maxEnvelopeBytes, engine, inputLimits, timing, payloadRefAbove);
    }

    public CoreConfig withConcurrency(int maxConcurrent, int maxQueue, Duration maxWait) {
        return new CoreConfig(modelBudgetBytes, chargeFactor, maxConcurrent, maxQueue, maxWait, keyCacheEntries, keySafetyMargin, maxEnvelopeBytes, engine, inputLimits, timing, payloadRefAbove);
    }

    public CoreConfig withEngine(EngineConfig v) {
        return new CoreConfig(modelBudgetBytes, chargeFactor, maxConcurrent, maxQueue, maxWait, keyCacheEntries, keySafetyMargin, maxEnvelopeBytes, v, inputLimits, timing, payloadRefAbove);
    }

    public CoreConfig withTiming(boolean v) {
        return new CoreConfig(modelBudgetBytes, chargeFactor, maxConcurrent, maxQueue, maxWait, keyCacheEntries, keySafetyMargin, maxEnvelopeBytes, engine, inputLimits, v, payloadRefAbove);
    }


    public CoreConfig withMaxEnvelopeBytes(int v) {
        return new CoreConfig(modelBudgetBytes, chargeFactor, maxConcurrent, maxQueue, maxWait, keyCacheEntries, keySafetyMargin, v, engine, inputLimits, timing, payloadRefAbove);
    }

    public CoreConfig withPayloadRefAbove(int v) {
        return new CoreConfig(modelBudgetBytes, chargeFactor, maxConcurrent, maxQueue, maxWait, keyCacheEntries, keySafetyMargin, maxEnvelopeBytes, engine, inputLimits, timing, v);
    }

    public CoreConfig withInputLimits(InputLimitPolicy v) {
        return new CoreConfig(modelBudgetBytes, chargeFactor, maxConcurrent, maxQueue, maxWait, keyCacheEntries, keySafetyMargin, maxEnvelopeBytes, engine, v, timing, payloadRefAbove);
    }
}
