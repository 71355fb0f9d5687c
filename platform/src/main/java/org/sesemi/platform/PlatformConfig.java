package org.sesemi.platform;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Configuration of the embedded platform's controller (REST API, store, throttles), made with {@link #builder(Path)}.
 * Defaults suit one machine: the
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
        return builder(database).build();
    }

    /** OpenWhisk's payload limit ({@code whisk.activation.payload.max}): 1 MB. */
    public static final int OPENWHISK_PAYLOAD_BYTES = 1 << 20;

    /** A builder starting from the defaults, storing state in {@code database}. */
    public static Builder builder(Path database) {
        return new Builder(database);
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder(database);
        b.bindAddress = bindAddress;
        b.port = port;
        b.maxActionMemoryMb = maxActionMemoryMb;
        b.maxActionConcurrency = maxActionConcurrency;
        b.maxPayloadBytes = maxPayloadBytes;
        b.maxEntityBytes = maxEntityBytes;
        b.invocationsPerMinute = invocationsPerMinute;
        b.concurrentInvocations = concurrentInvocations;
        b.activationRetention = activationRetention;
        return b;
    }

    /** Builds a {@link PlatformConfig}; {@link #build()} checks the values. Not thread-safe. */
    public static final class Builder {
        private final Path database;
        private InetAddress bindAddress = InetAddress.getLoopbackAddress();
        private int port = DEFAULT_PORT;
        private int maxActionMemoryMb = 4096;
        private int maxActionConcurrency = 500;
        private int maxPayloadBytes = 1 << 20;
        private int maxEntityBytes = 50 << 20;
        private int invocationsPerMinute = 12_000;
        private int concurrentInvocations = 500;
        private int activationRetention = 10_000;

        private Builder(Path database) {
            this.database = Objects.requireNonNull(database, "database");
        }

        public Builder bindAddress(InetAddress v) {
            bindAddress = v;
            return this;
        }

        public Builder port(int v) {
            port = v;
            return this;
        }

        /** Upper bounds of an action's {@code limits.memory} and {@code limits.concurrency}. */
        public Builder actionLimits(int maxMemoryMb, int maxConcurrency) {
            maxActionMemoryMb = maxMemoryMb;
            maxActionConcurrency = maxConcurrency;
            return this;
        }

        /** Per-namespace invocations per minute and activations in flight before 429. */
        public Builder throttles(int perMinute, int concurrent) {
            invocationsPerMinute = perMinute;
            concurrentInvocations = concurrent;
            return this;
        }

        public Builder maxPayloadBytes(int v) {
            maxPayloadBytes = v;
            return this;
        }

        public Builder activationRetention(int v) {
            activationRetention = v;
            return this;
        }

        /**
         * A stock Apache OpenWhisk's limits (its {@code application.conf} and the Helm chart's {@code whisk.limits}):
         * action memory 128..512 MB (default 256, as always here), concurrency 1, 60 invocations per minute and 30
         * concurrent per namespace, 1 MB invoke body.
         */
        public Builder openWhiskLimits() {
            return actionLimits(512, 1).throttles(60, 30).maxPayloadBytes(OPENWHISK_PAYLOAD_BYTES);
        }

        /** @throws IllegalArgumentException when a limit is out of its bounds */
        public PlatformConfig build() {
            return new PlatformConfig(bindAddress, port, database, maxActionMemoryMb, maxActionConcurrency, maxPayloadBytes,
                    maxEntityBytes, invocationsPerMinute, concurrentInvocations, activationRetention);
        }
    }
}
