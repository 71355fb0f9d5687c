package org.sesemi.platform.invoker;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.sesemi.platform.api.PlatformApi;

/**
 * The client side of the OpenWhisk action protocol (OpenWhisk's {@code Container}): writes the {@code /init} and
 * {@code /run} bodies of an {@link Invocation}, sends them to a container and maps each answer to a {@link ProxyReply}
 * (reference §1.3, §1.5). Stateless and thread-safe.
 */
final class ActionProxy {
    /**
     * Writes the bodies: the parameters (nested at most {@link PlatformApi#MAX_JSON_DEPTH} levels, checked at the API)
     * wrapped in {@code {"value": ...}}, one level more than Jackson's default write limit. Without this a request nested
     * as deep as the API accepts failed to serialize, looked like a failed container and cost it.
     */
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(PlatformApi.MAX_JSON_DEPTH + 1).build())
            .build());
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final int maxResultBytes;

    ActionProxy(int maxResultBytes) {
        this.maxResultBytes = maxResultBytes;
    }

    /** Sends {@code /init}; {@code timeoutMs} is the action's time limit. */
    ProxyReply init(ProcessContainer container, Invocation inv, long deadline, int timeoutMs) throws InterruptedException {
        Exchange x = post(container, "/init", initBody(inv, deadline), timeoutMs);
        if (x.timedOut) {
            return new ProxyReply.Timeout(error("The action exceeded its time limits of " + timeoutMs
                    + " milliseconds during initialization."));
        }
        if (x.response == null || x.response.contentLength().isEmpty()) {
            return new ProxyReply.ConnectionFailure(status(x), error("The action did not initialize and exited unexpectedly."));
        }
        if (x.response.status() == 200) {
            return new ProxyReply.Success(null);
        }
        JsonNode body = parse(x.response.body());
        if (body != null && body.isObject() && body.has("error")) {
            return new ProxyReply.DeveloperError(x.response.status(), NODES.objectNode().set("error", body.get("error")));
        }
        return new ProxyReply.DeveloperError(x.response.status(),
                error("The action failed during initialization: " + text(x.response.body())));
    }

    /**
     * Sends {@code /run} with {@code remainingMs} to answer; {@code timeoutMs} is the action's time limit (for the
     * message).
     */
    ProxyReply run(ProcessContainer container, Invocation inv, long deadline, int remainingMs, int timeoutMs)
            throws InterruptedException {
        Exchange x = remainingMs <= 0 ? Exchange.TIMEOUT : post(container, "/run", runBody(inv, deadline), remainingMs);
        if (x.timedOut) {
            return new ProxyReply.Timeout(error("The action exceeded its time limits of " + timeoutMs + " milliseconds."));
        }
        ProcessContainer.Response response = x.response;
        if (response == null || response.contentLength().isEmpty()) {
            return new ProxyReply.ConnectionFailure(status(x),
                    error("The action did not produce a valid response and exited unexpectedly."));
        }
        long declared = response.contentLength().getAsLong();
        if (declared > maxResultBytes) {
            return new ProxyReply.ApplicationError(error("The action produced a response that exceeded the allowed length: "
                    + declared + " > " + maxResultBytes + " bytes. The truncated response was: " + text(response.body())));
        }
        JsonNode body = parse(response.body());
        if (response.status() == 200 && body != null && body.isObject()) {
            return body.has("error")
                    ? new ProxyReply.ApplicationError(NODES.objectNode().set("error", body.get("error")))
                    : new ProxyReply.Success(body);
        }
        if (response.status() == 200 && body != null && body.isArray()) {
            return new ProxyReply.Success(body);
        }
        if (response.status() != 200 && body != null && body.isObject() && body.has("error")) {
            return new ProxyReply.DeveloperError(response.status(), NODES.objectNode().set("error", body.get("error")));
        }
        return new ProxyReply.DeveloperError(response.status(),
                error("The action did not produce a valid JSON or JSON Array response: " + text(response.body())));
    }

    /** One HTTP exchange: an answer, or a timeout, or (both null/false) a failed connection. */
    private record Exchange(ProcessContainer.Response response, boolean timedOut) {
        static final Exchange TIMEOUT = new Exchange(null, true);
    }

    private static int status(Exchange x) {
        return x.response == null ? 0 : x.response.status();
    }

    private Exchange post(ProcessContainer container, String path, ObjectNode body, int timeoutMs) throws InterruptedException {
        try {
            byte[] bytes = JSON.writeValueAsBytes(body);
            return new Exchange(container.post(path, bytes, Duration.ofMillis(timeoutMs), maxResultBytes), false);
        } catch (TimeoutException e) {
            return Exchange.TIMEOUT;
        } catch (IOException e) {
            return new Exchange(null, false);
        }
    }

    static ObjectNode initBody(Invocation inv, long deadline) {
        ActionSpec action = inv.action();
        ObjectNode value = NODES.objectNode();
        value.put("name", action.name());
        value.put("main", action.exec().main().orElse("main"));
        action.exec().code().ifPresent(code -> value.put("code", code));
        value.put("binary", action.exec().binary());
        ObjectNode env = NODES.objectNode();
        // As OpenWhisk's partitionArguments: an invocation's parameter named like an init parameter replaces its value
        // here (the merged parameters' init keys go to /init), and is not passed to /run.
        action.initEnv().properties().forEach(e -> env.put(e.getKey(),
                stringify(inv.params().has(e.getKey()) ? inv.params().get(e.getKey()) : e.getValue())));
        inv.apiKey().ifPresent(key -> env.put("__OW_API_KEY", key));
        env.put("__OW_NAMESPACE", inv.invocationNamespace());
        env.put("__OW_ACTION_NAME", "/" + action.path());
        env.put("__OW_ACTION_VERSION", action.version());
        env.put("__OW_ACTIVATION_ID", inv.activationId());
        env.put("__OW_TRANSACTION_ID", inv.transactionId());
        env.put("__OW_DEADLINE", Long.toString(deadline));
        value.set("env", env);
        ObjectNode body = NODES.objectNode();
        body.set("value", value);
        return body;
    }

    static ObjectNode runBody(Invocation inv, long deadline) {
        ActionSpec action = inv.action();
        ObjectNode value = action.defaultParams().deepCopy();
        value.setAll(inv.params());
        action.initEnv().properties().forEach(e -> value.remove(e.getKey())); // init parameters go to /init only
        ObjectNode body = NODES.objectNode();
        body.set("value", value);
        body.put("namespace", inv.invocationNamespace());
        body.put("action_name", "/" + action.path());
        body.put("action_version", action.version());
        body.put("activation_id", inv.activationId());
        body.put("transaction_id", inv.transactionId());
        body.put("deadline", Long.toString(deadline));
        inv.apiKey().ifPresent(key -> body.put("api_key", key));
        return body;
    }

    private static String stringify(JsonNode value) {
        if (value == null || value.isNull()) {
            return "";
        }
        return value.isTextual() ? value.asText() : value.toString();
    }

    private static JsonNode parse(byte[] body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private static String text(byte[] body) {
        return new String(body, StandardCharsets.UTF_8);
    }

    static ObjectNode error(String message) {
        return NODES.objectNode().put("error", message);
    }
}
