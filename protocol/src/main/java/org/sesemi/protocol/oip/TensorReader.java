package org.sesemi.protocol.oip;

import static org.sesemi.protocol.oip.OipJson.expect;
import static org.sesemi.protocol.oip.OipJson.string;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the tensors of a request's {@code inputs} or a response's {@code outputs}: name, datatype, shape (checked
 * against the data's element count), and either JSON {@code data} ({@link TensorData}) or a
 * {@code binary_data_size}, whose bytes are then taken, in order, from the binary section after the JSON
 * ({@link #resolve}: views of the payload, not copies; the section must be consumed exactly).
 */
final class TensorReader {
    private TensorReader() {}

    /** A tensor as parsed, before its binary bytes (if any) are resolved. */
    record RawTensor(String name, DataType type, long[] shape, ByteBuffer jsonData, long binarySize) {}

    static RawTensor read(JsonParser p, String what) throws IOException {
        String name = null;
        DataType type = null;
        long[] shape = null;
        long binarySize = -1;
        TensorData.Scalars data = null;
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
                    data = new TensorData.Scalars();
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

    static List<Tensor> resolve(List<RawTensor> raw, byte[] payload, int length, int jsonEnd) {
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

    static long[] readShape(JsonParser p, JsonToken t, boolean allowDynamic) throws IOException {
        expect(t == JsonToken.START_ARRAY, "shape must be an array of integers");
        long[] dims = new long[OipCodec.MAX_RANK];
        int n = 0;
        JsonToken v;
        while ((v = p.nextToken()) != JsonToken.END_ARRAY) {
            expect(v == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER,
                    "shape must be an array of integers");
            expect(n < OipCodec.MAX_RANK, "tensor rank above " + OipCodec.MAX_RANK);
            long d = p.getLongValue();
            expect(d >= 0 || (allowDynamic && d == -1), "shape dimensions must be non-negative");
            dims[n++] = d;
        }
        return Arrays.copyOf(dims, n);
    }
}
