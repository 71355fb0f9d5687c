package org.sesemi.protocol.oip;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One named tensor in the OIP binary layout: row-major, little-endian; BYTES elements each prefixed by a 4-byte
 * little-endian length. Whatever the wire form (JSON or binary extension), tensors are held this way.
 *
 * @param data the raw bytes (position 0, limit = byte length); not copied, treat as read-only
 */
public record Tensor(String name, DataType type, long[] shape, ByteBuffer data) {
    public Tensor {
        shape = shape.clone();
        data = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long n;
        long bytes;
        try {
            n = elementCount(shape);
            bytes = type == DataType.BYTES ? 0 : Math.multiplyExact(n, type.size());
        } catch (ArithmeticException e) {
            throw new OipException("tensor '" + OipException.safe(name) + "' has a shape whose size overflows");
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new OipException("tensor '" + OipException.safe(name) + "' has more than " + (Integer.MAX_VALUE - 8) + " elements");
        }
        if (type != DataType.BYTES) {
            if (bytes != data.remaining()) {
                throw new OipException("tensor '" + OipException.safe(name) + "' has shape " + Arrays.toString(shape) + " of "
                        + type + " (" + bytes + " bytes) but " + data.remaining() + " bytes of data");
            }
        } else {
            checkBytesLayout(name, n, data);
        }
    }

    /** Product of dims; rejects negative dims and overflow. */
    public static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new OipException("tensor shapes must not contain negative dimensions");
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** The number of elements ({@code 1} for a scalar, shape {@code []}). */
    public long elementCount() {
        return elementCount(shape);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public ByteBuffer data() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The size of {@link #data()} in bytes (for BYTES: 4-byte length prefixes included). */
    public int byteLength() {
        return data.remaining();
    }

    /** A BYTES tensor from raw elements. */
    public static Tensor ofBytes(String name, long[] shape, byte[][] elements) {
        int total = 0;
        for (byte[] e : elements) {
            total = Math.addExact(total, 4 + e.length);
        }
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        for (byte[] e : elements) {
            b.putInt(e.length).put(e);
        }
        return new Tensor(name, DataType.BYTES, shape, b.flip());
    }

    /** A BYTES tensor from UTF-8 strings. */
    public static Tensor ofStrings(String name, long[] shape, String[] strings) {
        byte[][] e = new byte[strings.length][];
        for (int i = 0; i < strings.length; i++) {
            e[i] = strings[i].getBytes(StandardCharsets.UTF_8);
        }
        return ofBytes(name, shape, e);
    }

    /** The elements of a BYTES tensor. */
    public byte[][] bytesElements() {
        if (type != DataType.BYTES) {
            throw new IllegalStateException("not a BYTES tensor");
        }
        ByteBuffer b = data();
        byte[][] out = new byte[(int) elementCount()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = new byte[b.getInt()];
            b.get(out[i]);
        }
        return out;
    }

    private static void checkBytesLayout(String name, long n, ByteBuffer data) {
        ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < n; i++) {
            if (b.remaining() < 4) {
                throw new OipException("BYTES tensor '" + OipException.safe(name) + "' ends before element " + i);
            }
            int len = b.getInt();
            if (len < 0 || len > b.remaining()) {
                throw new OipException("BYTES tensor '" + OipException.safe(name) + "' element " + i + " has an invalid length");
            }
            b.position(b.position() + len);
        }
        if (b.hasRemaining()) {
            throw new OipException("BYTES tensor '" + OipException.safe(name) + "' has bytes after its last element");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && t.name.equals(name) && t.type == type && Arrays.equals(t.shape, shape) && t.data.equals(data);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    /** Never prints values (they may be a user's secret inputs or predictions). */
    @Override
    public String toString() {
        return "Tensor[" + name + " " + type + Arrays.toString(shape) + ", " + data.remaining() + " bytes]";
    }
}
