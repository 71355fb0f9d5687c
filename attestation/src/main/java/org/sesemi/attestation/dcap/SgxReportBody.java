package org.sesemi.attestation.dcap;

import java.util.Arrays;

/**
 * The 384-byte SGX REPORTBODY (also the QE report inside every quote). Offsets per Intel's {@code sgx_report_body_t}.
 */
public final class SgxReportBody implements ReportBody {
    public static final int SIZE = 384;
    private final byte[] raw;

    public SgxReportBody(byte[] raw) {
        if (raw.length != SIZE) {
            throw Bytes.malformed("SGX report body must be 384 bytes, got " + raw.length);
        }
        this.raw = raw.clone();
    }

    @Override
    public byte[] raw() {
        return raw.clone();
    }

    public byte[] cpuSvn() {
        return Arrays.copyOfRange(raw, 0, 16);
    }

    public int miscSelect() {
        return Bytes.le32(raw, 16);
    }

    /** ATTRIBUTES: flags (u64) ‖ xfrm (u64). */
    public byte[] attributes() {
        return Arrays.copyOfRange(raw, 48, 64);
    }

    public long attributeFlags() {
        return Bytes.le64(raw, 48);
    }

    public byte[] mrEnclave() {
        return Arrays.copyOfRange(raw, 64, 96);
    }

    public byte[] mrSigner() {
        return Arrays.copyOfRange(raw, 128, 160);
    }

    public int isvProdId() {
        return Bytes.le16(raw, 256);
    }

    public int isvSvn() {
        return Bytes.le16(raw, 258);
    }

    @Override
    public byte[] reportData() {
        return Arrays.copyOfRange(raw, 320, 384);
    }

    /** ATTRIBUTES.flags bit 1. */
    @Override
    public boolean debug() {
        return (attributeFlags() & 0x2) != 0;
    }
}
