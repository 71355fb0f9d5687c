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
        return decrypt(CryptoProvider.jdk(), key, nonce, aad, ciphertextAndTag, off, len);
    }

    /** As above with {@code provider}'s current choice (a failed decryption returns no array, so nothing escapes). */
    static byte[] decrypt(CryptoProvider provider, SecretKey key, byte[] nonce, byte[] aad, byte[] ciphertextAndTag, int off, int len) {
        try {
            Cipher c = cipher(provider, Cipher.DECRYPT_MODE, key, nonce);
            c.updateAAD(aad);
            return c.doFinal(ciphertextAndTag, off, len);
        } catch (AEADBadTagException e) {
            throw new CryptoException(CryptoException.Reason.AUTHENTICATION_FAILED, "authentication failed");
        } catch (GeneralSecurityException e) {
            throw new CryptoException(CryptoException.Reason.AUTHENTICATION_FAILED, "authentication failed: " + e.getClass().getSimpleName());
        }
    }

    /**
     * As {@link #decrypt(CryptoProvider, SecretKey, byte[], byte[], byte[], int, int)}, writing the plaintext into
     * {@code out} at {@code outOff} instead of a fresh array. On failure that range is zeroed, whatever the provider
     * wrote there, so no unauthenticated plaintext survives.
     *
     * @return the plaintext length, {@code len - TAG_BYTES}
     */
    static int decrypt(CryptoProvider provider, SecretKey key, byte[] nonce, byte[] aad, byte[] ciphertextAndTag, int off, int len,
            byte[] out, int outOff) {
        int n = len - TAG_BYTES;
        java.util.Objects.checkFromIndexSize(outOff, n, out.length);
        try {
            Cipher c = cipher(provider, Cipher.DECRYPT_MODE, key, nonce);
            c.updateAAD(aad);
            return c.doFinal(ciphertextAndTag, off, len, out, outOff);
        } catch (GeneralSecurityException e) {
            java.util.Arrays.fill(out, outOff, outOff + n, (byte) 0);
            throw new CryptoException(CryptoException.Reason.AUTHENTICATION_FAILED,
                    e instanceof AEADBadTagException ? "authentication failed" : "authentication failed: " + e.getClass().getSimpleName());
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
     *
     * <p>Buffer shapes are chosen for speed, measured in {@code docs/benchmarks.md}: warm, both providers are several
     * times faster on heap arrays than on direct buffers (which they process through small bounce buffers), so
     * segments up to {@link #MAX_STAGED} bytes are decrypted between heap arrays and copied from/to direct buffers;
     * cold, the JDK provider is the exception (see {@link #JDK_COLD_BYTES}).
     */
    static boolean decryptInto(CryptoProvider provider, SecretKey key, byte[] nonce, byte[] aad, ByteBuffer in, ByteBuffer out) {
        Optional<Provider> p = provider.current();
        int n = in.remaining();
        ByteBuffer src = in;
        ByteBuffer dst = out;
        byte[] scratch = null;
        int room = out.remaining();
        if (n <= MAX_STAGED) {
            if (p.isEmpty() && JDK_COLD_BYTES.get() > 0 && JDK_COLD_BYTES.getAndAdd(-n) > 0) {
                if (!in.isDirect()) {
                    src = Staging.direct(in);
                }
            } else {
                if (in.isDirect()) {
                    src = Staging.heap(in);
                }
                if (out.isDirect()) {
                    scratch = Staging.scratch(room);
                    dst = ByteBuffer.wrap(scratch, 0, room);
                }
            }
        }
        try {
            Cipher c = p.isPresent() ? Cipher.getInstance(TRANSFORMATION, p.get()) : Cipher.getInstance(TRANSFORMATION);
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, nonce));
            c.updateAAD(aad);
            int len = c.doFinal(src, dst);
            if (scratch != null) {
                out.put(scratch, 0, len);
            }
            return true;
        } catch (AEADBadTagException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new CryptoException(CryptoException.Reason.PLATFORM, "AES-GCM decryption failed: " + e.getClass().getSimpleName(), e);
        } finally {
            if (scratch != null) {
                java.util.Arrays.fill(scratch, 0, room, (byte) 0); // it held plaintext
            }
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
    /** Largest segment (ciphertext with tag) that is copied into a per-thread buffer; larger ones are used as given. */
    private static final int MAX_STAGED = (4 << 20) + TAG_BYTES;

    /** Per-thread bounce buffers, at most {@link #MAX_STAGED} bytes each. */
    private static final class Staging {
        private static final ThreadLocal<ByteBuffer> DIRECT = new ThreadLocal<>();
        private static final ThreadLocal<byte[]> HEAP = new ThreadLocal<>();
        private static final ThreadLocal<byte[]> SCRATCH = new ThreadLocal<>();

        /** A direct copy of ciphertext {@code in} (not consumed). */
        static ByteBuffer direct(ByteBuffer in) {
            ByteBuffer b = DIRECT.get();
            if (b == null || b.capacity() < in.remaining()) {
                b = ByteBuffer.allocateDirect(Math.max(in.remaining(), 256 << 10));
                DIRECT.set(b);
            }
            return b.clear().put(in.duplicate()).flip();
        }

        /** A heap copy of ciphertext {@code in} (not consumed). */
        static ByteBuffer heap(ByteBuffer in) {
            int n = in.remaining();
            byte[] a = HEAP.get();
            if (a == null || a.length < n) {
                a = new byte[Math.max(n, 256 << 10)];
                HEAP.set(a);
            }
            in.duplicate().get(a, 0, n);
            return ByteBuffer.wrap(a, 0, n);
        }

        /** A heap array of at least {@code n} bytes for plaintext; the caller zeroes it after use. */
        static byte[] scratch(int n) {
            byte[] a = SCRATCH.get();
            if (a == null || a.length < n) {
                a = new byte[Math.max(n, 256 << 10)];
                SCRATCH.set(a);
            }
            return a;
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

    /**
     * Encrypts the concatenation of {@code parts} (not consumed) into {@code out} at {@code outOff}, writing
     * ciphertext ‖ tag (their total length plus {@link #TAG_BYTES}): the same bytes as {@link #encrypt} of the
     * concatenated plaintext.
     */
    static void encryptParts(CryptoProvider provider, SecretKey key, byte[] nonce, byte[] aad, java.util.List<ByteBuffer> parts,
            byte[] out, int outOff) {
        try {
            long total = TAG_BYTES;
            for (ByteBuffer part : parts) {
                total += part.remaining();
            }
            java.util.Objects.checkFromIndexSize(outOff, total, out.length);
            int end = outOff + (int) total;
            Cipher c = cipher(provider, Cipher.ENCRYPT_MODE, key, nonce);
            c.updateAAD(aad);
            int pos = outOff;
            for (ByteBuffer part : parts) {
                ByteBuffer p = part.duplicate();
                if (p.hasArray()) {
                    pos += c.update(p.array(), p.arrayOffset() + p.position(), p.remaining(), out, pos);
                } else {
                    pos += c.update(p, ByteBuffer.wrap(out, pos, out.length - pos));
                }
            }
            pos += c.doFinal(out, pos);
            if (pos != end) {
                throw new IllegalStateException("AES-GCM wrote " + (pos - outOff) + " bytes, expected " + (end - outOff));
            }
        } catch (GeneralSecurityException e) {
            throw new CryptoException(CryptoException.Reason.PLATFORM, "AES-GCM encryption failed: " + e.getClass().getSimpleName(), e);
        }
    }

    private static Cipher cipher(int mode, SecretKey key, byte[] nonce) throws GeneralSecurityException {
        return cipher(CryptoProvider.jdk(), mode, key, nonce);
    }

    private static Cipher cipher(CryptoProvider provider, int mode, SecretKey key, byte[] nonce) throws GeneralSecurityException {
        Optional<Provider> p = provider.current();
        Cipher c = p.isPresent() ? Cipher.getInstance(TRANSFORMATION, p.get()) : Cipher.getInstance(TRANSFORMATION);
        c.init(mode, key, new GCMParameterSpec(TAG_BYTES * 8, nonce));
        return c;
    }
}
