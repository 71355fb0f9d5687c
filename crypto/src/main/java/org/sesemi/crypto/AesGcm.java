package org.sesemi.crypto;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.util.Optional;
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
        return decryptInto(CryptoProvider.jdk(), key, nonce, aad, in, out);
    }

    /**
     * As {@link #decryptInto(SecretKey, byte[], byte[], ByteBuffer, ByteBuffer)}, with whichever provider
     * {@code provider} offers for this call (the native one once loaded, else the JDK's). Callers wipe {@code out}
     * on failure, so no provider's partial output can escape.
     */
    static boolean decryptInto(CryptoProvider provider, SecretKey key, byte[] nonce, byte[] aad, ByteBuffer in, ByteBuffer out) {
        try {
            Optional<Provider> p = provider.current();
            if (p.isEmpty() && !in.isDirect() && !out.isDirect() && in.remaining() <= MAX_STAGED
                    && JDK_COLD_BYTES.getAndAdd(-in.remaining()) > 0) {
                in = staged(in);
            }
            Cipher c = p.isPresent() ? Cipher.getInstance(TRANSFORMATION, p.get()) : Cipher.getInstance(TRANSFORMATION);
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, nonce));
            c.updateAAD(aad);
            c.doFinal(in, out);
            return true;
        } catch (AEADBadTagException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new CryptoException(CryptoException.Reason.PLATFORM, "AES-GCM decryption failed: " + e.getClass().getSimpleName(), e);
        }
    }

    /**
     * Ciphertext bytes the JDK provider decrypts from a direct buffer at the start of this process. Why: with heap
     * buffers SunJCE hands a whole segment to its AES-GCM intrinsic in one call, so in a fresh JVM the work runs in
     * the interpreter until that rarely called method is compiled (100–200 MB/s); with a direct source buffer it
     * calls the intrinsic once per 512 bytes, gets it compiled within milliseconds and runs several times faster
     * cold. Warm, the heap path is faster again (no copy, one call per segment), so only the first bytes are staged.
     * Ciphertext only: plaintext never enters the staging buffer. Tunable for measurements, not configuration.
     */
    private static final java.util.concurrent.atomic.AtomicLong JDK_COLD_BYTES =
            new java.util.concurrent.atomic.AtomicLong(Long.getLong("sesemi.crypto.jdkColdBytes", 64L << 20));
    private static final int MAX_STAGED = (4 << 20) + TAG_BYTES;
    private static final ThreadLocal<ByteBuffer> STAGING = new ThreadLocal<>();

    private static ByteBuffer staged(ByteBuffer in) {
        ByteBuffer b = STAGING.get();
        if (b == null || b.capacity() < in.remaining()) {
            b = ByteBuffer.allocateDirect(Math.max(in.remaining(), 256 << 10));
            STAGING.set(b);
        }
        b.clear();
        b.put(in.duplicate()).flip();
        return b;
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
