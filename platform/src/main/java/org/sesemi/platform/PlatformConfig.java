package org.sesemi.platform;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Configuration of the embedded platform's controller (REST API, store, throttles). Defaults suit one machine: the
 * API listens on loopback port 3233 like OpenWhisk standalone; limits are wider than OpenWhisk's defaults where
 * SeSeMI needs it (model-serving runtimes need more than 512 MB, one SeMIRT enclave serves many concurrent
 * requests); throttles are generous because the only tenant is the machine's owner.
 *
 * @param bindAddress where the API listens (loopback by default: there is no TLS)
 * @param port TCP port, 0 for an ephemeral one
 * @param database SQLite file holding subjects, actions and activations
 * @param maxActionMemoryMb upper bound of {@code limits.memory} (lower bound 128 as in OpenWhisk)
 * @param maxActionConcurrency upper bound of {@code limits.concurrency} (lower bound 1)
 * @param maxPayloadBytes largest invoke body (parameters) accepted; larger gives 413
 * @param maxEntityBytes largest action document (PUT body) accepted; larger gives 413
 * @param invocationsPerMinute per-namespace invocations per minute before 429
 * @param concurrentInvocations per-namespace activations in flight before 429
 * @param activationRetention how many activation records are kept; the oldest are deleted first
 */
public record PlatformConfig(InetAddress bindAddress, int port, Path database, int maxActionMemoryMb, int maxActionConcurrency,
        int maxPayloadBytes, int maxEntityBytes, int invocationsPerMinute, int concurrentInvocations, int activationRetention) {
    public static final int DEFAULT_PORT = 3233;
    public static final int MIN_ACTION_MEMORY_MB = 128;

    public PlatformConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(database, "database");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (maxActionMemoryMb < MIN_ACTION_MEMORY_MB || maxActionConcurrency < 1 || maxPayloadBytes < 1 || maxEntityBytes < 1
                || invocationsPerMinute < 1 || concurrentInvocations < 1 || activationRetention < 1) {
            throw new IllegalArgumentException("platform limits must be positive (memory at least 128 MB)");
        }
    }

    /** Defaults for one machine, storing state in {@code database}. */
    public static PlatformConfig defaults(Path database) {
        return new PlatformConfig(InetAddress.getLoopbackAddress(), DEFAULT_PORT, database, 4096, 500, 1 << 20, 50 << 20, 12_000,
                500, 10_000);
    }

    /** OpenWhisk's payload limit ({@code whisk.activation.payload.max}): 1 MB. */
    public static final int OPENWHISK_PAYLOAD_BYTES = 1 << 20;

    /**
     * A stock Apache OpenWhisk's limits (its {@code application.conf} and the Helm chart's {@code whisk.limits}):
     * action memory 128..512 MB (default 256, as always here), concurrency 1, 60 invocations per minute and 30
     * concurrent per namespace, 1 MB invoke body.
     */
    public PlatformConfig withOpenWhiskLimits() {
        return withActionLimits(512, 1).withThrottles(60, 30).withMaxPayloadBytes(OPENWHISK_PAYLOAD_BYTES);
    }

    public PlatformConfig withPort(int newPort) {
        return new PlatformConfig(bindAddress, newPort, database, maxActionMemoryMb, maxActionConcurrency, maxPayloadBytes,
                maxEntityBytes, invocationsPerMinute, concurrentInvocations, activationRetention);
    }

    public PlatformConfig withBindAddress(InetAddress address) {
        return new PlatformConfig(address, port, database, maxActionMemoryMb, maxActionConcurrency, maxPayloadBytes, maxEntityBytes,
                invocationsPerMinute, concurrentInvocations, activationRetention);
    }

    public PlatformConfig withActionLimits(int maxMemoryMb, int maxConcurrency) {
        return new PlatformConfig(bindAddress, port, database, maxMemoryMb, maxConcurrency, maxPayloadBytes, maxEntityBytes,
                invocationsPerMinute, concurrentInvocations, activationRetention);
    }

    public PlatformConfig withThrottles(int perMinute, int concurrent) {
        return new PlatformConfig(bindAddress, port, database, maxActionMemoryMb, maxActionConcurrency, maxPayloadBytes,
                maxEntityBytes, perMinute, concurrent, activationRetention);
    }

    public PlatformConfig withMaxPayloadBytes(int bytes) {
        return new PlatformConfig(bindAddress, port, database, maxActionMemoryMb, maxActionConcurrency, bytes, maxEntityBytes,
                invocationsPerMinute, concurrentInvocations, activationRetention);
    }

    public PlatformConfig withActivationRetention(int records) {
        return new PlatformConfig(bindAddress, port, database, maxActionMemoryMb, maxActionConcurrency, maxPayloadBytes,
                maxEntityBytes, invocationsPerMinute, concurrentInvocations, records);
    }
}
