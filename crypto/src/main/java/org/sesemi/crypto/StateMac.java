package org.sesemi.crypto;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A keyed digest (HMAC-SHA256) under a key derived from a {@link SealingKey} for one purpose, for integrity of
 * state that only the same TEE identity may vouch for (row digests, hash chains). The host, which does not hold the
 * sealing key, can neither compute nor predict a tag, so a set of tags combined by XOR reveals nothing it could
 * steer. Thread-safe.
 */
public final class StateMac {
    /** Bytes of a tag. */
    public static final int TAG_BYTES = 32;

    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs;

    StateMac(byte[] derived) {
        this.key = new SecretKeySpec(derived, "HmacSHA256");
        java.util.Arrays.fill(derived, (byte) 0);
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    private Mac newMac() {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(key);
            return m;
        } catch (GeneralSecurityException e) {
            throw new CryptoException(CryptoException.Reason.PLATFORM, "HMAC-SHA256 unavailable", e);
        }
    }

    /** The tag of the concatenation of {@code parts}. */
    public byte[] tag(byte[]... parts) {
        Mac m = macs.get();
        for (byte[] p : parts) {
            m.update(p);
        }
        return m.doFinal();
    }

    /** Constant-time comparison of two tags. */
    public static boolean same(byte[] a, byte[] b) {
        return a != null && b != null && MessageDigest.isEqual(a, b);
    }

    @Override
    public String toString() {
        return "StateMac[<redacted>]";
    }
}
