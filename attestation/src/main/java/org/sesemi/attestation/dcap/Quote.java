package org.sesemi.attestation.dcap;

import java.util.Arrays;
import java.util.HexFormat;
import org.sesemi.attestation.AttestationException;
import org.sesemi.attestation.TeeType;

/**
 * A parsed Intel DCAP ECDSA quote (v3 SGX, v4 SGX/TDX, v5 with body types 1–3).
 *
 * <p>Parsing follows the declared lengths only: bytes after the signature data are ignored (real TDX quotes are padded
 * to 5006 or 8000 bytes). Parsing checks structure, not authenticity; {@link org.sesemi.attestation.QuoteVerifier}
 * does that. Instances are immutable; array accessors return copies.
 */
public final class Quote {
    /** Intel's QE vendor id. */
    public static final byte[] INTEL_QE_VENDOR_ID = HexFormat.of().parseHex("939a7233f79c4ca9940a0db3957f0607");
    public static final int HEADER_SIZE = 48;
    public static final int ATT_KEY_TYPE_ECDSA_P256 = 2;
    public static final int TEE_TYPE_SGX = 0x00000000;
    public static final int TEE_TYPE_TDX = 0x00000081;
    /** Inputs larger than this are refused before parsing (real quotes are ~5 KB). */
    public static final int MAX_QUOTE_BYTES = 1 << 20;
    static final int MAX_CERT_DATA = 64 * 1024;

    private final int version;
    private final int attestationKeyType;
    private final TeeType tee;
    private final int qeSvn;
    private final int pceSvn;
    private final byte[] qeVendorId;
    private final byte[] userData;
    private final int bodyType;
    private final ReportBody body;
    private final byte[] signedBytes;
    private final byte[] isvSignature;
    private final byte[] attestationKey;
    private final SgxReportBody qeReport;
    private final byte[] qeReportSignature;
    private final byte[] qeAuthData;
    private final int certDataType;
    private final byte[] certData;
    private final int length;

    private Quote(byte[] q) {
        if (q.length > MAX_QUOTE_BYTES) {
            throw Bytes.malformed("quote larger than " + MAX_QUOTE_BYTES + " bytes");
        }
        Bytes r = new Bytes(q, 0, q.length, "quote");
        version = r.u16();
        attestationKeyType = r.u16();
        int teeField = (int) r.u32();
        qeSvn = r.u16();
        pceSvn = r.u16();
        qeVendorId = r.take(16);
        userData = r.take(20);
        if (version < 3 || version > 5) {
            throw unsupported("quote version " + version + " (supported: 3, 4, 5)");
        }
        if (attestationKeyType != ATT_KEY_TYPE_ECDSA_P256) {
            throw unsupported("attestation key type " + attestationKeyType + " (supported: 2 = ECDSA P-256)");
        }
        if (version == 3) {
            // v3 has no TEE type field (the 4 bytes are reserved): it is always an SGX quote.
            tee = TeeType.SGX;
        } else if (teeField == TEE_TYPE_SGX) {
            tee = TeeType.SGX;
        } else if (teeField == TEE_TYPE_TDX) {
            tee = TeeType.TDX;
        } else {
            throw unsupported(String.format("TEE type 0x%08x", teeField));
        }
        int bodySize;
        if (version == 5) {
            bodyType = r.u16();
            bodySize = (int) Math.min(r.u32(), Integer.MAX_VALUE);
            int expected = switch (bodyType) {
                case 1 -> SgxReportBody.SIZE;
                case 2 -> TdReportBody.SIZE_10;
                case 3 -> TdReportBody.SIZE_15;
                default -> throw unsupported("v5 body type " + bodyType);
            };
            if (bodySize != expected) {
                throw Bytes.malformed("v5 body type " + bodyType + " declares " + bodySize + " bytes, expected " + expected);
            }
            if ((bodyType == 1) != (tee == TeeType.SGX)) {
                throw Bytes.malformed("v5 body type " + bodyType + " does not match TEE type " + tee);
            }
        } else {
            bodyType = tee == TeeType.SGX ? 1 : 2;
            bodySize = tee == TeeType.SGX ? SgxReportBody.SIZE : TdReportBody.SIZE_10;
        }
        byte[] bodyBytes = r.take(bodySize);
        body = bodyType == 1 ? new SgxReportBody(bodyBytes) : new TdReportBody(bodyBytes);
        int signedEnd = r.position();
        signedBytes = Arrays.copyOfRange(q, 0, signedEnd);
        int sigLen = r.length32("signature data length");
        int sigStart = r.position();
        int sigEnd = sigStart + sigLen;
        length = sigEnd;
        Bytes s = new Bytes(q, sigStart, sigEnd, "quote signature data");
        isvSignature = s.take(64);
        attestationKey = s.take(64);
        if (version == 3) {
            qeReport = new SgxReportBody(s.take(SgxReportBody.SIZE));
            qeReportSignature = s.take(64);
            qeAuthData = s.take(s.length16("QE auth data size"));
            certDataType = s.u16();
            certData = s.take(s.length32("certification data size"));
        } else {
            int outerType = s.u16();
            int outerSize = s.length32("certification data size");
            if (outerType != 6) {
                throw unsupported("v" + version + " certification data type " + outerType + " (supported: 6)");
            }
            Bytes inner = new Bytes(q, s.position(), s.position() + outerSize, "QE report certification data");
            qeReport = new SgxReportBody(inner.take(SgxReportBody.SIZE));
            qeReportSignature = inner.take(64);
            qeAuthData = inner.take(inner.length16("QE auth data size"));
            certDataType = inner.u16();
            certData = inner.take(inner.length32("PCK certification data size"));
        }
        if (certDataType != 5) {
            throw unsupported("certification data type " + certDataType
                    + " (supported: 5 = PCK certificate chain; types 1-4 need a PCCS lookup)");
        }
        if (certData.length > MAX_CERT_DATA) {
            throw Bytes.malformed("PCK certificate chain larger than " + MAX_CERT_DATA + " bytes");
        }
    }

    /**
     * Parses a quote.
     *
     * @throws AttestationException MALFORMED for truncated/inconsistent bytes, UNSUPPORTED for versions, key types or
     *     certification data types this verifier does not handle
     */
    public static Quote parse(byte[] quote) {
        if (quote == null) {
            throw Bytes.malformed("no quote");
        }
        return new Quote(quote);
    }

    private static AttestationException unsupported(String what) {
        return new AttestationException(AttestationException.Reason.UNSUPPORTED, "unsupported " + what);
    }

    public int version() {
        return version;
    }

    public int attestationKeyType() {
        return attestationKeyType;
    }

    public TeeType tee() {
        return tee;
    }

    /** Header QE SVN (meaningful in v3 only). */
    public int qeSvn() {
        return qeSvn;
    }

    /** Header PCE SVN (meaningful in v3 only). */
    public int pceSvn() {
        return pceSvn;
    }

    public byte[] qeVendorId() {
        return qeVendorId.clone();
    }

    public byte[] userData() {
        return userData.clone();
    }

    /** 1 = SGX report, 2 = TD report 1.0, 3 = TD report 1.5 (v3/v4 quotes report the implied type). */
    public int bodyType() {
        return bodyType;
    }

    public ReportBody body() {
        return body;
    }

    /** The bytes the attestation key signs: header and body (for v5 including body type and size). */
    public byte[] signedBytes() {
        return signedBytes.clone();
    }

    public byte[] isvSignature() {
        return isvSignature.clone();
    }

    /** Raw attestation public key x ‖ y (64 bytes). */
    public byte[] attestationKey() {
        return attestationKey.clone();
    }

    public SgxReportBody qeReport() {
        return qeReport;
    }

    public byte[] qeReportSignature() {
        return qeReportSignature.clone();
    }

    public byte[] qeAuthData() {
        return qeAuthData.clone();
    }

    public int certDataType() {
        return certDataType;
    }

    /** The PCK certificate chain as carried in the quote (PEM, possibly NUL-terminated). */
    public byte[] certData() {
        return certData.clone();
    }

    /** Number of bytes the quote occupies by its declared lengths (trailing bytes excluded). */
    public int length() {
        return length;
    }
}
