package org.sesemi.protocol.envelope;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Non-secret timing of one request, in milliseconds (0 when a phase did not run, e.g. on a warm request). On the wire it
 * is the {@code timing} member a runtime adds next to the fields of a JSON response envelope (read back by
 * {@link RuntimeAnswer}), or the {@code Sesemi-Timing} header next to a binary one.
 *
 * @param cold true if this request fetched keys or loaded the model
 */
public record Timing(boolean cold, double keyFetchMs, double modelFetchMs, double decryptMs, double sessionMs, double inferenceMs,
        double totalMs) {

    /** The JSON object: {@code {"cold":…,"keyFetchMs":…,…,"totalMs":…}} (the {@code Sesemi-Timing} header's value). */
    public String json() {
        return String.format(Locale.ROOT,
                "{\"cold\":%b,\"keyFetchMs\":%.3f,\"modelFetchMs\":%.3f,\"decryptMs\":%.3f,\"sessionMs\":%.3f,\"inferenceMs\":%.3f,\"totalMs\":%.3f}",
                cold, keyFetchMs, modelFetchMs, decryptMs, sessionMs, inferenceMs, totalMs);
    }

    /**
     * A JSON response envelope with {@code timing} added as its last member, as the parts to send one after the other:
     * the envelope's bytes up to its closing brace (a view, not a copy: the sealed payload is not copied again), then
     * {@code ,"timing":{…}}}. Without a timing, the envelope alone.
     *
     * @param envelopeJson a JSON envelope as the protocol writes it (ending in its closing brace)
     */
    public static List<ByteBuffer> appendTo(byte[] envelopeJson, Optional<Timing> timing) {
        if (timing.isEmpty()) {
            return List.of(ByteBuffer.wrap(envelopeJson));
        }
        if (envelopeJson.length == 0 || envelopeJson[envelopeJson.length - 1] != '}') {
            throw new IllegalArgumentException("not a JSON envelope as the protocol writes it");
        }
        byte[] tail = (",\"timing\":" + timing.get().json() + "}").getBytes(StandardCharsets.US_ASCII);
        return List.of(ByteBuffer.wrap(envelopeJson, 0, envelopeJson.length - 1), ByteBuffer.wrap(tail));
    }
}
