package org.sesemi.attestation.dcap;

import java.util.Arrays;

/** A TD report body: TDX 1.0 (584 bytes) or TDX 1.5 (648 bytes, adds TEE_TCB_SVN2 and MRSERVICETD). */
public final class TdReportBody implements ReportBody {
    public static final int SIZE_10 = 584;
    public static final int SIZE_15 = 648;
    private final byte[] raw;

    public TdReportBody(byte[] raw) {
        if (raw.length != SIZE_10 && raw.length != SIZE_15) {
            throw Bytes.malformed("TD report body must be 584 or 648 bytes, got " + raw.length);
        }
        this.raw = raw.clone();
    }

    @Override
    public byte[] raw() {
        return raw.clone();
    }

    public boolean isTdx15() {
        return raw.length == SIZE_15;
    }

    public byte[] teeTcbSvn() {
        return Arrays.copyOfRange(raw, 0, 16);
    }

    public byte[] mrSeam() {
        return Arrays.copyOfRange(raw, 16, 64);
    }

    public byte[] mrSignerSeam() {
        return Arrays.copyOfRange(raw, 64, 112);
    }

    public byte[] seamAttributes() {
        return Arrays.copyOfRange(raw, 112, 120);
    }

    public byte[] tdAttributes() {
        return Arrays.copyOfRange(raw, 120, 128);
    }

    public byte[] xfam() {
        return Arrays.copyOfRange(raw, 128, 136);
    }

    public byte[] mrTd() {
        return Arrays.copyOfRange(raw, 136, 184);
    }

    public byte[] mrConfigId() {
        return Arrays.copyOfRange(raw, 184, 232);
    }

    public byte[] mrOwner() {
        return Arrays.copyOfRange(raw, 232, 280);
    }

    public byte[] mrOwnerConfig() {
        return Arrays.copyOfRange(raw, 280, 328);
    }

    /** RTMR {@code i} (0..3). */
    public byte[] rtmr(int i) {
        if (i < 0 || i > 3) {
            throw new IllegalArgumentException("RTMR index 0..3");
        }
        return Arrays.copyOfRange(raw, 328 + 48 * i, 376 + 48 * i);
    }

    @Override
    public byte[] reportData() {
        return Arrays.copyOfRange(raw, 520, 584);
    }

    /** MRSERVICETD (TDX 1.5 only; all zero for 1.0 bodies). */
    public byte[] mrServiceTd() {
        return isTdx15() ? Arrays.copyOfRange(raw, 600, 648) : new byte[48];
    }

    /** TDATTRIBUTES bit 0 (TUD.DEBUG). */
    @Override
    public boolean debug() {
        return (raw[120] & 0x1) != 0;
    }
}
