package org.sesemi.platform.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.sesemi.platform.PlatformConfig;
import org.sesemi.platform.invoker.ActionExec;
import org.sesemi.platform.invoker.ActionLimits;
import org.sesemi.platform.invoker.ActionSpec;
import org.sesemi.platform.store.StoredAction;

/**
 * Action documents: validating an OpenWhisk {@code WhiskActionPut} body, merging it into the stored document on
 * update, the list summary, and the {@link ActionSpec} the invoker runs. Pure functions of their inputs.
 *
 * <p>Only {@code blackbox} actions with an {@code image} run here (the image names a runtime the invoker starts as a
 * process); any other kind is refused with OpenWhisk's unsupported-runtime message.
 */
final class ActionDocuments {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final Pattern ENTITY_NAME = Pattern.compile("\\A([\\w]|[\\w][\\w@ .&-]{0,254}[\\w@.&-])\\z");
    private static final Pattern BASE64 = Pattern.compile("^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)?$");
    private static final Pattern SEMVER = Pattern.compile("(0|[1-9]\\d{0,8})\\.(0|[1-9]\\d{0,8})\\.(0|[1-9]\\d{0,8})");
    static final int DEFAULT_TIMEOUT = 60_000, MIN_TIMEOUT = 100, MAX_TIMEOUT = 300_000;
    static final int DEFAULT_MEMORY = 256, DEFAULT_LOGS = 10, MAX_LOGS = 10, DEFAULT_CONCURRENCY = 1;

    private final PlatformConfig config;

    ActionDocuments(PlatformConfig config) {
        this.config = config;
    }

    static boolean validName(String name) {
        return ENTITY_NAME.matcher(name).matches();
    }

    /** OpenWhisk decides binary-ness of code itself: non-empty, a multiple of 4 long, base64 alphabet. */
    static boolean isBinaryCode(String code) {
        String t = code.trim();
        return !t.isEmpty() && t.length() % 4 == 0 && BASE64.matcher(t).matches();
    }

    /**
     * The document to store for a PUT.
     *
     * @param entityNamespace {@code ns} or {@code ns/pkg}
     * @param existing the stored document when updating ({@code overwrite=true} and present)
     * @throws ApiException 400 for invalid content
     */
    ObjectNode put(String entityNamespace, String name, JsonNode body, Optional<ObjectNode> existing, long now) {
        if (!body.isObject()) {
            throw bad("the action must be a JSON object");
        }
        ObjectNode doc = F.objectNode();
        doc.put("namespace", entityNamespace);
        doc.put("name", name);

        JsonNode version = body.get("version");
        if (version != null && !version.isNull()) {
            if (!version.isTextual() || !SEMVER.matcher(version.asText()).matches()) {
                throw bad("'version' must be a semantic version such as 0.0.1");
            }
            doc.put("version", version.asText());
        } else {
            doc.put("version", existing.map(e -> upPatch(e.path("version").asText("0.0.0"))).orElse("0.0.1"));
        }

        JsonNode exec = body.get("exec");
        if (exec != null && !exec.isNull()) {
            doc.set("exec", exec(exec));
        } else if (existing.isPresent()) {
            doc.set("exec", existing.get().get("exec").deepCopy());
        } else {
            throw bad("'exec' must be defined");
        }

        JsonNode params = body.get("parameters");
        if (params != null && !params.isNull()) {
            ArrayNode parsed = parameters(params);
            long size = parsed.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (size > config.maxPayloadBytes()) {
                throw new ApiException(413, Messages.tooLarge("Parameters", size, config.maxPayloadBytes()));
            }
            doc.set("parameters", parsed);
        } else {
            doc.set("parameters", existing.<JsonNode>map(e -> e.path("parameters").deepCopy()).orElse(F.arrayNode()));
        }

        doc.set("limits", limits(body.get("limits"), existing.map(e -> (ObjectNode) e.get("limits"))));

        JsonNode publish = body.get("publish");
        if (publish != null && !publish.isNull() && !publish.isBoolean()) {
            throw bad("'publish' must be a boolean");
        }
        doc.put("publish", publish != null && publish.isBoolean() ? publish.booleanValue()
                : existing.map(e -> e.path("publish").asBoolean(false)).orElse(false));

        Map<String, JsonNode> annotations = new LinkedHashMap<>();
        existing.ifPresent(e -> keyValues(e.path("annotations"), "annotations").forEach(annotations::put));
        JsonNode given = body.get("annotations");
        if (given != null && !given.isNull()) {
            annotations.putAll(keyValues(given, "annotations"));
        }
        JsonNode del = body.get("delAnnotations");
        if (del != null && !del.isNull()) {
            if (!del.isArray()) {
                throw bad("'delAnnotations' must be an array of strings");
            }
            for (JsonNode k : del) {
                if (!k.isTextual()) {
                    throw bad("'delAnnotations' must be an array of strings");
                }
                annotations.remove(k.asText());
            }
        }
        if (existing.isEmpty()) {
            annotations.putIfAbsent("provide-api-key", F.booleanNode(false));
        }
        annotations.put("exec", F.textNode(doc.get("exec").get("kind").asText()));
        ArrayNode ann = doc.putArray("annotations");
        annotations.forEach((k, v) -> ann.addObject().put("key", k).set("value", v));
        doc.put("updated", now);
        return doc;
    }

    private static String upPatch(String version) {
        var m = SEMVER.matcher(version);
        if (!m.matches()) {
            return "0.0.1";
        }
        return m.group(1) + "." + m.group(2) + "." + (Long.parseLong(m.group(3)) + 1);
    }

    private static ObjectNode exec(JsonNode exec) {
        if (!exec.isObject()) {
            throw bad("'exec' must be an object");
        }
        JsonNode kind = exec.get("kind");
        if (kind == null || !kind.isTextual() || kind.asText().isEmpty()) {
            throw bad("'kind' must be a string defined in 'exec'");
        }
        if (!kind.asText().equals("blackbox")) {
            throw new ApiException(400, Messages.unsupportedRuntime(shorten(kind.asText())));
        }
        JsonNode image = exec.get("image");
        if (image == null || !image.isTextual() || image.asText().isBlank()) {
            throw bad("'image' must be a string defined in 'exec' for 'blackbox' actions");
        }
        ObjectNode out = F.objectNode();
        out.put("kind", "blackbox");
        out.put("image", image.asText());
        boolean binary = false;
        JsonNode code = exec.get("code");
        if (code != null && !code.isNull()) {
            if (!code.isTextual()) {
                throw bad("'code' must be a string");
            }
            // As OpenWhisk: a blank blackbox code means "no code" (the npm client always sends "code": "").
            if (!code.asText().isBlank()) {
                out.put("code", code.asText());
                binary = isBinaryCode(code.asText());
            }
        }
        JsonNode main = exec.get("main");
        if (main != null && !main.isNull()) {
            if (!main.isTextual()) {
                throw bad("'main' must be a string");
            }
            out.put("main", main.asText());
        }
        out.put("binary", binary);
        return out;
    }

    private static ArrayNode parameters(JsonNode params) {
        if (!params.isArray()) {
            throw bad("'parameters' must be an array of {\"key\", \"value\"} objects");
        }
        ArrayNode out = F.arrayNode();
        Set<String> seen = new LinkedHashSet<>();
        for (JsonNode p : params) {
            JsonNode key = p.get("key");
            if (!p.isObject() || key == null || !key.isTextual() || key.asText().isEmpty()) {
                throw bad("'parameters' must be an array of {\"key\", \"value\"} objects");
            }
            JsonNode init = p.get("init");
            if (init != null && !init.isNull() && !init.isBoolean()) {
                throw bad("parameter 'init' must be a boolean");
            }
            if (!seen.add(key.asText())) {
                out.remove(indexOf(out, key.asText()));
            }
            ObjectNode o = out.addObject();
            o.put("key", key.asText());
            o.set("value", p.has("value") ? p.get("value") : F.nullNode());
            if (init != null && init.asBoolean(false)) {
                o.put("init", true);
            }
        }
        return out;
    }

    private static int indexOf(ArrayNode kvs, String key) {
        for (int i = 0; i < kvs.size(); i++) {
            if (kvs.get(i).get("key").asText().equals(key)) {
                return i;
            }
        }
        return -1;
    }

    private static Map<String, JsonNode> keyValues(JsonNode array, String field) {
        if (!array.isArray()) {
            throw bad("'" + field + "' must be an array of {\"key\", \"value\"} objects");
        }
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (JsonNode kv : array) {
            JsonNode key = kv.get("key");
            if (!kv.isObject() || key == null || !key.isTextual()) {
                throw bad("'" + field + "' must be an array of {\"key\", \"value\"} objects");
            }
            out.put(key.asText(), kv.has("value") ? kv.get("value").deepCopy() : F.nullNode());
        }
        return out;
    }

    private ObjectNode limits(JsonNode given, Optional<ObjectNode> old) {
        if (given != null && !given.isNull() && !given.isObject()) {
            throw bad("'limits' must be an object");
        }
        JsonNode g = given == null ? F.objectNode() : given;
        int timeout = limit(g, "timeout", old, DEFAULT_TIMEOUT);
        int memory = limit(g, "memory", old, DEFAULT_MEMORY);
        int logs = limit(g, "logs", old, DEFAULT_LOGS);
        int concurrency = limit(g, "concurrency", old, DEFAULT_CONCURRENCY);
        if (timeout < MIN_TIMEOUT) {
            throw new ApiException(400, "duration " + timeout + " milliseconds below allowed threshold of " + MIN_TIMEOUT + " milliseconds");
        }
        if (timeout > MAX_TIMEOUT) {
            throw new ApiException(400,
                    "duration " + timeout + " milliseconds exceeds allowed threshold of " + MAX_TIMEOUT + " milliseconds");
        }
        if (memory < PlatformConfig.MIN_ACTION_MEMORY_MB) {
            throw new ApiException(400, "memory " + memory + " MB below allowed threshold of " + PlatformConfig.MIN_ACTION_MEMORY_MB + " MB");
        }
        if (memory > config.maxActionMemoryMb()) {
            throw new ApiException(400, "memory " + memory + " MB exceeds allowed threshold of " + config.maxActionMemoryMb() + " MB");
        }
        if (logs < 0) {
            throw new ApiException(400, "log size " + logs + " MB below allowed threshold of 0 MB");
        }
        if (logs > MAX_LOGS) {
            throw new ApiException(400, "log size " + logs + " MB exceeds allowed threshold of " + MAX_LOGS + " MB");
        }
        if (concurrency < 1) {
            throw new ApiException(400, "concurrency " + concurrency + " below allowed threshold of 1");
        }
        if (concurrency > config.maxActionConcurrency()) {
            throw new ApiException(400, "concurrency " + concurrency + " exceeds allowed threshold of " + config.maxActionConcurrency());
        }
        ObjectNode out = F.objectNode();
        out.put("timeout", timeout);
        out.put("memory", memory);
        out.put("logs", logs);
        out.put("concurrency", concurrency);
        return out;
    }

    private static int limit(JsonNode given, String field, Optional<ObjectNode> old, int dflt) {
        JsonNode v = given.get(field);
        if (v == null || v.isNull()) {
            return old.map(o -> o.path(field).asInt(dflt)).orElse(dflt);
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw bad("limits '" + field + "' must be an integer");
        }
        return v.intValue();
    }

    /** The list entry for an action: no code, no parameters. */
    static ObjectNode summary(ObjectNode doc) {
        ObjectNode s = F.objectNode();
        for (String f : new String[] {"namespace", "name", "version", "publish", "annotations", "limits"}) {
            s.set(f, doc.get(f));
        }
        ObjectNode exec = s.putObject("exec");
        exec.set("kind", doc.path("exec").get("kind"));
        exec.set("binary", doc.path("exec").get("binary"));
        s.set("updated", doc.get("updated"));
        return s;
    }

    /** The document without {@code exec.code} ({@code ?code=false}). */
    static ObjectNode withoutCode(ObjectNode doc) {
        ObjectNode copy = doc.deepCopy();
        ((ObjectNode) copy.get("exec")).remove("code");
        return copy;
    }

    static Optional<JsonNode> annotation(ObjectNode doc, String key) {
        for (JsonNode kv : doc.path("annotations")) {
            if (key.equals(kv.path("key").asText())) {
                return Optional.of(kv.path("value"));
            }
        }
        return Optional.empty();
    }

    /** The invoker's view of a stored action. */
    static ActionSpec spec(String ownerNamespace, String packagePrefix, StoredAction a) {
        ObjectNode doc = a.doc();
        JsonNode exec = doc.get("exec");
        ActionExec ex = new ActionExec(exec.get("kind").asText(), text(exec, "image"), text(exec, "code"), text(exec, "main"),
                exec.path("binary").asBoolean(false));
        JsonNode l = doc.get("limits");
        ActionLimits limits = new ActionLimits(l.get("timeout").asInt(), l.get("memory").asInt(), l.get("logs").asInt(),
                l.get("concurrency").asInt());
        ObjectNode initEnv = F.objectNode();
        ObjectNode defaults = F.objectNode();
        for (JsonNode p : doc.path("parameters")) {
            (p.path("init").asBoolean(false) ? initEnv : defaults).set(p.get("key").asText(), p.get("value"));
        }
        String path = ownerNamespace + "/" + packagePrefix + a.name();
        return new ActionSpec(ownerNamespace, path, a.name(), doc.get("version").asText(), a.revision(), ex, limits, initEnv, defaults);
    }

    /** Invoke parameters may not redefine parameters of a {@code final} action. */
    static void checkFinal(ObjectNode doc, ObjectNode params) {
        if (!annotation(doc, "final").map(JsonNode::asBoolean).orElse(false)) {
            return;
        }
        for (JsonNode p : doc.path("parameters")) {
            if (params.has(p.get("key").asText())) {
                throw new ApiException(400, Messages.RESERVED_PARAMETERS);
            }
        }
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asText());
    }

    private static String shorten(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }

    private static ApiException bad(String detail) {
        return new ApiException(400, Messages.malformed(detail));
    }
}
