package org.sesemi.attestation.dcap;

import java.util.Arrays;
import org.sesemi.attestation.AttestationException;

/** Bounds-checked little-endian reader over untrusted bytes; every overrun is a typed MALFORMED error. */
final class Bytes {
    private final byte[] data;
    private final int end;
    private int pos;
    private final String what;

    Bytes(byte[] data, int start, int end, String what) {
        if (start < 0 || end > data.length || start > end) {
            throw malformed(what + ": truncated");
        }
        this.data = data;
        this.pos = start;
        this.end = end;
        this.what = what;
    }

    int position() {
        return pos;
    }

    int remaining() {
        return end - pos;
    }

    byte[] take(int n) {
        need(n);
        byte[] out = Arrays.copyOfRange(data, pos, pos + n);
        pos += n;
        return out;
    }

    int u16() {
        need(2);
        int v = (data[pos] & 0xFF) | (data[pos + 1] & 0xFF) << 8;
        pos += 2;
        return v;
    }

    long u32() {
        need(4);
        long v = (data[pos] & 0xFFL) | (data[pos + 1] & 0xFFL) << 8 | (data[pos + 2] & 0xFFL) << 16
                | (data[pos + 3] & 0xFFL) << 24;
        pos += 4;
        return v;
    }

    /** A length field that must fit in what is left of this region. */
    int length32(String field) {
        long v = u32();
        if (v > remaining()) {
            throw malformed(what + ": " + field + " " + v + " exceeds the " + remaining() + " bytes left");
        }
        return (int) v;
    }

    int length16(String field) {
        int v = u16();
        if (v > remaining()) {
            throw malformed(what + ": " + field + " " + v + " exceeds the " + remaining() + " bytes left");
        }
        return v;
    }

    private void need(int n) {
        if (n < 0 || n > end - pos) {
            throw malformed(what + ": truncated (need " + n + " bytes at offset " + pos + ", " + (end - pos) + " left)");
        }
    }

    static AttestationException malformed(String msg) {
        return new AttestationException(AttestationException.Reason.MALFORMED, msg);
    }

    static long le64(byte[] b, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }

    static int le16(byte[] b, int off) {
        return (b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8;
    }

    static int le32(byte[] b, int off) {
        return (b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8 | (b[off + 2] & 0xFF) << 16 | (b[off + 3] & 0xFF) << 24;
    }

    static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
