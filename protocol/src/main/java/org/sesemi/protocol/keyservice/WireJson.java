package org.sesemi.protocol.keyservice;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/**
 * The strict JSON dialect of the KeyService API: unknown or duplicate fields, missing fields, trailing tokens,
 * nulls for numbers and scalar coercions ("1" for 1) are all rejected, so a body means exactly one thing.
 *
 * <p>Thread-safe.
 */
public final class WireJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(16).maxStringLength(1 << 20).maxNumberLength(32).build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private WireJson() {}

    /**
     * Parses {@code body} as {@code type}.
     *
     * @throws WireFormatException when the body is not exactly a {@code type} (message safe to return to callers:
     *     it names the problem and the field, never echoes values)
     */
    public static <T> T read(byte[] body, Class<T> type) {
        T value;
        try {
            value = MAPPER.readValue(body, type);
        } catch (IOException | RuntimeException e) {
            throw new WireFormatException(describe(e, type));
        }
        if (value == null) {
            throw new WireFormatException("body is not a valid " + type.getSimpleName() + ": null");
        }
        return value;
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    private static String describe(Exception e, Class<?> type) {
        String what = "body is not a valid " + type.getSimpleName();
        Throwable root = rootCause(e);
        return switch (e) {
            case com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException u ->
                    what + ": unknown field '" + clip(u.getPropertyName()) + "'";
            case com.fasterxml.jackson.databind.exc.MismatchedInputException m when m.getPath() != null && !m.getPath().isEmpty() ->
                    what + ": bad or missing field '" + clip(String.valueOf(m.getPath().get(m.getPath().size() - 1).getFieldName())) + "'";
            case com.fasterxml.jackson.databind.exc.ValueInstantiationException v when root instanceof IllegalArgumentException ia ->
                    what + ": " + ia.getMessage();
            case com.fasterxml.jackson.core.JsonParseException p -> what + ": not well-formed JSON";
            default -> what;
        };
    }

    private static Throwable rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    private static String clip(String s) {
        // Field names come from the attacker: keep the message short and printable.
        String p = s == null ? "" : s.replaceAll("[^A-Za-z0-9_.-]", "?");
        return p.length() > 40 ? p.substring(0, 40) + "..." : p;
    }
}
