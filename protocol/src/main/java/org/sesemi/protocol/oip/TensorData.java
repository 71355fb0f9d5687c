package org.sesemi.protocol.oip;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A tensor's {@code data} as JSON, converted by datatype: little-endian buffer to JSON values ({@link #write}; FP16 as
 * numbers, UINT64 unsigned, BYTES as strings), and JSON values to a buffer ({@link Scalars}: collected first, since the
 * datatype may come after the data, then range-checked for the datatype). Messages never quote a value.
 */
final class TensorData {
    private TensorData() {}

    static void write(JsonGenerator g, Tensor t) throws IOException {
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
    static final class Scalars {
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
}
