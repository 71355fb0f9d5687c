package org.sesemi.crypto;

import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Where a sealed payload too large for the platform lies in the object store: a store-relative object name, the
 * object's exact length and the SHA-256 of its bytes (nonce ‖ ciphertext ‖ tag). Wire form
 * ({@code "payloadRef"} of an envelope): {@code payloads/<64 hex>:<length>:<64 hex sha256>}. The name and length are
 * bound into the payload's AAD ({@link RequestCipher}); the hash lets a reader tell a swapped or truncated object from a
 * wrong key before decrypting.
 *
 * @param name {@code payloads/} followed by 64 lowercase hex digits (32 random bytes: unguessable)
 * @param length the object's length in bytes, at least {@link RequestEnvelope#MIN_PAYLOAD}
 * @param sha256 32 bytes (not copied; treat as immutable)
 */
public record PayloadRef(String name, long length, byte[] sha256) {
    /** The store-relative folder of payload objects. */
    public static final String PREFIX = "payloads/";
    private static final Pattern NAME = Pattern.compile("payloads/[0-9a-f]{64}");
    private static final Pattern WIRE = Pattern.compile("(payloads/[0-9a-f]{64}):([1-9][0-9]{0,15}):([0-9a-f]{64})");

    public PayloadRef {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new CryptoException(CryptoException.Reason.MALFORMED, "a payload reference names payloads/<64 lowercase hex digits>");
        }
        if (length < RequestEnvelope.MIN_PAYLOAD) {
            throw new CryptoException(CryptoException.Reason.MALFORMED, "a referenced payload holds at least a 12-byte nonce and a 16-byte tag");
        }
        if (sha256 == null || sha256.length != 32) {
            throw new CryptoException(CryptoException.Reason.MALFORMED, "a payload reference carries a 32-byte SHA-256");
        }
    }

    /** A fresh, unguessable object name ({@code payloads/} + 32 random bytes in hex). */
    public static String newName() {
        byte[] r = new byte[32];
        SecretKeyBytes.RANDOM.nextBytes(r);
        return PREFIX + HexFormat.of().formatHex(r);
    }

    /** Whether {@code name} is a valid payload object name (nothing else may be read or deleted through a reference). */
    public static boolean validName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** The reference to {@code object}, stored under {@code name}. */
    public static PayloadRef of(String name, byte[] object) {
        return new PayloadRef(name, object.length, Hashes.sha256(object));
    }

    /** Parses the wire form. */
    public static PayloadRef parse(String wire) {
        var m = wire == null ? null : WIRE.matcher(wire);
        if (m == null || !m.matches()) {
            throw new CryptoException(CryptoException.Reason.MALFORMED, "payloadRef must be payloads/<64 hex>:<length>:<64 hex sha256>");
        }
        return new PayloadRef(m.group(1), Long.parseLong(m.group(2)), HexFormat.of().parseHex(m.group(3)));
    }

    public String wire() {
        return name + ":" + length + ":" + HexFormat.of().formatHex(sha256);
    }

    /**
     * Checks that {@code object} is the one this reference names: exact length, then hash.
     *
     * @throws CryptoException TRUNCATED when shorter, TRAILING_DATA when longer, AUTHENTICATION_FAILED when the hash differs
     */
    public void verify(byte[] object) {
        if (object.length < length) {
            throw new CryptoException(CryptoException.Reason.TRUNCATED,
                    "the stored payload has " + object.length + " bytes, its reference says " + length);
        }
        if (object.length > length) {
            throw new CryptoException(CryptoException.Reason.TRAILING_DATA, "the stored payload is longer than its reference says (" + length + " bytes)");
        }
        if (!java.security.MessageDigest.isEqual(Hashes.sha256(object), sha256)) {
            throw new CryptoException(CryptoException.Reason.AUTHENTICATION_FAILED,
                    "the stored payload is not the one its reference names (SHA-256 differs): swapped or modified in the store");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PayloadRef r && r.name.equals(name) && r.length == length && java.util.Arrays.equals(r.sha256, sha256);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Long.hashCode(length);
    }

    @Override
    public String toString() {
        return "PayloadRef[" + wire() + "]";
    }
}
