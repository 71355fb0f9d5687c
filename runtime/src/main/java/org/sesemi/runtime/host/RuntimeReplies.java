package org.sesemi.runtime.host;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.sesemi.http.Response;
import org.sesemi.protocol.envelope.Timing;
import org.sesemi.runtime.core.Outcome;

/**
 * The runtime's bodies in the action protocol's error shape: {@code {"error": message}} for the protocol's own refusals
 * (init twice, run before init, no such endpoint) and {@code {"error":{"code","reason","message"}}} for a rejection.
 * Every answer has a body and a fixed {@code Content-Length} (the HTTP layer sends a non-empty body that way):
 * OpenWhisk treats chunked or empty answers as no answer.
 */
final class RuntimeReplies {
    static final String JSON = Response.JSON;

    private RuntimeReplies() {}

    static Response error(int status, String message) {
        return Response.json(status, RuntimeServer.JSON.createObjectNode().put("error", message).toString().getBytes(StandardCharsets.UTF_8));
    }

    static Response rejection(int status, String code, String reason, String message) {
        var n = RuntimeServer.JSON.createObjectNode();
        n.putObject("error").put("code", code).put("reason", reason).put("message", message);
        return Response.json(status, n.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** A rejection of the core, answered with {@code status}. */
    static Response rejected(int status, Outcome.Rejected r) {
        return rejection(status, r.code().wire(), r.reason(), r.message());
    }

    /**
     * The sealed JSON envelope as the core wrote it, with the timing metadata as its last member when present: the two
     * are sent one after the other ({@link Timing#appendTo}), the envelope's bytes not copied.
     */
    static Response sealed(int status, byte[] envelopeJson, Optional<Timing> timing) {
        return Response.parts(status, JSON, Timing.appendTo(envelopeJson, timing));
    }
}
