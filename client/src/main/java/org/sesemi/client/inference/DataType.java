package org.sesemi.client.inference;

import java.util.Locale;

/** Open Inference Protocol tensor datatypes, with their element size in the binary layout (BYTES is variable). */
public enum DataType {
    BOOL(1), UINT8(1), UINT16(2), UINT32(4), UINT64(8), INT8(1), INT16(2), INT32(4), INT64(8), FP16(2), FP32(4), FP64(8),
    BYTES(-1);

    private final int size;

    DataType(int size) {
        this.size = size;
    }

    /** Bytes per element in the little-endian binary layout; -1 for BYTES (length-prefixed elements). */
    public int size() {
        return size;
    }

    /** Parses an OIP datatype name ({@code "FP32"}, case-insensitive). */
    public static DataType parse(String s) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new OipException("unknown datatype '" + OipException.safe(s) + "'");
        }
    }
}
