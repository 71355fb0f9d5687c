package org.sesemi.protocol.oip;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Reads and writes Open Inference Protocol bodies as they travel inside an envelope's encrypted payload.
 *
 * <p>Payload layout: one JSON object, immediately followed (no separator) by the binary section of the binary-tensor
 * extension. Tensors flagged with {@code "parameters":{"binary_data_size":N}} take the next N bytes of that section,
 * in the order the tensors appear; the section must be consumed exactly. Inside an envelope there are no HTTP headers,
 * so the end of the JSON object (found by the parser) replaces {@code Inference-Header-Content-Length}.
 *
 * <p>Parsing is strict about what matters (datatypes, shapes, element counts, ranges, binary sizes) and ignores unknown
 * fields, as OIP allows server-specific extensions. Every failure is an {@link OipException} whose message never
 * contains tensor values. Stateless and thread-safe.
 *
 * <p>The work is done by package-private classes, one concern each: {@code RequestReader}, {@code ResponseReader},
 * {@code TensorReader} (tensors, shapes, the binary section), {@code TensorData} (values by datatype),
 * {@code OipWriter}, {@code MetadataCodec}. This class is the API.
 */
public final class OipCodec {
    /** Highest tensor rank accepted (ONNX Runtime itself allows 8). */
    public static final int MAX_RANK = 16;

    private OipCodec() {}

    /** Decodes a request payload (JSON + optional binary section). */
    public static InferenceRequest parseRequest(byte[] payload) {
        return parseRequest(payload, payload.length);
    }

    /**
     * Decodes the request payload held in the first {@code length} bytes of {@code buf} (e.g. a reused plaintext
     * buffer). Binary tensors are views of {@code buf}, not copies: valid while the caller keeps the buffer unchanged.
     */
    public static InferenceRequest parseRequest(byte[] buf, int length) {
        return RequestReader.read(buf, length);
    }

    /**
     * Encodes a request; inputs travel in the binary extension when {@code binaryInputs} (much smaller and faster for
     * large tensors), as JSON arrays otherwise (FP16 as JSON numbers).
     */
    public static byte[] writeRequest(InferenceRequest r, boolean binaryInputs) {
        return OipWriter.request(r, binaryInputs);
    }

    /** Encodes a response: JSON, then the binary section for outputs flagged binary. */
    public static byte[] writeResponse(InferenceResponse r) {
        return OipWriter.response(r);
    }

    /**
     * As {@link #writeResponse} without concatenating: the JSON (a fresh heap buffer) followed by the binary sections
     * (views of the output tensors' data, not copies). Their concatenation is exactly {@link #writeResponse}'s bytes;
     * for sealing large outputs without a plaintext copy (see {@code RequestCipher.sealResponse(request, parts)}).
     */
    public static List<ByteBuffer> writeResponseParts(InferenceResponse r) {
        return OipWriter.responseParts(r);
    }

    /**
     * Decodes a response payload.
     *
     * @throws InferenceFailedException when the payload is an OIP error body {@code {"error": "..."}}
     */
    public static InferenceResponse parseResponse(byte[] payload) {
        return ResponseReader.read(payload);
    }

    /** The OIP error body. The message must already be safe (no tensor values). */
    public static byte[] writeError(String message) {
        return writeError(message, 400);
    }

    /**
     * The OIP error body {@code {"error": message, "status": status}}: OIP's error object, plus the HTTP status OIP
     * would answer with, for transports whose own status cannot carry it (OpenWhisk answers 200 for every result).
     * The message must already be safe (no tensor values).
     */
    public static byte[] writeError(String message, int status) {
        return OipWriter.error(message, status);
    }

    /** Encodes OIP model metadata ({@code name}, {@code inputs}, {@code outputs} with datatype and shape). */
    public static byte[] writeMetadata(ModelMetadata m) {
        return MetadataCodec.write(m);
    }

    /** Decodes OIP model metadata; an OIP error body throws {@link InferenceFailedException}, anything else invalid {@link OipException}. */
    public static ModelMetadata parseMetadata(byte[] payload) {
        return MetadataCodec.read(payload);
    }
}
