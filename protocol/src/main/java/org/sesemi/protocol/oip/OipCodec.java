package org.sesemi.protocol.oip;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

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
 */
public final class OipCodec {
    /** Highest tensor rank accepted (ONNX Runtime itself allows 8). */
    public static final int MAX_RANK = 16;
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).maxStringLength(Integer.MAX_VALUE - 16).build())
            .build();

    private OipCodec() {}

    // ---------------------------------------------------------------- requests

    /** Decodes a request payload (JSON + optional binary section). */
    public static InferenceRequest parseRequest(byte[] payload) {
        return parseRequest(payload, payload.length);
    }

    /**
     * Decodes the request payload held in the first {@code length} bytes of {@code buf} (e.g. a reused plaintext
     * buffer). Binary tensors are views of {@code buf}, not copies: valid while the caller keeps the buffer unchanged.
     */
    public static InferenceRequest parseRequest(byte[] buf, int length) {
        java.util.Objects.checkFromIndexSize(0, length, buf.length);
        try (JsonParser p = FACTORY.createParser(buf, 0, length)) {
            expect(p.nextToken() == JsonToken.START_OBJECT, "an inference request is a JSON object");
            Optional<String> id = Optional.empty();
            InferenceRequest.Operation op = InferenceRequest.Operation.INFER;
            boolean binaryOut = false;
            List<RawTensor> inputs = new ArrayList<>();
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
                            inputs.add(readTensor(p, "input"));
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
            List<Tensor> tensors = resolve(inputs, buf, length, jsonEnd);
            checkUnique(tensors.stream().map(Tensor::name).toList(), "input");
            checkUnique(outputs.stream().map(InferenceRequest.RequestedOutput::name).toList(), "output");
            return new InferenceRequest(id, op, tensors, outputs, binaryOut);
        } catch (IOException e) {
            throw new OipException("the inference request is not valid JSON (" + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * Encodes a request; inputs travel in the binary extension when {@code binaryInputs} (much smaller and faster for
     * large tensors), as JSON arrays otherwise (FP16 as JSON numbers).
     */
    public static byte[] writeRequest(InferenceRequest r, boolean binaryInputs) {
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

    // ---------------------------------------------------------------- responses

    /** Encodes a response: JSON, then the binary section for outputs flagged binary. */
    public static byte[] writeResponse(InferenceResponse r) {
        List<ByteBuffer> parts = writeResponseParts(r);
        return concat(parts.getFirst(), parts.subList(1, parts.size()));
    }

    /**
     * As {@link #writeResponse} without concatenating: the JSON (a fresh heap buffer) followed by the binary sections
     * (views of the output tensors' data, not copies). Their concatenation is exactly {@link #writeResponse}'s bytes;
     * for sealing large outputs without a plaintext copy (see {@code RequestCipher.sealResponse(request, parts)}).
     */
    public static List<ByteBuffer> writeResponseParts(InferenceResponse r) {
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
     * Decodes a response payload.
     *
     * @throws InferenceFailedException when the payload is an OIP error body {@code {"error": "..."}}
     */
    public static InferenceResponse parseResponse(byte[] payload) {
        try (JsonParser p = FACTORY.createParser(payload)) {
            expect(p.nextToken() == JsonToken.START_OBJECT, "an inference response is a JSON object");
            String model = null;
            Optional<String> id = Optional.empty();
            List<RawTensor> outs = new ArrayList<>();
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
                            outs.add(readTensor(p, "output"));
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            int jsonEnd = (int) p.currentLocation().getByteOffset();
            List<Tensor> tensors = resolve(outs, payload, payload.length, jsonEnd);
            List<Boolean> bin = outs.stream().map(o -> o.binarySize >= 0).toList();
            return new InferenceResponse(model == null ? "" : model, id, tensors, bin);
        } catch (IOException e) {
            throw new OipException("the inference response is not valid JSON (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** The OIP error body {@code {"error": ..., "status": ...}} whose "error" field the parser stands on. */
    private static InferenceFailedException failure(JsonParser p, JsonToken t) throws IOException {
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

    // ---------------------------------------------------------------- metadata

    /** Encodes OIP model metadata ({@code name}, {@code inputs}, {@code outputs} with datatype and shape). */
    public static byte[] writeMetadata(ModelMetadata m) {
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
    public static ModelMetadata parseMetadata(byte[] payload) {
        try (JsonParser p = FACTORY.createParser(payload)) {
            expect(p.nextToken() == JsonToken.START_OBJECT, "model metadata is a JSON object");
            String name = "", platform = "";
            List<ModelMetadata.TensorSpec> in = List.of(), out = List.of();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken t = p.nextToken();
                switch (f) {
                    case "error" -> throw failure(p, t);
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
                    case "shape" -> shape = readShape(p, v, true);
                    default -> p.skipChildren();
                }
            }
            expect(name != null && dt != null, "a metadata tensor needs name and datatype");
            Optional<DataType> type = dt.startsWith("UNSUPPORTED:") ? Optional.empty() : Optional.of(DataType.parse(dt));
            out.add(new ModelMetadata.TensorSpec(name, type, shape, type.isPresent() ? type.get().name() : dt.substring(12)));
        }
        return out;
    }

    // ---------------------------------------------------------------- tensors

    /** A tensor as parsed, before its binary bytes (if any) are resolved. */
    private record RawTensor(String name, DataType type, long[] shape, ByteBuffer jsonData, long binarySize) {}

    private static RawTensor readTensor(JsonParser p, String what) throws IOException {
        String name = null;
        DataType type = null;
        long[] shape = null;
        long binarySize = -1;
        Scalars data = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken t = p.nextToken();
            switch (f) {
                case "name" -> name = string(p, t, what + " name");
                case "datatype" -> type = DataType.parse(string(p, t, "datatype"));
                case "shape" -> shape = readShape(p, t, false);
                case "parameters" -> {
                    expect(t == JsonToken.START_OBJECT, "tensor parameters must be an object");
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String k = p.currentName();
                        JsonToken v = p.nextToken();
                        if (k.equals("binary_data_size")) {
                            expect(v == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER
                                    && p.getLongValue() >= 0, "binary_data_size must be a non-negative integer");
                            binarySize = p.getLongValue();
                        } else {
                            p.skipChildren();
                        }
                    }
                }
                case "data" -> {
                    data = new Scalars();
                    data.read(p, t);
                }
                default -> p.skipChildren();
            }
        }
        expect(name != null, "every " + what + " needs a name");
        expect(type != null, what + " '" + OipException.safe(name) + "' needs a datatype");
        expect(shape != null, what + " '" + OipException.safe(name) + "' needs a shape");
        long count;
        try {
            count = Tensor.elementCount(shape);
        } catch (ArithmeticException e) {
            throw new OipException(what + " '" + OipException.safe(name) + "' has a shape whose element count overflows");
        }
        if (binarySize >= 0) {
            expect(data == null, what + " '" + OipException.safe(name) + "' has both data and binary_data_size");
            return new RawTensor(name, type, shape, null, binarySize);
        }
        expect(data != null, what + " '" + OipException.safe(name) + "' has neither data nor binary_data_size");
        if (data.size != count) {
            throw new OipException(what + " '" + OipException.safe(name) + "' has shape " + Arrays.toString(shape) + " ("
                    + count + " elements) but " + data.size + " data elements");
        }
        return new RawTensor(name, type, shape, data.toBuffer(type, name), -1);
    }

    private static List<Tensor> resolve(List<RawTensor> raw, byte[] payload, int length, int jsonEnd) {
        int pos = jsonEnd;
        List<Tensor> out = new ArrayList<>(raw.size());
        for (RawTensor r : raw) {
            ByteBuffer data = r.jsonData;
            if (r.binarySize >= 0) {
                if (r.binarySize > length - pos) {
                    throw new OipException("tensor '" + OipException.safe(r.name) + "' declares binary_data_size " + r.binarySize
                            + " but only " + (length - pos) + " binary bytes remain");
                }
                data = ByteBuffer.wrap(payload, pos, (int) r.binarySize).slice();
                pos += (int) r.binarySize;
            }
            out.add(new Tensor(r.name, r.type, r.shape, data));
        }
        if (pos != length) {
            throw new OipException((length - pos) + " bytes follow the JSON body that no tensor's binary_data_size accounts for");
        }
        return out;
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

    private static long[] readShape(JsonParser p, JsonToken t, boolean allowDynamic) throws IOException {
        expect(t == JsonToken.START_ARRAY, "shape must be an array of integers");
        long[] dims = new long[MAX_RANK];
        int n = 0;
        JsonToken v;
        while ((v = p.nextToken()) != JsonToken.END_ARRAY) {
            expect(v == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER,
                    "shape must be an array of integers");
            expect(n < MAX_RANK, "tensor rank above " + MAX_RANK);
            long d = p.getLongValue();
            expect(d >= 0 || (allowDynamic && d == -1), "shape dimensions must be non-negative");
            dims[n++] = d;
        }
        return Arrays.copyOf(dims, n);
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
            writeValues(g, t);
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    private static void writeValues(JsonGenerator g, Tensor t) throws IOException {
        ByteBuffer b = t.data();
        switch (t.type()) {
            case BOOL -> { while (b.hasRemaining()) g.writeBoolean(b.get() != 0); }
            case UINT8 -> { while (b.hasRemaining()) g.writeNumber(b.get() & 0xff); }
            case INT8 -> { while (b.hasRemaining()) g.writeNumber(b.get()); }
            case UINT16 -> { while (b.hasRemaining()) g.writeNumber(b.getShort() & 0xffff); }
            case INT16 -> { while (b.hasRemaining()) g.writeNumber(b.getShort()); }
            case UINT32 -> { while (b.hasRemaining()) g.writeNumber(b.getInt() & 0xffffffffL); }
            case INT32 -> { while (b.hasRemaining()) g.writeNumber(b.getInt()); }
            case UINT64 -> { while (b.hasRemaining()) g.writeNumber(new java.math.BigInteger(Long.toUnsignedString(b.getLong()))); }
            case INT64 -> { while (b.hasRemaining()) g.writeNumber(b.getLong()); }
            case FP16 -> { while (b.hasRemaining()) g.writeNumber(Float.float16ToFloat(b.getShort())); }
            case FP32 -> { while (b.hasRemaining()) g.writeNumber(b.getFloat()); }
            case FP64 -> { while (b.hasRemaining()) g.writeNumber(b.getDouble()); }
            case BYTES -> {
                for (byte[] e : t.bytesElements()) {
                    g.writeString(new String(e, StandardCharsets.UTF_8));
                }
            }
        }
    }

    /** JSON scalars collected before the datatype is known (fields may come in any order). */
    private static final class Scalars {
        static final byte INT = 0, FLOAT = 1, BOOL = 2, STRING = 3;
        byte[] kinds = new byte[64];
        long[] values = new long[64];
        List<String> strings;
        int size;

        void read(JsonParser p, JsonToken first) throws IOException {
            if (first != JsonToken.START_ARRAY) {
                add(p, first); // a scalar for a 0-d tensor
                return;
            }
            int depth = 1;
            while (depth > 0) {
                JsonToken t = p.nextToken();
                if (t == null) {
                    throw new OipException("tensor data ends early");
                }
                switch (t) {
                    case START_ARRAY -> depth++;
                    case END_ARRAY -> depth--;
                    default -> add(p, t);
                }
            }
        }

        private void add(JsonParser p, JsonToken t) throws IOException {
            if (size == kinds.length) {
                kinds = Arrays.copyOf(kinds, size * 2);
                values = Arrays.copyOf(values, size * 2);
            }
            switch (t) {
                case VALUE_NUMBER_INT -> {
                    if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                        java.math.BigInteger big = p.getBigIntegerValue();
                        if (big.signum() < 0 || big.bitLength() > 64) {
                            throw new OipException("an integer in tensor data is out of the 64-bit range");
                        }
                        kinds[size] = FLOAT; // marks "unsigned above Long.MAX": only UINT64 or floats accept it
                        values[size] = Double.doubleToRawLongBits(big.doubleValue());
                        unsigned = unsigned == null ? new java.util.BitSet() : unsigned;
                        unsigned.set(size);
                        bigValues = bigValues == null ? new java.util.HashMap<>() : bigValues;
                        bigValues.put(size, big.longValue());
                    } else {
                        kinds[size] = INT;
                        values[size] = p.getLongValue();
                    }
                }
                case VALUE_NUMBER_FLOAT -> {
                    kinds[size] = FLOAT;
                    values[size] = Double.doubleToRawLongBits(p.getDoubleValue());
                }
                case VALUE_TRUE, VALUE_FALSE -> {
                    kinds[size] = BOOL;
                    values[size] = t == JsonToken.VALUE_TRUE ? 1 : 0;
                }
                case VALUE_STRING -> {
                    kinds[size] = STRING;
                    if (strings == null) {
                        strings = new ArrayList<>();
                    }
                    values[size] = strings.size();
                    strings.add(p.getText());
                }
                default -> throw new OipException("tensor data may hold only numbers, booleans, strings and nested arrays");
            }
            size++;
        }

        java.util.BitSet unsigned;
        java.util.Map<Integer, Long> bigValues;

        ByteBuffer toBuffer(DataType type, String name) {
            if (type == DataType.BYTES) {
                byte[][] e = new byte[size][];
                for (int i = 0; i < size; i++) {
                    need(kinds[i] == STRING, type, name);
                    e[i] = strings.get((int) values[i]).getBytes(StandardCharsets.UTF_8);
                }
                return Tensor.ofBytes(name, new long[] {size}, e).data();
            }
            ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(size, type.size())).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < size; i++) {
                byte k = kinds[i];
                long v = values[i];
                boolean big = unsigned != null && unsigned.get(i);
                switch (type) {
                    case BOOL -> {
                        need(k == BOOL || (k == INT && (v == 0 || v == 1)), type, name);
                        b.put((byte) v);
                    }
                    case UINT8 -> b.put((byte) integer(k, v, 0, 255, type, name, big));
                    case INT8 -> b.put((byte) integer(k, v, Byte.MIN_VALUE, Byte.MAX_VALUE, type, name, big));
                    case UINT16 -> b.putShort((short) integer(k, v, 0, 65535, type, name, big));
                    case INT16 -> b.putShort((short) integer(k, v, Short.MIN_VALUE, Short.MAX_VALUE, type, name, big));
                    case UINT32 -> b.putInt((int) integer(k, v, 0, 0xffffffffL, type, name, big));
                    case INT32 -> b.putInt((int) integer(k, v, Integer.MIN_VALUE, Integer.MAX_VALUE, type, name, big));
                    case INT64 -> b.putLong(integer(k, v, Long.MIN_VALUE, Long.MAX_VALUE, type, name, big));
                    case UINT64 -> b.putLong(big ? bigValues.get(i) : integer(k, v, 0, Long.MAX_VALUE, type, name, false));
                    case FP16 -> b.putShort(Float.floatToFloat16((float) real(k, v, type, name)));
                    case FP32 -> b.putFloat((float) real(k, v, type, name));
                    case FP64 -> b.putDouble(real(k, v, type, name));
                    case BYTES -> throw new AssertionError();
                }
            }
            return b.flip();
        }

        private static long integer(byte k, long v, long min, long max, DataType type, String name, boolean big) {
            need(k == INT && !big, type, name);
            if (v < min || v > max) {
                throw new OipException("a value of tensor '" + OipException.safe(name) + "' is out of range for " + type);
            }
            return v;
        }

        private static double real(byte k, long v, DataType type, String name) {
            need(k == INT || k == FLOAT, type, name);
            return k == INT ? (double) v : Double.longBitsToDouble(v);
        }

        private static void need(boolean ok, DataType type, String name) {
            if (!ok) {
                throw new OipException("tensor '" + OipException.safe(name) + "' holds data that is not " + type);
            }
        }
    }

    // ---------------------------------------------------------------- helpers

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

    private static void checkUnique(List<String> names, String what) {
        if (names.stream().distinct().count() != names.size()) {
            throw new OipException("duplicate " + what + " names");
        }
    }

    private static String string(JsonParser p, JsonToken t, String what) throws IOException {
        expect(t == JsonToken.VALUE_STRING, what + " must be a string");
        return p.getText();
    }

    private static boolean bool(JsonToken t, String what) {
        expect(t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE, what + " must be a boolean");
        return t == JsonToken.VALUE_TRUE;
    }

    private static void expect(boolean ok, String message) {
        if (!ok) {
            throw new OipException(message);
        }
    }
}
