package org.sesemi.protocol.envelope;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.sesemi.protocol.envelope.RuntimeAnswer.Accepted;
import org.sesemi.protocol.envelope.RuntimeAnswer.NotJson;
import org.sesemi.protocol.envelope.RuntimeAnswer.Rejected;
import org.sesemi.protocol.envelope.RuntimeAnswer.Sealed;

/** {@link RuntimeAnswer#read}: one streaming pass over the answer. */
final class RuntimeAnswerReader {
    private RuntimeAnswerReader() {}

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).maxNestingDepth(1000).build())
            .build();

    static RuntimeAnswer read(byte[] body) {
        EnvelopeJson.Fields f = new EnvelopeJson.Fields();
        Map<String, Double> timing = null;
        String code = null, reason = null, message = null, activationId = null;
        boolean error = false, errorObject = false;
        try (JsonParser p = FACTORY.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return new NotJson("is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    case "error" -> {
                        error = true;
                        if (t == JsonToken.START_OBJECT) {
                            errorObject = true;
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                String k = p.currentName();
                                JsonToken v = p.nextToken();
                                String s = v.isScalarValue() ? p.getValueAsString() : null;
                                p.skipChildren();
                                switch (k) {
                                    case "code" -> code = s;
                                    case "reason" -> reason = s;
                                    case "message" -> message = s;
                                    default -> { }
                                }
                            }
                        } else {
                            message = t.isScalarValue() ? p.getValueAsString() : null;
                            p.skipChildren();
                        }
                    }
                    case "activationId" -> {
                        activationId = t.isScalarValue() ? p.getValueAsString() : null;
                        p.skipChildren();
                    }
                    case "timing" -> {
                        if (t == JsonToken.START_OBJECT) {
                            timing = new LinkedHashMap<>();
                            readTiming(p, timing);
                        } else {
                            p.skipChildren();
                        }
                    }
                    default -> f.accept(p, name, t);
                }
            }
            // Whatever follows the object is not looked at (as the clients always did).
        } catch (IOException e) {
            return new NotJson("is not JSON");
        }
        if (error) {
            return errorObject ? new Rejected(code == null ? "error" : code, reason == null ? "" : reason, message == null ? "" : message)
                    : new Rejected("error", "error", message == null ? "" : message);
        }
        if (activationId != null && f.isEmpty()) {
            return new Accepted(activationId);
        }
        return new Sealed(f.envelope(), Optional.ofNullable(timing));
    }

    static Map<String, Double> timingHeader(String json) {
        try (JsonParser p = FACTORY.createParser(json)) {
            Map<String, Double> m = new LinkedHashMap<>();
            if (p.nextToken() == JsonToken.START_OBJECT) {
                readTiming(p, m);
            }
            return m;
        } catch (IOException e) {
            return Map.of();
        }
    }

    private static void readTiming(JsonParser p, Map<String, Double> timing) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String k = p.currentName();
            JsonToken v = p.nextToken();
            if (v == JsonToken.VALUE_TRUE || v == JsonToken.VALUE_FALSE) {
                timing.put(k, v == JsonToken.VALUE_TRUE ? 1.0 : 0.0);
            } else if (v.isNumeric()) {
                timing.put(k, p.getDoubleValue());
            } else {
                p.skipChildren();
            }
        }
    }
}
