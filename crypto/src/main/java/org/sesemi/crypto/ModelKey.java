package org.sesemi.crypto;

/**
 * An AES-256 key that encrypts one model's envelope, with the version under which the KeyService stores it.
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows key bytes. The raw bytes leave this object only
 * through {@link #exportSecret()}, which exists for sealing, key files and the KeyService wire format.
 */
public final class ModelKey {
    private final SecretKeyBytes bytes;
    private final int version;

    private ModelKey(SecretKeyBytes bytes, int version) {
        if (version < 1) {
            throw new CryptoException(CryptoException.Reason.MALFORMED, "model key version must be >= 1, got " + version);
        }
        this.bytes = bytes;
        this.version = version;
    }

    /** A fresh random key. */
    public static ModelKey generate(int version) {
        return new ModelKey(SecretKeyBytes.generate(), version);
    }

    /** Rebuilds a key from exported bytes (32 bytes). The array is copied. */
    public static ModelKey fromSecret(byte[] raw, int version) {
        return new ModelKey(new SecretKeyBytes(raw), version);
    }

    public int version() {
        return version;
    }

    /** A copy of the raw key bytes. Callers must not log, print or persist them unsealed. */
    public byte[] exportSecret() {
        return bytes.copy();
    }

    SecretKeyBytes bytes() {
        return bytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelKey k && k.version == version && k.bytes.sameAs(bytes);
    }

    @Override
    public int hashCode() {
        return bytes.hash() * 31 + version;
    }

    @Override
    public String toString() {
        return "ModelKey[version=" + version + ", bytes=<redacted>]";
    }
}
