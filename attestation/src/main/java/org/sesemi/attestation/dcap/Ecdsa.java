package org.sesemi.attestation.dcap;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.sesemi.attestation.AttestationException;

/** ECDSA P-256 with SHA-256 over DCAP's raw encodings: signatures r ‖ s, public keys x ‖ y (64 bytes each). */
public final class Ecdsa {
    private static final ECParameterSpec P256 = p256();
    private static final X9ECParameters BC_P256 = ECNamedCurveTable.getByName("secp256r1");
    private static final String RAW_ALG = "SHA256withECDSAinP1363Format";

    private Ecdsa() {}

    /** A P-256 public key from raw x ‖ y; rejects points not on the curve. */
    public static ECPublicKey publicKey(byte[] xy) {
        if (xy.length != 64) {
            throw Bytes.malformed("raw P-256 public key must be 64 bytes");
        }
        BigInteger x = new BigInteger(1, Arrays.copyOfRange(xy, 0, 32));
        BigInteger y = new BigInteger(1, Arrays.copyOfRange(xy, 32, 64));
        try {
            if (!BC_P256.getCurve().createPoint(x, y).isValid()) {
                throw new AttestationException(AttestationException.Reason.SIGNATURE_INVALID,
                        "attestation key is not a point on P-256");
            }
        } catch (IllegalArgumentException e) {
            throw new AttestationException(AttestationException.Reason.SIGNATURE_INVALID,
                    "attestation key is not a point on P-256");
        }
        try {
            return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(x, y), P256));
        } catch (GeneralSecurityException e) {
            throw new AttestationException(AttestationException.Reason.SIGNATURE_INVALID, "unusable P-256 key", e);
        }
    }

    /** Raw x ‖ y of a P-256 public key. */
    public static byte[] rawPublicKey(PublicKey key) {
        ECPublicKey ec = (ECPublicKey) key;
        byte[] out = new byte[64];
        copyFixed(ec.getW().getAffineX(), out, 0);
        copyFixed(ec.getW().getAffineY(), out, 32);
        return out;
    }

    /** Verifies a raw r ‖ s signature; any malformed input simply does not verify. */
    public static boolean verify(PublicKey key, byte[] data, byte[] rawSignature) {
        if (rawSignature.length != 64) {
            return false;
        }
        try {
            Signature s = Signature.getInstance(RAW_ALG);
            s.initVerify(key);
            s.update(data);
            return s.verify(rawSignature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /** Signs with raw r ‖ s output (simulated TEE and test fixtures). */
    public static byte[] sign(PrivateKey key, byte[] data) {
        try {
            Signature s = Signature.getInstance(RAW_ALG);
            s.initSign(key);
            s.update(data);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ECDSA P-256 unavailable", e);
        }
    }

    private static void copyFixed(BigInteger v, byte[] out, int off) {
        byte[] b = v.toByteArray();
        int n = Math.min(b.length, 32);
        System.arraycopy(b, b.length - n, out, off + 32 - n, n);
    }

    private static ECParameterSpec p256() {
        try {
            AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
            p.init(new ECGenParameterSpec("secp256r1"));
            return p.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("P-256 unavailable", e);
        }
    }
}
