package org.sesemi.protocol.oip;

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

    /**
     * Parses an OIP datatype name. Names are case-sensitive, as the protocol spells them ({@code "FP32"}; {@code "fp32"}
     * is refused with a hint). {@code BF16} is a datatype of the protocol's binary extension that this runtime does not
     * serve: it is refused with its own message rather than as an unknown name.
     */
    public static DataType parse(String s) {
        for (DataType t : values()) {
            if (t.name().equals(s)) {
                return t;
            }
        }
        if ("BF16".equals(s)) {
            throw new OipException("datatype BF16 is not supported: send the tensor as FP32 or FP16");
        }
        String upper = s.toUpperCase(Locale.ROOT);
        for (DataType t : values()) {
            if (t.name().equals(upper)) {
                throw new OipException("unknown datatype '" + OipException.safe(s) + "': datatype names are case-sensitive, use '"
                        + t.name() + "'");
            }
        }
        throw new OipException("unknown datatype '" + OipException.safe(s) + "'");
    }
}
