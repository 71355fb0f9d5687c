package org.sesemi.protocol.action;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.util.Arrays;

/**
 * The body a serverless platform sends a runtime: OpenWhisk's {@code /run} body {@code {"value": envelope, ...}}, or
 * Knative's envelope itself (or the same {@code {"value": ...}} form). Read once, as a stream: only the top level is
 * looked at, every other member is skipped, and the envelope inside {@code value} is handed on as the bytes that were
 * received — not parsed into a tree and written back for the core to parse again.
 *
 * <p>Strict as the host has always been: the body is one JSON object, no member twice (at any depth), nothing after
 * it, nested at most {@link #MAX_DEPTH} levels. Problems are reported with fixed phrases, never with parser messages
 * (which can quote the body). Stateless and thread-safe.
 */
public final class RunBody {
    /**
     * Deepest JSON nesting of a body: the embedded platform accepts invoke parameters nested up to
     * {@code MAX_DEPTH - 1} levels and wraps them in {@code {"value": ...}}, so every body it can send is read here.
     */
    public static final int MAX_DEPTH = 1001;
    static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).maxNestingDepth(MAX_DEPTH).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private RunBody() {}

    /**
     * What the top level of a body holds.
     *
     * @param value where the {@code value} member's JSON lies in the body, or null when there is none
     * @param valueIsObject whether that member is a JSON object (an envelope is one)
     * @param hasInit whether the body has an {@code init} member (a Knative body asking for OpenWhisk's init)
     */
    public record TopLevel(Span value, boolean valueIsObject, boolean hasInit) {}

    /** {@code length} bytes at {@code offset} of the body. */
    public record Span(int offset, int length) {
        /** These bytes, copied out of {@code body}. */
        public byte[] copyOf(byte[] body) {
            return Arrays.copyOfRange(body, offset, offset + length);
        }
    }

    /** The body is not one JSON object; {@link #getMessage()} is a fixed phrase, safe to send back. */
    public static final class NotAnObject extends Exception {
        private static final long serialVersionUID = 1L;

        NotAnObject(String problem) {
            super(problem, null, false, false);
        }
    }

    /**
     * Reads the top level of {@code body}.
     *
     * @throws NotAnObject when it is not exactly one JSON object (message: empty, or e.g. {@code " (a duplicate field)"})
     */
    public static TopLevel read(byte[] body) throws NotAnObject {
        Span value = null;
        boolean valueIsObject = false, hasInit = false;
        try (JsonParser p = FACTORY.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new NotAnObject("");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                int start = (int) p.currentTokenLocation().getByteOffset();
                p.skipChildren();
                if (name.equals("value")) {
                    value = new Span(start, (int) p.currentLocation().getByteOffset() - start);
                    valueIsObject = t == JsonToken.START_OBJECT;
                } else if (name.equals("init")) {
                    hasInit = true;
                }
            }
            trailing(p);
        } catch (JsonProcessingException e) { // including StreamConstraintsException (nesting)
            throw problem(e);
        } catch (IOException e) {
            throw new NotAnObject(" (invalid JSON)");
        }
        return new TopLevel(value, valueIsObject, hasInit);
    }

    /** The {@code /run} body {@code {"value": envelope}} around a JSON envelope, as OpenWhisk posts it to a runtime. */
    public static byte[] wrap(byte[] envelopeJson) {
        byte[] prefix = "{\"value\":".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(prefix, prefix.length + envelopeJson.length + 1);
        System.arraycopy(envelopeJson, 0, out, prefix.length, envelopeJson.length);
        out[out.length - 1] = '}';
        return out;
    }

    /** The fixed phrase for a parser's complaint (its own message can quote the body). */
    static NotAnObject problem(JsonProcessingException e) {
        String m = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        return new NotAnObject(m.startsWith("Duplicate field") ? " (a duplicate field)"
                : m.startsWith("Document nesting depth") ? " (nested deeper than " + MAX_DEPTH + " levels)"
                : " (invalid JSON)");
    }

    static void trailing(JsonParser p) throws NotAnObject {
        boolean more;
        try {
            more = p.nextToken() != null;
        } catch (IOException e) {
            more = true;
        }
        if (more) {
            throw new NotAnObject(" (trailing content after the JSON value)");
        }
    }
}
