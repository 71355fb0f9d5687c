package org.sesemi.attestation.dcap;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.PrivateKey;
import org.sesemi.crypto.Hashes;

/**
 * Writes DCAP ECDSA-P256 quotes byte-exactly (v3 with certification data type 5; v4/v5 with type 6 wrapping type 5).
 * Used by the simulated TEE and by test fixtures; the verifier treats the result exactly like a hardware quote.
 */
public final class QuoteWriter {
    private QuoteWriter() {}

    /**
     * The certifying part of a quote: the QE report signed by the PCK key, and the PCK chain (PEM).
     *
     * @param qeReport 384-byte QE report body whose report data binds the attestation key
     */
    public record QeCertification(byte[] qeReport, byte[] qeReportSignature, byte[] qeAuthData, byte[] pckChainPem) {}

    /** A QE report body binding {@code attestationKeyRaw} and {@code authData}, with the given QE identity fields. */
    public static byte[] qeReport(byte[] attestationKeyRaw, byte[] authData, byte[] qeMrSigner, int isvProdId, int isvSvn,
            long attributeFlags) {
        byte[] body = new byte[SgxReportBody.SIZE];
        ByteBuffer b = ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(48, attributeFlags);
        b.putLong(56, 0xE7L);
        System.arraycopy(qeMrSigner, 0, body, 128, 32);
        b.putShort(256, (short) isvProdId);
        b.putShort(258, (short) isvSvn);
        System.arraycopy(Hashes.sha256(attestationKeyRaw, authData), 0, body, 320, 32);
        return body;
    }

    /** An SGX report body with the identity fields the verifier looks at. */
    public static byte[] sgxReportBody(byte[] mrEnclave, byte[] mrSigner, int isvProdId, int isvSvn, long attributeFlags,
            byte[] reportData64) {
        byte[] body = new byte[SgxReportBody.SIZE];
        ByteBuffer b = ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(48, attributeFlags);
        b.putLong(56, 0x3L);
        System.arraycopy(mrEnclave, 0, body, 64, 32);
        System.arraycopy(mrSigner, 0, body, 128, 32);
        b.putShort(256, (short) isvProdId);
        b.putShort(258, (short) isvSvn);
        System.arraycopy(reportData64, 0, body, 320, 64);
        return body;
    }

    /**
     * Writes a quote.
     *
     * @param version 3, 4 or 5
     * @param teeType {@link Quote#TEE_TYPE_SGX} or {@link Quote#TEE_TYPE_TDX} (ignored for v3)
     * @param bodyType for v5: 1 SGX, 2 TD 1.0, 3 TD 1.5
     * @param body the report body bytes (384, 584 or 648)
     */
    public static byte[] write(int version, int teeType, int bodyType, byte[] body, int qeSvn, int pceSvn,
            byte[] userData20, PrivateKey attestationKey, byte[] attestationKeyRaw, QeCertification cert) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer h = ByteBuffer.allocate(Quote.HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        h.putShort((short) version).putShort((short) Quote.ATT_KEY_TYPE_ECDSA_P256)
                .putInt(version == 3 ? 0 : teeType).putShort((short) qeSvn).putShort((short) pceSvn)
                .put(Quote.INTEL_QE_VENDOR_ID).put(userData20, 0, 20);
        out.writeBytes(h.array());
        if (version == 5) {
            out.writeBytes(le16(bodyType));
            out.writeBytes(le32(body.length));
        }
        out.writeBytes(body);
        byte[] signed = out.toByteArray();
        byte[] isvSig = Ecdsa.sign(attestationKey, signed);

        ByteArrayOutputStream qeCert = new ByteArrayOutputStream();
        qeCert.writeBytes(cert.qeReport());
        qeCert.writeBytes(cert.qeReportSignature());
        qeCert.writeBytes(le16(cert.qeAuthData().length));
        qeCert.writeBytes(cert.qeAuthData());
        qeCert.writeBytes(le16(5));
        qeCert.writeBytes(le32(cert.pckChainPem().length));
        qeCert.writeBytes(cert.pckChainPem());
        byte[] qePart = qeCert.toByteArray();

        ByteArrayOutputStream sig = new ByteArrayOutputStream();
        sig.writeBytes(isvSig);
        sig.writeBytes(attestationKeyRaw);
        if (version == 3) {
            sig.writeBytes(qePart);
        } else {
            sig.writeBytes(le16(6));
            sig.writeBytes(le32(qePart.length));
            sig.writeBytes(qePart);
        }
        byte[] sigData = sig.toByteArray();
        out.writeBytes(le32(sigData.length));
        out.writeBytes(sigData);
        return out.toByteArray();
    }

    private static byte[] le16(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8)};
    }

    private static byte[] le32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }
}
