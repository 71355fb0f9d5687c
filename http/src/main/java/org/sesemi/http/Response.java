package org.sesemi.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An answer: status, content type, body and extra headers. The body is a list of consecutive parts, written one after
 * the other without joining them (a slice of a larger buffer, or a sealed answer followed by its metadata): a server
 * that passes bytes on does not copy them into one array first. No parts, or only empty ones: no body, no
 * {@code Content-Length}. The parts are views of the caller's bytes (own positions, same content: not copied), so the
 * caller must not change those bytes until the answer is sent; {@link #withHeader} returns a copy.
 */
public record Response(int status, String contentType, List<ByteBuffer> bodyParts, Map<String, String> headers) {
    public static final String JSON = "application/json";

    public Response {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("HTTP status out of range: " + status);
        }
        Objects.requireNonNull(bodyParts, "bodyParts");
        bodyParts = bodyParts.stream().map(b -> Objects.requireNonNull(b, "body part").duplicate()).toList();
        headers = Map.copyOf(headers);
    }

    /** An answer with a body of one array. */
    public Response(int status, String contentType, byte[] body, Map<String, String> headers) {
        this(status, contentType, List.of(ByteBuffer.wrap(Objects.requireNonNull(body, "body"))), headers);
    }

    public static Response json(int status, byte[] body) {
        return new Response(status, JSON, body, Map.of());
    }

    public static Response bytes(int status, String contentType, byte[] body) {
        return new Response(status, contentType, body, Map.of());
    }

    /** An answer whose body is {@code parts}, consecutive, as they are (their remaining bytes; not copied). */
    public static Response parts(int status, String contentType, List<ByteBuffer> parts) {
        return new Response(status, contentType, parts, Map.of());
    }

    public static Response text(int status, String contentType, String body) {
        return new Response(status, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** A status without a body. */
    public static Response empty(int status) {
        return new Response(status, null, List.of(), Map.of());
    }

    /** The body's length in bytes (the parts' remaining bytes). */
    public long bodyLength() {
        long n = 0;
        for (ByteBuffer b : bodyParts) {
            n += b.remaining();
        }
        return n;
    }

    /** The body as one array (a copy of the parts). */
    public byte[] body() {
        byte[] out = new byte[Math.toIntExact(bodyLength())];
        int pos = 0;
        for (ByteBuffer b : bodyParts) {
            int n = b.remaining();
            b.duplicate().get(out, pos, n);
            pos += n;
        }
        return out;
    }

    public Response withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new Response(status, contentType, bodyParts, h);
    }
}
