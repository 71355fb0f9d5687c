package org.sesemi.packer.gateway;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;
import org.sesemi.client.platform.OpenWhiskClient.BlackboxAction;
import org.sesemi.packer.policy.Policies;
import org.sesemi.packer.policy.PolicyConfig;

/**
 * Configuration of an FnPacker gateway, made with {@link #builder()}; {@link Builder#build()} checks it.
 *
 * @param bind address to listen on (default loopback)
 * @param port port to listen on (default 0: an ephemeral one)
 * @param group name of the function group; functions are {@code fp-<group>-<i>} (required)
 * @param function the function every instance runs: image, memory, concurrency, init parameters (required)
 * @param policy {@code paper}, {@code affinity} (default) or {@code dedicated}
 * @param policyConfig the policy's view of the pool: size, capacity per instance, cache slots, queue timeout (required)
 * @param maxEnvelopeBytes largest request body accepted (default 1 MiB, a stock OpenWhisk's payload limit)
 * @param maxModels distinct model ids the gateway keeps track of at once (default 1000). Model ids come from untrusted
 *     requests, and each one costs the policy state, and under {@code dedicated} a function: beyond it the least
 *     recently used idle model is forgotten, and only if every one has requests in flight is a new one refused
 * @param authToken if present, every {@code /v1} request and {@code /metrics} must carry
 *     {@code Authorization: Bearer <token>} (else 401); {@code /health} and {@code /v1/openapi.json} stay open
 */
public record GatewayConfig(InetAddress bind, int port, String group, BlackboxAction function, String policy,
        PolicyConfig policyConfig, int maxEnvelopeBytes, int maxModels, Optional<String> authToken) {
    public static final int DEFAULT_MAX_ENVELOPE_BYTES = 1 << 20;
    public static final int DEFAULT_MAX_MODELS = 1000;

    /** Prefer {@link #builder()}: positional arguments are easy to swap. */
    public GatewayConfig {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(group, "a gateway needs a function group name");
        Objects.requireNonNull(function, "a gateway needs the function its pool runs");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(policyConfig, "a gateway needs the policy's view of the pool");
        Objects.requireNonNull(authToken, "authToken");
        if (authToken.isPresent() && (authToken.get().length() < 16 || authToken.get().chars().anyMatch(c -> c < 0x21 || c > 0x7e))) {
            throw new IllegalArgumentException("an auth token is at least 16 printable ASCII characters without spaces");
        }
        if (!group.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("a group name is 1-64 letters, digits, '-' or '_'");
        }
        if (!Policies.NAMES.contains(policy)) {
            throw new IllegalArgumentException("unknown packing policy '" + policy + "', expected one of " + Policies.NAMES);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (maxEnvelopeBytes < 1 || maxModels < 1) {
            throw new IllegalArgumentException("the envelope limit and the model limit are at least 1");
        }
    }

    /** A builder with the defaults above and no group, function or policy configuration yet. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.bind = bind;
        b.port = port;
        b.group = group;
        b.function = function;
        b.policy = policy;
        b.policyConfig = policyConfig;
        b.maxEnvelopeBytes = maxEnvelopeBytes;
        b.maxModels = maxModels;
        b.authToken = authToken;
        return b;
    }

    /** Builds a {@link GatewayConfig}; {@link #build()} checks the values. Not thread-safe. */
    public static final class Builder {
        private InetAddress bind = InetAddress.getLoopbackAddress();
        private int port;
        private String group;
        private BlackboxAction function;
        private String policy = "affinity";
        private PolicyConfig policyConfig;
        private int maxEnvelopeBytes = DEFAULT_MAX_ENVELOPE_BYTES;
        private int maxModels = DEFAULT_MAX_MODELS;
        private Optional<String> authToken = Optional.empty();

        private Builder() {}

        /** Where to listen; port 0 picks an ephemeral one. */
        public Builder bind(InetAddress address, int port) {
            this.bind = address;
            this.port = port;
            return this;
        }

        public Builder group(String v) {
            group = v;
            return this;
        }

        public Builder function(BlackboxAction v) {
            function = v;
            return this;
        }

        /** The packing policy by name ({@code paper}, {@code affinity}, {@code dedicated}) and its view of the pool. */
        public Builder policy(String name, PolicyConfig config) {
            policy = name;
            policyConfig = config;
            return this;
        }

        /** The policy's view of the pool, keeping the policy's name. */
        public Builder policyConfig(PolicyConfig v) {
            policyConfig = v;
            return this;
        }

        public Builder maxEnvelopeBytes(int v) {
            maxEnvelopeBytes = v;
            return this;
        }

        public Builder maxModels(int v) {
            maxModels = v;
            return this;
        }

        /** The bearer token callers must present; empty: none (anyone who can reach the port may call). */
        public Builder authToken(Optional<String> v) {
            authToken = v;
            return this;
        }

        /** @throws IllegalArgumentException or NullPointerException naming what is missing or out of bounds */
        public GatewayConfig build() {
            return new GatewayConfig(bind, port, group, function, policy, policyConfig, maxEnvelopeBytes, maxModels, authToken);
        }
    }
}
