package org.sesemi.crypto;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** SHA-256 and HMAC-SHA256 helpers. */
public final class Hashes {
    private Hashes() {}

    public static byte[] sha256(byte[]... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (byte[] p : parts) {
                md.update(p);
            }
            return md.digest();
        } catch (GeneralSecurityException e) {
            throw new CryptoException(CryptoException.Reason.PLATFORM, "SHA-256 unavailable", e);
        }
    }

    public static String sha256Hex(byte[]... parts) {
        return HexFormat.of().formatHex(sha256(parts));
    }

    static byte[] hmacSha256(byte[] key, byte[]... parts) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            for (byte[] p : parts) {
                mac.update(p);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new CryptoException(CryptoException.Reason.PLATFORM, "HMAC-SHA256 unavailable", e);
        }
    }
}
