package org.sesemi.protocol.envelope;

import org.sesemi.crypto.CryptoException;
import org.sesemi.crypto.Envelope;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.PayloadRef;
import org.sesemi.crypto.PrincipalId;
import org.sesemi.crypto.ReferenceEnvelope;
import org.sesemi.crypto.RequestEnvelope;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Base64;

/**
 * Strict JSON codec for {@link RequestEnvelope}: exactly the four fields (and the optional boolean {@code answerByRef}),
 * each once, nothing else, standard base64 payload, and a byte limit checked before parsing.
 */
public final class EnvelopeJson {
    /** Default limit on one envelope's JSON size (64 MiB). */
    public static final int DEFAULT_MAX_BYTES = 64 << 20;
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(DEFAULT_MAX_BYTES).maxNestingDepth(8).build())
            .build();

    private EnvelopeJson() {}

    public static byte[] write(RequestEnvelope e) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(e.payload().length * 4 / 3 + 256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("model", e.model().toString());
            g.writeStringField("user", e.user().hex());
            g.writeStringField("requestId", e.requestId());
            if (e.answerByRef()) {
                g.writeBooleanField("answerByRef", true); // before the payload: the runtime's fast parser expects it there
            }
            g.writeStringField("payload", Base64.getEncoder().encodeToString(e.payload()));
            g.writeEndObject();
        } catch (IOException ex) {
            throw new IllegalStateException("in-memory JSON write failed", ex);
        }
        return out.toByteArray();
    }

    public static RequestEnvelope parse(byte[] json) {
        return parse(json, DEFAULT_MAX_BYTES);
    }

    /** The JSON form of an envelope whose payload lies in the object store: {@code "payloadRef"} instead of {@code "payload"}. */
    public static byte[] write(ReferenceEnvelope e) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("model", e.model().toString());
            g.writeStringField("user", e.user().hex());
            g.writeStringField("requestId", e.requestId());
            g.writeStringField("payloadRef", e.ref().wire());
            g.writeEndObject();
        } catch (IOException ex) {
            throw new IllegalStateException("in-memory JSON write failed", ex);
        }
        return out.toByteArray();
    }

    /** As {@link #parse(byte[], int)}, for {@link #parseAny}: an envelope with {@code "payloadRef"} is refused here. */
    public static RequestEnvelope parse(byte[] json, int maxBytes) {
        if (parseAny(json, maxBytes) instanceof RequestEnvelope e) {
            return e;
        }
        throw malformed("a payload reference where an inline payload is expected");
    }

    /**
     * Parses one envelope: exactly {@code model}, {@code user}, {@code requestId} and one of {@code payload} (inline,
     * base64) or {@code payloadRef} ({@link PayloadRef} wire form), and optionally the boolean {@code answerByRef}
     * (at most once; implied for a {@code payloadRef} envelope).
     *
     * @throws CryptoException TOO_LARGE above {@code maxBytes}; MALFORMED for anything else that is not a valid envelope
     */
    public static Envelope parseAny(byte[] json, int maxBytes) {
        if (json.length > maxBytes) {
            throw new CryptoException(CryptoException.Reason.TOO_LARGE, "envelope is " + json.length + " bytes, limit " + maxBytes);
        }
        return readFields(json, false).envelope();
    }

    /**
     * The routing fields of a JSON envelope, read without decoding (or copying) its payload: what the gateway needs to
     * pick a function. The envelope's structure is checked exactly as by {@link #parseAny} (the same fields, each once,
     * nothing else); the payload is only checked to be a string, so a payload that is not base64 is found by the
     * runtime, not here.
     *
     * @throws CryptoException TOO_LARGE above {@code maxBytes}; MALFORMED when it is not an envelope
     */
    public static Routing readRouting(byte[] json, int maxBytes) {
        if (json.length > maxBytes) {
            throw new CryptoException(CryptoException.Reason.TOO_LARGE, "envelope is " + json.length + " bytes, limit " + maxBytes);
        }
        Fields f = readFields(json, true);
        f.checkComplete();
        ModelId model = ModelId.parse(f.model);
        PrincipalId user = PrincipalId.parse(f.user);
        if (f.payloadRef != null) {
            new ReferenceEnvelope(model, user, f.requestId, PayloadRef.parse(f.payloadRef)); // the same checks as parseAny
        } else {
            new RequestEnvelope(model, user, f.requestId, new byte[RequestEnvelope.MIN_PAYLOAD]); // the request id's rules
        }
        return new Routing(model, user, f.requestId, f.payloadRef != null);
    }

    private static Fields readFields(byte[] json, boolean skipPayload) {
        Fields f = new Fields();
        f.skipPayload = skipPayload;
        try (JsonParser p = FACTORY.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw malformed("an envelope is a JSON object");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                f.accept(p, p.currentName(), p.nextToken());
                if (f.problem != null) {
                    throw malformed(f.problem);
                }
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw malformed("trailing content after the envelope object");
            }
        } catch (IOException ex) {
            throw malformed("invalid JSON: " + ex.getClass().getSimpleName());
        }
        return f;
    }

    /**
     * An envelope's routing fields.
     *
     * @param byReference its payload lies in the object store ({@code payloadRef})
     */
    public record Routing(ModelId model, PrincipalId user, String requestId, boolean byReference) {}

    /**
     * An envelope's members as they are read, one at a time; the first problem is kept (not thrown), so that a reader of
     * a larger answer ({@link RuntimeAnswer}) can still tell an error object from a bad envelope.
     */
    static final class Fields {
        private String model, user, requestId, payload, payloadRef;
        private Boolean answerByRef;
        private boolean any;
        boolean skipPayload;
        String problem;

        /** Reads the value of member {@code name}, whose first token {@code v} the parser is at. */
        void accept(JsonParser p, String name, JsonToken v) throws IOException {
            any = true;
            if (name.equals("answerByRef")) {
                if (v != JsonToken.VALUE_TRUE && v != JsonToken.VALUE_FALSE) {
                    problem("field 'answerByRef' must be true or false");
                } else if (answerByRef != null) {
                    problem("field 'answerByRef' appears twice");
                } else {
                    answerByRef = v == JsonToken.VALUE_TRUE;
                }
                return;
            }
            if (v != JsonToken.VALUE_STRING) {
                problem("field '" + safe(name) + "' must be a string");
                p.skipChildren();
                return;
            }
            switch (name) {
                case "model" -> model = once(model, p.getText(), name);
                case "user" -> user = once(user, p.getText(), name);
                case "requestId" -> requestId = once(requestId, p.getText(), name);
                case "payload" -> payload = once(payload, skipPayload ? "" : p.getText(), name);
                case "payloadRef" -> payloadRef = once(payloadRef, p.getText(), name);
                default -> problem("unknown field '" + safe(name) + "'");
            }
        }

        boolean isEmpty() {
            return !any;
        }

        private void problem(String p) {
            if (problem == null) {
                problem = p;
            }
        }

        private String once(String previous, String value, String name) {
            if (previous != null) {
                problem("field '" + name + "' appears twice");
                return previous;
            }
            return value;
        }

        void checkComplete() {
            if (problem != null) {
                throw malformed(problem);
            }
            if (model == null || user == null || requestId == null || (payload == null) == (payloadRef == null)) {
                throw malformed("an envelope needs the fields model, user, requestId and payload (or payloadRef instead of payload)");
            }
        }

        /** The envelope these members make, checked as {@link #parseAny} checks it. */
        Envelope envelope() {
            checkComplete();
            if (payloadRef != null) { // answerByRef is implied: the answer to a referenced request may always go by reference
                return new ReferenceEnvelope(ModelId.parse(model), PrincipalId.parse(user), requestId, PayloadRef.parse(payloadRef));
            }
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(payload);
            } catch (IllegalArgumentException ex) {
                throw malformed("payload is not standard base64");
            }
            return new RequestEnvelope(ModelId.parse(model), PrincipalId.parse(user), requestId, bytes, Boolean.TRUE.equals(answerByRef));
        }
    }

    private static String safe(String name) {
        String s = name.length() > 40 ? name.substring(0, 40) + "..." : name;
        return s.replaceAll("[^A-Za-z0-9_.-]", "?");
    }

    static CryptoException malformed(String msg) {
        return new CryptoException(CryptoException.Reason.MALFORMED, "malformed envelope: " + msg);
    }
}
