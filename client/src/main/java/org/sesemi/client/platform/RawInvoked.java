package org.sesemi.client.platform;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The answer to an invoke, as received: for a forwarder (the FnPacker gateway) that passes an activation's result on
 * without parsing it into a tree and writing it again. The activation record is read once, as a stream; only its
 * top-level {@code activationId} and {@code duration} and {@code response.success} are decoded, and where
 * {@code response.result} lies in the body is noted (its strings are skipped, not decoded).
 *
 * @param status HTTP status
 * @param activationId from the body or the {@code x-openwhisk-activation-id} header
 * @param body the body as received (not copied; do not modify)
 * @param completed the body is a completed activation record (it has {@code response})
 * @param success {@code response.success}
 * @param durationMs the record's {@code duration}, or -1
 * @param resultOffset where {@code response.result}'s JSON starts in {@code body} (-1 when there is none)
 * @param resultLength its length in bytes
 * @param resultIsError the result is an object with a top-level {@code error} member
 */
public record RawInvoked(int status, String activationId, byte[] body, boolean completed, boolean success, long durationMs,
        int resultOffset, int resultLength, boolean resultIsError) {

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).maxNestingDepth(1100).build())
            .build();

    /**
     * Reads a 2xx answer (or an OpenWhisk 502/500 around a failed activation's record) to a blocking invoke.
     *
     * @param headerActivationId the {@code x-openwhisk-activation-id} header, used when the body has no id
     */
    public static RawInvoked of(int status, java.util.Optional<String> headerActivationId, byte[] body) {
        return of(status, headerActivationId, body, summarize(body));
    }

    static RawInvoked of(int status, java.util.Optional<String> headerActivationId, byte[] body, Summary s) {
        String id = s.activationId() != null ? s.activationId() : headerActivationId.orElse("");
        return new RawInvoked(status, id, body, s.completed(), s.success(), s.durationMs(), s.resultOffset(), s.resultLength(), s.resultIsError());
    }

    /** {@code response.result}'s bytes, a view of {@link #body} (not a copy). */
    public ByteBuffer result() {
        if (resultOffset < 0) {
            throw new IllegalStateException("activation " + activationId + " has no result (HTTP " + status + ")");
        }
        return ByteBuffer.wrap(body, resultOffset, resultLength);
    }

    /** What the summary of an activation record holds, before the status and id are known. */
    record Summary(String activationId, String error, String code, String resultError, boolean completed, boolean success,
            long durationMs, int resultOffset, int resultLength, boolean resultIsError) {}

    /** Reads the record's summary; a body that is not a JSON object gives an empty summary with {@code error} set. */
    static Summary summarize(byte[] body) {
        String activationId = null, error = null, code = null, resultError = null;
        boolean completed = false, success = false, resultIsError = false;
        long duration = -1;
        int off = -1, len = 0;
        if (body.length == 0) {
            return new Summary(null, null, null, null, false, false, -1, -1, 0, false);
        }
        try (JsonParser p = FACTORY.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return notJson();
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    case "activationId" -> activationId = t.isScalarValue() ? p.getValueAsString() : null;
                    case "duration" -> duration = t.isNumeric() ? p.getLongValue() : -1;
                    case "error" -> error = t == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "code" -> code = t.isScalarValue() ? p.getValueAsString() : null;
                    case "response" -> {
                        if (t != JsonToken.START_OBJECT) {
                            break;
                        }
                        completed = true;
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String k = p.currentName();
                            JsonToken v = p.nextToken();
                            if (k.equals("success")) {
                                success = v == JsonToken.VALUE_TRUE;
                            } else if (k.equals("result")) {
                                off = (int) p.currentTokenLocation().getByteOffset();
                                if (v == JsonToken.START_OBJECT) {
                                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                                        String r = p.currentName();
                                        JsonToken rv = p.nextToken();
                                        if (r.equals("error")) {
                                            resultIsError = true;
                                            resultError = rv == JsonToken.VALUE_STRING ? p.getText() : null;
                                        }
                                        p.skipChildren();
                                    }
                                }
                                p.finishToken(); // a scalar result: read to its end, so that the location is past it
                                len = (int) p.currentLocation().getByteOffset() - off;
                                continue;
                            }
                            p.skipChildren();
                        }
                    }
                    default -> { }
                }
                p.skipChildren();
            }
        } catch (IOException e) {
            return notJson();
        }
        return new Summary(activationId, error, code, resultError, completed, success, duration, off, len, resultIsError);
    }

    private static Summary notJson() {
        return new Summary(null, "the server answered with a body that is not JSON", null, null, false, false, -1, -1, 0, false);
    }
}
