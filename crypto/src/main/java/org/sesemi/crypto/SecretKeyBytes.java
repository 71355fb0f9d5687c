package org.sesemi.crypto;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.SecretKey;

/** Shared holder of 32 secret bytes for the typed keys; never printed, compared in constant time. */
final class SecretKeyBytes {
    static final SecureRandom RANDOM = new SecureRandom();
    private final byte[] raw;
    private final SecretKey aesKey;

    SecretKeyBytes(byte[] raw) {
        this.aesKey = AesGcm.key(raw);
        this.raw = raw.clone();
    }

    static SecretKeyBytes generate() {
        byte[] b = new byte[AesGcm.KEY_BYTES];
        RANDOM.nextBytes(b);
        return new SecretKeyBytes(b);
    }

    SecretKey aesKey() {
        return aesKey;
    }

    byte[] copy() {
        return raw.clone();
    }

    boolean sameAs(SecretKeyBytes other) {
        return MessageDigest.isEqual(raw, other.raw);
    }

    int hash() {
        return Arrays.hashCode(Hashes.sha256(raw));
    }
}
