package org.sesemi.platform.api;

import static org.sesemi.platform.api.ApiJson.F;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sesemi.http.Router;
import org.sesemi.platform.PlatformConfig;

/**
 * The information documents: {@code GET /} (OpenWhisk's system info with its limits), {@code GET /api/v1},
 * {@code GET /api/v1/namespaces} (the caller's own), {@code GET .../limits} (OpenWhisk's user limits) and the empty
 * {@code packages}, {@code triggers} and {@code rules} lists this platform has no entities for.
 */
final class InfoResource {
    private final PlatformConfig config;
    private final Throttles throttles;
    private final Access access;
    private final String build;

    InfoResource(PlatformConfig config, Throttles throttles, Access access, String build) {
        this.config = config;
        this.throttles = throttles;
        this.access = access;
        this.build = build;
    }

    void routes(Router.Builder b) {
        b.get("/", r -> ApiJson.send(200, rootInfo()));
        b.get("/api/v1", r -> ApiJson.send(200, apiInfo()));
        b.get("/api/v1/namespaces", r -> ApiJson.send(200, F.arrayNode().add(access.authenticate(r).subject().namespace())));
        b.get("/api/v1/namespaces/{ns}/limits", r -> {
            access.authorize(r, r.pathParam("ns"));
            return ApiJson.send(200, userLimits());
        });
        for (String empty : new String[] {"packages", "triggers", "rules"}) {
            b.get("/api/v1/namespaces/{ns}/" + empty, r -> {
                access.authorize(r, r.pathParam("ns"));
                return ApiJson.send(200, F.arrayNode());
            });
        }
    }

    ObjectNode rootInfo() {
        ObjectNode info = F.objectNode();
        info.put("description", "OpenWhisk");
        info.putObject("support").put("platform", "SeSeMI embedded OpenWhisk-compatible platform");
        info.putArray("api_paths").add("/api/v1");
        ObjectNode limits = info.putObject("limits");
        limits.put("actions_per_minute", throttles.perMinute());
        limits.put("triggers_per_minute", 0);
        limits.put("concurrent_actions", throttles.concurrent());
        limits.put("sequence_length", 0);
        // OpenWhisk's namespace defaults: every namespace here has the system's limits.
        limits.put("default_min_action_duration", ActionDocuments.MIN_TIMEOUT);
        limits.put("default_max_action_duration", ActionDocuments.MAX_TIMEOUT);
        limits.put("default_min_action_memory", PlatformConfig.MIN_ACTION_MEMORY_MB * 1024L * 1024L);
        limits.put("default_max_action_memory", config.maxActionMemoryMb() * 1024L * 1024L);
        limits.put("default_min_action_logs", 0);
        limits.put("default_max_action_logs", ActionDocuments.MAX_LOGS * 1024L * 1024L);
        limits.put("min_action_duration", ActionDocuments.MIN_TIMEOUT);
        limits.put("max_action_duration", ActionDocuments.MAX_TIMEOUT);
        limits.put("default_action_duration", ActionDocuments.DEFAULT_TIMEOUT);
        limits.put("min_action_memory", PlatformConfig.MIN_ACTION_MEMORY_MB * 1024L * 1024L);
        limits.put("max_action_memory", config.maxActionMemoryMb() * 1024L * 1024L);
        limits.put("default_action_memory", ActionDocuments.DEFAULT_MEMORY * 1024L * 1024L);
        limits.put("min_action_logs", 0);
        limits.put("max_action_logs", ActionDocuments.MAX_LOGS * 1024L * 1024L);
        limits.put("default_action_logs", ActionDocuments.DEFAULT_LOGS * 1024L * 1024L);
        limits.put("max_action_concurrency", config.maxActionConcurrency());
        limits.put("max_payload_bytes", config.maxPayloadBytes());
        ObjectNode blackbox = info.putObject("runtimes").putArray("blackbox").addObject();
        blackbox.put("kind", "blackbox");
        blackbox.put("default", true);
        blackbox.put("deprecated", false);
        return info;
    }

    /**
     * {@code GET .../limits}: OpenWhisk's user limits document (its {@code UserLimits} fields, with the system values
     * where a namespace has no own ones — here always): memory in MB, timeout in ms, logs in MB,
     * {@code maxParameterSize} as OpenWhisk prints a byte size. {@code maxPayloadSize} is this platform's addition:
     * the largest invoke body (OpenWhisk does not publish {@code whisk.activation.payload.max}).
     */
    ObjectNode userLimits() {
        ObjectNode limits = F.objectNode();
        limits.put("invocationsPerMinute", throttles.perMinute());
        limits.put("concurrentInvocations", throttles.concurrent());
        limits.put("firesPerMinute", 0);
        limits.put("minActionMemory", PlatformConfig.MIN_ACTION_MEMORY_MB);
        limits.put("maxActionMemory", config.maxActionMemoryMb());
        limits.put("minActionLogs", 0);
        limits.put("maxActionLogs", ActionDocuments.MAX_LOGS);
        limits.put("minActionTimeout", ActionDocuments.MIN_TIMEOUT);
        limits.put("maxActionTimeout", ActionDocuments.MAX_TIMEOUT);
        limits.put("minActionConcurrency", 1);
        limits.put("maxActionConcurrency", config.maxActionConcurrency());
        limits.put("maxParameterSize", config.maxPayloadBytes() + " B");
        limits.put("maxPayloadSize", config.maxPayloadBytes() + " B");
        return limits;
    }

    ObjectNode apiInfo() {
        ObjectNode info = F.objectNode();
        info.put("description", "OpenWhisk API");
        info.put("api_version", "1.0.0");
        info.put("api_version_path", "v1");
        info.put("build", build);
        info.put("buildno", build);
        return info;
    }
}
