package org.sesemi.runtime.host;

import java.util.Locale;
import java.util.Map;

/**
 * Configuration of the runtime's HTTP side.
 *
 * @param platform which protocol to speak
 * @param bindAddress interface to listen on (default {@code 0.0.0.0}, as platforms require)
 * @param port TCP port (default 8080; Knative: {@code $PORT}; 0 = ephemeral, for tests)
 * @param allowConcurrent OpenWhisk: accept overlapping {@code /run}s ({@code __OW_ALLOW_CONCURRENT=true}); otherwise a
 *     second concurrent run gets 403 as in the reference runtimes
 * @param maxBodyBytes largest HTTP request body read (default 64 MiB + 1 MiB for the JSON around the envelope)
 */
public record HostConfig(Platform platform, String bindAddress, int port, boolean allowConcurrent, int maxBodyBytes) {
    public enum Platform { OPENWHISK, KNATIVE }

    public HostConfig {
        if (port < 0 || port > 65535 || maxBodyBytes < 1024) {
            throw new IllegalArgumentException("port 0..65535 and maxBodyBytes >= 1024 required");
        }
    }

    public static HostConfig openWhisk(int port) {
        return new HostConfig(Platform.OPENWHISK, "0.0.0.0", port, true, 65 << 20);
    }

    public static HostConfig knative(int port) {
        return new HostConfig(Platform.KNATIVE, "0.0.0.0", port, true, 65 << 20);
    }

    /** Defaults from the process environment: {@code __OW_RUNTIME_PLATFORM}, {@code PORT}, {@code __OW_ALLOW_CONCURRENT}. */
    public static HostConfig fromEnvironment(Map<String, String> env) {
        boolean knative = "knative".equals(env.getOrDefault("__OW_RUNTIME_PLATFORM", "").toLowerCase(Locale.ROOT));
        int port = Integer.parseInt(env.getOrDefault("PORT", "8080"));
        boolean concurrent = !"false".equalsIgnoreCase(env.getOrDefault("__OW_ALLOW_CONCURRENT", "true"));
        return new HostConfig(knative ? Platform.KNATIVE : Platform.OPENWHISK, "0.0.0.0", port, concurrent, 65 << 20);
    }

    public HostConfig withBind(String address) {
        return new HostConfig(platform, address, port, allowConcurrent, maxBodyBytes);
    }

    public HostConfig withAllowConcurrent(boolean v) {
        return new HostConfig(platform, bindAddress, port, v, maxBodyBytes);
    }

    public HostConfig withMaxBodyBytes(int v) {
        return new HostConfig(platform, bindAddress, port, allowConcurrent, v);
    }
}
