package org.sesemi.protocol.oip;

import static org.sesemi.protocol.oip.OipJson.FACTORY;
import static org.sesemi.protocol.oip.OipJson.expect;
import static org.sesemi.protocol.oip.OipJson.string;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** OIP model metadata ({@code name}, {@code platform}, {@code inputs} and {@code outputs} with datatype and shape), both ways. */
final class MetadataCodec {
    private MetadataCodec() {}

    /** Encodes OIP model metadata ({@code name}, {@code inputs}, {@code outputs} with datatype and shape). */
    static byte[] write(ModelMetadata m) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("name", m.name());
            g.writeStringField("platform", m.platform());
            writeSpecs(g, "inputs", m.inputs());
            writeSpecs(g, "outputs", m.outputs());
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    /** Decodes OIP model metadata; an OIP error body throws {@link InferenceFailedException}, anything else invalid {@link OipException}. */
    static ModelMetadata read(byte[] payload) {
        try (JsonParser p = FACTORY.createParser(payload)) {
            expect(p.nextToken() == JsonToken.START_OBJECT, "model metadata is a JSON object");
            String name = "", platform = "";
            List<ModelMetadata.TensorSpec> in = List.of(), out = List.of();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken t = p.nextToken();
                switch (f) {
                    case "error" -> throw ResponseReader.failure(p, t);
                    case "name" -> name = string(p, t, "name");
                    case "platform" -> platform = string(p, t, "platform");
                    case "inputs" -> in = readSpecs(p, t);
                    case "outputs" -> out = readSpecs(p, t);
                    default -> p.skipChildren();
                }
            }
            return new ModelMetadata(name, platform, in, out);
        } catch (IOException e) {
            throw new OipException("model metadata is not valid JSON (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static void writeSpecs(JsonGenerator g, String field, List<ModelMetadata.TensorSpec> specs) throws IOException {
        g.writeArrayFieldStart(field);
        for (ModelMetadata.TensorSpec s : specs) {
            g.writeStartObject();
            g.writeStringField("name", s.name());
            g.writeStringField("datatype", s.type().map(Enum::name).orElse("UNSUPPORTED:" + s.onnxType()));
            g.writeArrayFieldStart("shape");
            for (long d : s.shape()) {
                g.writeNumber(d);
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static List<ModelMetadata.TensorSpec> readSpecs(JsonParser p, JsonToken t) throws IOException {
        expect(t == JsonToken.START_ARRAY, "metadata inputs/outputs must be arrays");
        List<ModelMetadata.TensorSpec> out = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            String name = null, dt = null;
            long[] shape = new long[0];
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken v = p.nextToken();
                switch (f) {
                    case "name" -> name = string(p, v, "name");
                    case "datatype" -> dt = string(p, v, "datatype");
                    case "shape" -> shape = TensorReader.readShape(p, v, true);
                    default -> p.skipChildren();
                }
            }
            expect(name != null && dt != null, "a metadata tensor needs name and datatype");
            Optional<DataType> type = dt.startsWith("UNSUPPORTED:") ? Optional.empty() : Optional.of(DataType.parse(dt));
            out.add(new ModelMetadata.TensorSpec(name, type, shape, type.isPresent() ? type.get().name() : dt.substring(12)));
        }
        return out;
    }
}
