package org.sesemi.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An answer: status, content type, body bytes (empty: no body, no {@code Content-Length}) and extra headers. Immutable;
 * {@link #withHeader} returns a copy.
 */
public record Response(int status, String contentType, byte[] body, Map<String, String> headers) {
    public static final String JSON = "application/json";

    public Response {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("HTTP status out of range: " + status);
        }
        Objects.requireNonNull(body, "body");
        headers = Map.copyOf(headers);
    }

    public static Response json(int status, byte[] body) {
        return new Response(status, JSON, body, Map.of());
    }

    public static Response bytes(int status, String contentType, byte[] body) {
        return new Response(status, contentType, body, Map.of());
    }

    public static Response text(int status, String contentType, String body) {
        return new Response(status, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** A status without a body. */
    public static Response empty(int status) {
        return new Response(status, null, new byte[0], Map.of());
    }

    public Response withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new Response(status, contentType, body, h);
    }
}
