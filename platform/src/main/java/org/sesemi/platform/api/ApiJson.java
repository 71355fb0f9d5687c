package org.sesemi.platform.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.util.Optional;
import org.sesemi.http.Response;

/** The API's JSON: strict parsing of request bodies (bounded nesting, no duplicates, nothing trailing) and responses. */
final class ApiJson {
    static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
                    .maxNestingDepth(PlatformApi.MAX_JSON_DEPTH).build())
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private ApiJson() {}

    /** Parses a JSON body; empty (or whitespace-only) gives empty. Parser messages are not echoed: they quote input. */
    static Optional<JsonNode> parse(byte[] body) {
        boolean blank = true;
        for (byte b : body) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                blank = false;
                break;
            }
        }
        if (blank) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readTree(body));
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new ApiException(400, Messages.malformed("invalid JSON" + where));
        } catch (IOException e) {
            throw new ApiException(400, Messages.malformed("invalid JSON"));
        }
    }

    static Response send(int status, JsonNode body) {
        try {
            return Response.json(status, JSON.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode a response document", e);
        }
    }

    static ApiException notFound() {
        return new ApiException(404, Messages.NOT_FOUND);
    }
}
