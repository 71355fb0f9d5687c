package org.sesemi.protocol.action;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The OpenWhisk action protocol's {@code /init} body, {@code {"value": {"env": {"NAME": "value", ...}, ...}}}: a
 * runtime's settings. Read as strictly as {@link RunBody} (one JSON object, no member twice, nothing after it).
 * Stateless and thread-safe.
 */
public final class InitBody {
    private static final ObjectMapper JSON = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder().maxNestingDepth(RunBody.MAX_DEPTH).build())
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build());

    private InitBody() {}

    /**
     * The members of {@code value.env}: a string as itself, {@code null} as "", any other JSON value as its JSON text;
     * empty when there is no such object.
     *
     * @throws RunBody.NotAnObject when the body is not exactly one JSON object (message: a fixed phrase)
     */
    public static Map<String, String> env(byte[] body) throws RunBody.NotAnObject {
        JsonNode n;
        try (JsonParser p = JSON.createParser(body)) {
            n = JSON.readTree(p);
            if (n == null || !n.isObject()) {
                throw new RunBody.NotAnObject("");
            }
            RunBody.trailing(p);
        } catch (JsonProcessingException e) {
            throw RunBody.problem(e);
        } catch (IOException e) {
            throw new RunBody.NotAnObject(" (invalid JSON)");
        }
        Map<String, String> env = new LinkedHashMap<>();
        JsonNode e = n.path("value").path("env");
        if (e.isObject()) {
            e.properties().forEach(m -> env.put(m.getKey(),
                    m.getValue().isTextual() ? m.getValue().asText() : m.getValue().isNull() ? "" : m.getValue().toString()));
        }
        return env;
    }
}
