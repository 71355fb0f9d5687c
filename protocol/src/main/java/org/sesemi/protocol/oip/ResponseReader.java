package org.sesemi.protocol.oip;

import static org.sesemi.protocol.oip.OipJson.FACTORY;
import static org.sesemi.protocol.oip.OipJson.expect;
import static org.sesemi.protocol.oip.OipJson.string;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Decodes an OIP inference response payload, or the OIP error body that stands in its place. */
final class ResponseReader {
    private ResponseReader() {}

    /**
     * Decodes a response payload.
     *
     * @throws InferenceFailedException when the payload is an OIP error body {@code {"error": "..."}}
     */
    static InferenceResponse read(byte[] payload) {
        try (JsonParser p = FACTORY.createParser(payload)) {
            expect(p.nextToken() == JsonToken.START_OBJECT, "an inference response is a JSON object");
            String model = null;
            Optional<String> id = Optional.empty();
            List<TensorReader.RawTensor> outs = new ArrayList<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken t = p.nextToken();
                switch (f) {
                    case "error" -> throw failure(p, t);
                    case "model_name" -> model = string(p, t, "model_name");
                    case "id" -> id = Optional.of(string(p, t, "id"));
                    case "outputs" -> {
                        expect(t == JsonToken.START_ARRAY, "outputs must be an array");
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            outs.add(TensorReader.read(p, "output"));
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            int jsonEnd = (int) p.currentLocation().getByteOffset();
            List<Tensor> tensors = TensorReader.resolve(outs, payload, payload.length, jsonEnd);
            List<Boolean> bin = outs.stream().map(o -> o.binarySize() >= 0).toList();
            return new InferenceResponse(model == null ? "" : model, id, tensors, bin);
        } catch (IOException e) {
            throw new OipException("the inference response is not valid JSON (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** The OIP error body {@code {"error": ..., "status": ...}} whose "error" field the parser stands on. */
    static InferenceFailedException failure(JsonParser p, JsonToken t) throws IOException {
        String message = t == JsonToken.VALUE_STRING ? p.getText() : "the runtime reported an error";
        p.skipChildren();
        int status = 400;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            if (f.equals("status") && v == JsonToken.VALUE_NUMBER_INT && p.getIntValue() >= 400 && p.getIntValue() < 600) {
                status = p.getIntValue();
            } else {
                p.skipChildren();
            }
        }
        return new InferenceFailedException(message, status);
    }
}
