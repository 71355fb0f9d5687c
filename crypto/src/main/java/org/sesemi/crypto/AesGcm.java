package org.sesemi.crypto;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** AES-256-GCM with a 96-bit nonce and a 128-bit tag: the one AEAD every SeSeMI format uses. */
final class AesGcm {
    static final int KEY_BYTES = 32;
    static final int NONCE_BYTES = 12;
    static final int TAG_BYTES = 16;
    private static final String TRANSFORMATION = "AES/GCM/NoPadding";

    private AesGcm() {}

    static SecretKey key(byte[] raw) {
        if (raw.length != KEY_BYTES) {
            throw new CryptoException(CryptoException.Reason.MALFORMED, "an AES-256 key has 32 bytes, got " + raw.length);
        }
        return new SecretKeySpec(raw, "AES");
    }

    static byte[] encrypt(SecretKey key, byte[] nonce, byte[] aad, byte[] plaintext) {
        try {
            Cipher c = cipher(Cipher.ENCRYPT_MODE, key, nonce);
            c.updateAAD(aad);
            return c.doFinal(plaintext);
        } catch (GeneralSecurityException e) {
            throw new CryptoException(CryptoException.Reason.PLATFORM, "AES-GCM encryption unavailable: " + e.getClass().getSimpleName(), e);
        }
    }

    /** Decrypts {@code ct ‖ tag}; throws AUTHENTICATION_FAILED on any mismatch. Never returns unauthenticated bytes. */
    static byte[] decrypt(SecretKey key, byte[] nonce, byte[] aad, byte[] ciphertextAndTag, int off, int len) {
        try {
            Cipher c = cipher(Cipher.DECRYPT_MODE, key, nonce);
            c.updateAAD(aad);
            return c.doFinal(ciphertextAndTag, off, len);
        } catch (AEADBadTagException e) {
            throw new CryptoException(CryptoException.Reason.AUTHENTICATION_FAILED, "authentication failed");
        } catch (GeneralSecurityException e) {
            throw new CryptoException(CryptoException.Reason.AUTHENTICATION_FAILED, "authentication failed: " + e.getClass().getSimpleName());
        }
    }

    /**
     * Decrypts {@code ct ‖ tag} from {@code in} into {@code out} at its position. The JDK provider verifies the tag
     * before writing plaintext, so on failure {@code out} is unchanged.
     *
     * @return false when authentication fails
     */
    static boolean decryptInto(SecretKey key, byte[] nonce, byte[] aad, ByteBuffer in, ByteBuffer out) {
        try {
            Cipher c = cipher(Cipher.DECRYPT_MODE, key, nonce);
            c.updateAAD(aad);
            c.doFinal(in, out);
            return true;
        } catch (AEADBadTagException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new CryptoException(CryptoException.Reason.PLATFORM, "AES-GCM decryption failed: " + e.getClass().getSimpleName(), e);
        }
    }

    static void encryptInto(SecretKey key, byte[] nonce, byte[] aad, ByteBuffer in, ByteBuffer out) {
        try {
            Cipher c = cipher(Cipher.ENCRYPT_MODE, key, nonce);
            c.updateAAD(aad);
            c.doFinal(in, out);
        } catch (GeneralSecurityException e) {
            throw new CryptoException(CryptoException.Reason.PLATFORM, "AES-GCM encryption failed: " + e.getClass().getSimpleName(), e);
        }
    }

    private static Cipher cipher(int mode, SecretKey key, byte[] nonce) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance(TRANSFORMATION);
        c.init(mode, key, new GCMParameterSpec(TAG_BYTES * 8, nonce));
        return c;
    }
}
