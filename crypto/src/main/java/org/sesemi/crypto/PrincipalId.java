package org.sesemi.crypto;

import java.util.regex.Pattern;

/**
 * A principal's identity: lowercase hex SHA-256 of the DER SubjectPublicKeyInfo of its P-256 key.
 *
 * @param hex 64 lowercase hex characters
 */
public record PrincipalId(String hex) {
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

    public PrincipalId {
        if (hex == null || !HEX64.matcher(hex).matches()) {
            throw new CryptoException(CryptoException.Reason.MALFORMED,
                    "a principal id is 64 lowercase hex characters (SHA-256 of the public key)");
        }
    }

    public static PrincipalId parse(String s) {
        return new PrincipalId(s);
    }

    /** The id of a DER-encoded SubjectPublicKeyInfo. */
    public static PrincipalId ofPublicKey(byte[] derSubjectPublicKeyInfo) {
        return new PrincipalId(Hashes.sha256Hex(derSubjectPublicKeyInfo));
    }

    @Override
    public String toString() {
        return hex;
    }
}
