package org.sesemi.protocol.oip;

import static org.sesemi.protocol.oip.OipJson.FACTORY;
import static org.sesemi.protocol.oip.OipJson.bool;
import static org.sesemi.protocol.oip.OipJson.expect;
import static org.sesemi.protocol.oip.OipJson.string;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Decodes an OIP inference request payload: the JSON object, then the binary tensors it declares (see {@link OipCodec}). */
final class RequestReader {
    private RequestReader() {}

    /**
     * Decodes the request payload held in the first {@code length} bytes of {@code buf} (e.g. a reused plaintext
     * buffer). Binary tensors are views of {@code buf}, not copies: valid while the caller keeps the buffer unchanged.
     */
    static InferenceRequest read(byte[] buf, int length) {
        java.util.Objects.checkFromIndexSize(0, length, buf.length);
        try (JsonParser p = FACTORY.createParser(buf, 0, length)) {
            expect(p.nextToken() == JsonToken.START_OBJECT, "an inference request is a JSON object");
            Optional<String> id = Optional.empty();
            InferenceRequest.Operation op = InferenceRequest.Operation.INFER;
            boolean binaryOut = false;
            List<TensorReader.RawTensor> inputs = new ArrayList<>();
            List<InferenceRequest.RequestedOutput> outputs = new ArrayList<>();
            boolean sawInputs = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken t = p.nextToken();
                switch (f) {
                    case "id" -> id = Optional.of(string(p, t, "id"));
                    case "parameters" -> {
                        expect(t == JsonToken.START_OBJECT, "parameters must be an object");
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String k = p.currentName();
                            JsonToken v = p.nextToken();
                            switch (k) {
                                case "binary_data_output" -> binaryOut = bool(v, "binary_data_output");
                                case "operation" -> op = switch (string(p, v, "operation")) {
                                    case "infer" -> InferenceRequest.Operation.INFER;
                                    case "metadata" -> InferenceRequest.Operation.METADATA;
                                    default -> throw new OipException("operation must be 'infer' or 'metadata'");
                                };
                                default -> p.skipChildren();
                            }
                        }
                    }
                    case "inputs" -> {
                        expect(t == JsonToken.START_ARRAY, "inputs must be an array");
                        sawInputs = true;
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            inputs.add(TensorReader.read(p, "input"));
                        }
                        expect(p.currentToken() == JsonToken.END_ARRAY, "inputs must be an array of objects");
                    }
                    case "outputs" -> {
                        expect(t == JsonToken.START_ARRAY, "outputs must be an array");
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            outputs.add(readRequestedOutput(p));
                        }
                        expect(p.currentToken() == JsonToken.END_ARRAY, "outputs must be an array of objects");
                    }
                    default -> p.skipChildren();
                }
            }
            expect(p.currentToken() == JsonToken.END_OBJECT, "an inference request is a JSON object");
            int jsonEnd = (int) p.currentLocation().getByteOffset();
            if (op == InferenceRequest.Operation.INFER) {
                expect(sawInputs && !inputs.isEmpty(), "an inference request needs at least one input");
            }
            List<Tensor> tensors = TensorReader.resolve(inputs, buf, length, jsonEnd);
            checkUnique(tensors.stream().map(Tensor::name).toList(), "input");
            checkUnique(outputs.stream().map(InferenceRequest.RequestedOutput::name).toList(), "output");
            return new InferenceRequest(id, op, tensors, outputs, binaryOut);
        } catch (IOException e) {
            throw new OipException("the inference request is not valid JSON (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static InferenceRequest.RequestedOutput readRequestedOutput(JsonParser p) throws IOException {
        String name = null;
        Optional<Boolean> binary = Optional.empty();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken t = p.nextToken();
            switch (f) {
                case "name" -> name = string(p, t, "output name");
                case "parameters" -> {
                    expect(t == JsonToken.START_OBJECT, "output parameters must be an object");
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String k = p.currentName();
                        JsonToken v = p.nextToken();
                        switch (k) {
                            case "binary_data" -> binary = Optional.of(bool(v, "binary_data"));
                            // The classification extension (top-N class labels instead of the tensor) is not
                            // implemented: refused rather than silently answered with the raw tensor.
                            case "classification" -> throw new OipException("the classification extension is not supported: "
                                    + "request the output tensor and rank the classes on the client");
                            default -> p.skipChildren();
                        }
                    }
                }
                default -> p.skipChildren();
            }
        }
        expect(name != null, "every requested output needs a name");
        return new InferenceRequest.RequestedOutput(name, binary);
    }

    private static void checkUnique(List<String> names, String what) {
        if (names.stream().distinct().count() != names.size()) {
            throw new OipException("duplicate " + what + " names");
        }
    }
}
