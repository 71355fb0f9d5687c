package org.sesemi.crypto;

/**
 * A user's AES-256 key for the request/response envelopes of one (model, runtime measurement) pair.
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows key bytes; raw bytes leave only through
 * {@link #exportSecret()}.
 */
public final class RequestKey {
    private final SecretKeyBytes bytes;

    private RequestKey(SecretKeyBytes bytes) {
        this.bytes = bytes;
    }

    public static RequestKey generate() {
        return new RequestKey(SecretKeyBytes.generate());
    }

    /** Rebuilds a key from exported bytes (32 bytes). The array is copied. */
    public static RequestKey fromSecret(byte[] raw) {
        return new RequestKey(new SecretKeyBytes(raw));
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
        return o instanceof RequestKey k && k.bytes.sameAs(bytes);
    }

    @Override
    public int hashCode() {
        return bytes.hash();
    }

    @Override
    public String toString() {
        return "RequestKey[<redacted>]";
    }
}
