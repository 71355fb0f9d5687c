package org.sesemi.protocol.oip;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;

/** What every OIP reader and writer shares: one Jackson factory with the codec's bounds, and strict small checks. */
final class OipJson {
    static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).maxStringLength(Integer.MAX_VALUE - 16).build())
            .build();

    private OipJson() {}

    static String string(JsonParser p, JsonToken t, String what) throws IOException {
        expect(t == JsonToken.VALUE_STRING, what + " must be a string");
        return p.getText();
    }

    static boolean bool(JsonToken t, String what) {
        expect(t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE, what + " must be a boolean");
        return t == JsonToken.VALUE_TRUE;
    }

    static void expect(boolean ok, String message) {
        if (!ok) {
            throw new OipException(message);
        }
    }
}
