package org.sesemi.protocol.oip;

import static org.sesemi.protocol.oip.OipJson.FACTORY;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Encodes OIP requests, responses (whole, or as parts for sealing without a copy) and error bodies (see {@link OipCodec}). */
final class OipWriter {
    private OipWriter() {}

    /**
     * Encodes a request; inputs travel in the binary extension when {@code binaryInputs} (much smaller and faster for
     * large tensors), as JSON arrays otherwise (FP16 as JSON numbers).
     */
    static byte[] request(InferenceRequest r, boolean binaryInputs) {
        ByteArrayOutputStream json = new ByteArrayOutputStream(256);
        List<ByteBuffer> binary = new ArrayList<>();
        try (JsonGenerator g = FACTORY.createGenerator(json)) {
            g.writeStartObject();
            if (r.id().isPresent()) {
                g.writeStringField("id", r.id().get());
            }
            if (r.operation() != InferenceRequest.Operation.INFER || r.binaryOutputs()) {
                g.writeObjectFieldStart("parameters");
                if (r.operation() == InferenceRequest.Operation.METADATA) {
                    g.writeStringField("operation", "metadata");
                }
                if (r.binaryOutputs()) {
                    g.writeBooleanField("binary_data_output", true);
                }
                g.writeEndObject();
            }
            g.writeArrayFieldStart("inputs");
            for (Tensor t : r.inputs()) {
                boolean bin = binaryInputs;
                writeTensor(g, t, bin);
                if (bin) {
                    binary.add(t.data());
                }
            }
            g.writeEndArray();
            if (!r.outputs().isEmpty()) {
                g.writeArrayFieldStart("outputs");
                for (InferenceRequest.RequestedOutput o : r.outputs()) {
                    g.writeStartObject();
                    g.writeStringField("name", o.name());
                    if (o.binaryData().isPresent()) {
                        g.writeObjectFieldStart("parameters");
                        g.writeBooleanField("binary_data", o.binaryData().get());
                        g.writeEndObject();
                    }
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("in-memory JSON write failed", e);
        }
        return concat(json, binary);
    }

    /** Encodes a response: JSON, then the binary section for outputs flagged binary. */
    static byte[] response(InferenceResponse r) {
        List<ByteBuffer> parts = responseParts(r);
        return concat(parts.getFirst(), parts.subList(1, parts.size()));
    }

    /**
     * As {@link #response} without concatenating: the JSON (a fresh heap buffer) followed by the binary sections
     * (views of the output tensors' data, not copies). Their concatenation is exactly {@link #response}'s bytes;
     * for sealing large outputs without a plaintext copy (see {@code RequestCipher.sealResponse(request, parts)}).
     */
    static List<ByteBuffer> responseParts(InferenceResponse r) {
        ByteArrayOutputStream json = new ByteArrayOutputStream(256);
        List<ByteBuffer> binary = new ArrayList<>();
        try (JsonGenerator g = FACTORY.createGenerator(json)) {
            g.writeStartObject();
            g.writeStringField("model_name", r.modelName());
            if (r.id().isPresent()) {
                g.writeStringField("id", r.id().get());
            }
            g.writeArrayFieldStart("outputs");
            for (int i = 0; i < r.outputs().size(); i++) {
                Tensor t = r.outputs().get(i);
                boolean bin = r.binary().get(i);
                writeTensor(g, t, bin);
                if (bin) {
                    binary.add(t.data());
                }
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("in-memory JSON write failed", e);
        }
        List<ByteBuffer> parts = new ArrayList<>(1 + binary.size());
        parts.add(ByteBuffer.wrap(json.toByteArray()));
        parts.addAll(binary);
        return parts;
    }

    /**
     * The OIP error body {@code {"error": message, "status": status}}: OIP's error object, plus the HTTP status OIP
     * would answer with, for transports whose own status cannot carry it (OpenWhisk answers 200 for every result).
     * The message must already be safe (no tensor values).
     */
    static byte[] error(String message, int status) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + message.length());
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("error", message);
            g.writeNumberField("status", status);
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    private static void writeTensor(JsonGenerator g, Tensor t, boolean binary) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", t.name());
        g.writeStringField("datatype", t.type().name());
        g.writeArrayFieldStart("shape");
        for (long d : t.shape()) {
            g.writeNumber(d);
        }
        g.writeEndArray();
        if (binary) {
            g.writeObjectFieldStart("parameters");
            g.writeNumberField("binary_data_size", t.byteLength());
            g.writeEndObject();
        } else {
            g.writeArrayFieldStart("data");
            TensorData.write(g, t);
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    private static byte[] concat(ByteArrayOutputStream json, List<ByteBuffer> binary) {
        if (binary.isEmpty()) {
            return json.toByteArray();
        }
        return concat(ByteBuffer.wrap(json.toByteArray()), binary);
    }

    private static byte[] concat(ByteBuffer json, List<ByteBuffer> binary) {
        if (binary.isEmpty() && json.hasArray() && json.arrayOffset() == 0 && json.position() == 0 && json.remaining() == json.array().length) {
            return json.array();
        }
        int total = json.remaining();
        for (ByteBuffer b : binary) {
            total = Math.addExact(total, b.remaining());
        }
        byte[] out = new byte[total];
        json.duplicate().get(out, 0, json.remaining());
        int pos = json.remaining();
        for (ByteBuffer b : binary) {
            int n = b.remaining();
            b.duplicate().get(out, pos, n);
            pos += n;
        }
        return out;
    }
}
