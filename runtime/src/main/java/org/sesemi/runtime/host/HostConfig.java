package org.sesemi.runtime.host;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Configuration of the runtime's HTTP side; made with a {@link Builder} ({@link #openWhisk()}, {@link #knative()},
 * {@link #fromEnvironment}), checked when built.
 *
 * @param platform which protocol to speak
 * @param bindAddress interface to listen on (default {@code 0.0.0.0}, as platforms require)
 * @param port TCP port (default 8080; Knative: {@code $PORT}; 0 = ephemeral, for tests)
 * @param allowConcurrent OpenWhisk: accept overlapping {@code /run}s ({@code __OW_ALLOW_CONCURRENT=true}, the default);
 *     otherwise a second concurrent run gets 403 as in the reference runtimes
 * @param maxBodyBytes largest HTTP request body read (default 64 MiB + 1 MiB for the JSON around the envelope)
 */
public record HostConfig(Platform platform, String bindAddress, int port, boolean allowConcurrent, int maxBodyBytes) {
    public enum Platform { OPENWHISK, KNATIVE }

    /** The default body limit: the core's largest envelope (64 MiB) and 1 MiB for {@code {"value": ...}} and context fields. */
    public static final int DEFAULT_MAX_BODY_BYTES = 65 << 20;
    /** The smallest body limit accepted (an {@code /init} body must fit). */
    public static final int MIN_MAX_BODY_BYTES = 1024;

    public HostConfig {
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(bindAddress, "bindAddress");
        if (bindAddress.isBlank()) {
            throw new IllegalArgumentException("bind address must not be blank");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, not " + port);
        }
        if (maxBodyBytes < MIN_MAX_BODY_BYTES) {
            throw new IllegalArgumentException("maxBodyBytes must be at least " + MIN_MAX_BODY_BYTES + ", not " + maxBodyBytes);
        }
    }

    /** The OpenWhisk action protocol on {@code 0.0.0.0:8080}, concurrent runs allowed. */
    public static Builder openWhisk() {
        return new Builder(Platform.OPENWHISK);
    }

    /** Knative's single entrypoint on {@code 0.0.0.0:8080}. */
    public static Builder knative() {
        return new Builder(Platform.KNATIVE);
    }

    /** Defaults from the process environment: {@code __OW_RUNTIME_PLATFORM}, {@code PORT}, {@code __OW_ALLOW_CONCURRENT}. */
    public static Builder fromEnvironment(Map<String, String> env) {
        boolean knative = "knative".equals(env.getOrDefault("__OW_RUNTIME_PLATFORM", "").toLowerCase(Locale.ROOT));
        String port = env.getOrDefault("PORT", "8080");
        int p;
        try {
            p = Integer.parseInt(port.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("PORT must be a number 0..65535, not '" + port + "'");
        }
        return new Builder(knative ? Platform.KNATIVE : Platform.OPENWHISK).port(p)
                .allowConcurrent(!"false".equalsIgnoreCase(env.getOrDefault("__OW_ALLOW_CONCURRENT", "true")));
    }

    public Builder toBuilder() {
        return new Builder(platform).bind(bindAddress).port(port).allowConcurrent(allowConcurrent).maxBodyBytes(maxBodyBytes);
    }

    /** Collects settings; {@link #build()} checks them (port range, body limit, bind address). */
    public static final class Builder {
        private final Platform platform;
        private String bindAddress = "0.0.0.0";
        private int port = 8080;
        private boolean allowConcurrent = true;
        private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;

        private Builder(Platform platform) {
            this.platform = Objects.requireNonNull(platform, "platform");
        }

        public Builder bind(String address) {
            this.bindAddress = address;
            return this;
        }

        /** 0 = an ephemeral port (tests). */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder allowConcurrent(boolean v) {
            this.allowConcurrent = v;
            return this;
        }

        public Builder maxBodyBytes(int v) {
            this.maxBodyBytes = v;
            return this;
        }

        public HostConfig build() {
            return new HostConfig(platform, bindAddress, port, allowConcurrent, maxBodyBytes);
        }
    }
}
