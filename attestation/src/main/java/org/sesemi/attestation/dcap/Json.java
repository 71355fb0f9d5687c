package org.sesemi.attestation.dcap;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.sesemi.attestation.AttestationException;
import org.sesemi.attestation.AttestationException.Reason;

/** Strict accessors over Jackson trees of untrusted collateral; every missing or mistyped field is MALFORMED. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).maxStringLength(1 << 20).build())
            .build());

    private Json() {}

    static JsonNode parse(byte[] json, String what) {
        try {
            JsonNode n = MAPPER.readTree(json);
            if (n == null || !n.isObject()) {
                throw malformed(what + ": not a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw malformed(what + ": not valid JSON");
        }
    }

    static JsonNode field(JsonNode n, String name, String what) {
        JsonNode v = n.get(name);
        if (v == null || v.isNull()) {
            throw malformed(what + ": missing '" + name + "'");
        }
        return v;
    }

    static String text(JsonNode n, String name, String what) {
        JsonNode v = field(n, name, what);
        if (!v.isTextual()) {
            throw malformed(what + ": '" + name + "' must be a string");
        }
        return v.textValue();
    }

    static int integer(JsonNode n, String name, String what) {
        JsonNode v = field(n, name, what);
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0) {
            throw malformed(what + ": '" + name + "' must be a non-negative integer");
        }
        return v.intValue();
    }

    static byte[] hex(JsonNode n, String name, int bytes, String what) {
        String s = text(n, name, what);
        if (s.length() != bytes * 2) {
            throw malformed(what + ": '" + name + "' must be " + bytes * 2 + " hex characters");
        }
        try {
            return HexFormat.of().parseHex(s);
        } catch (IllegalArgumentException e) {
            throw malformed(what + ": '" + name + "' is not hex");
        }
    }

    static Instant instant(JsonNode n, String name, String what) {
        try {
            return Instant.parse(text(n, name, what));
        } catch (DateTimeParseException e) {
            throw malformed(what + ": '" + name + "' is not an ISO-8601 instant");
        }
    }

    static List<JsonNode> array(JsonNode n, String name, String what) {
        JsonNode v = field(n, name, what);
        if (!v.isArray()) {
            throw malformed(what + ": '" + name + "' must be an array");
        }
        List<JsonNode> out = new ArrayList<>();
        v.forEach(out::add);
        return out;
    }

    static List<String> strings(JsonNode n, String name, String what) {
        JsonNode v = n.get(name);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw malformed(what + ": '" + name + "' must be an array");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isTextual()) {
                throw malformed(what + ": '" + name + "' must hold strings");
            }
            out.add(e.textValue());
        }
        return List.copyOf(out);
    }

    static AttestationException malformed(String msg) {
        return new AttestationException(Reason.MALFORMED, msg);
    }
}
