package org.sesemi.crypto;

/**
 * Seals small records (keys, state rows) so that only the same TEE identity can open them.
 *
 * <p>TEE providers supply the key material (e.g. Gramine's {@code _sgx_mrenclave} key); {@link #aesGcm(byte[])} is
 * the one implementation of the sealing format: {@code nonce(12) ‖ AES-256-GCM(ct ‖ tag)} with caller-supplied AAD.
 * Implementations are thread-safe.
 */
public interface SealingKey {

    /** Encrypts {@code plaintext}, binding {@code aad} (e.g. table name and primary key). Fresh nonce each call. */
    byte[] seal(byte[] plaintext, byte[] aad);

    /**
     * Opens a sealed record.
     *
     * @throws CryptoException AUTHENTICATION_FAILED when the record, the AAD or the key differ from sealing time;
     *     MALFORMED when the record is too short
     */
    byte[] unseal(byte[] sealed, byte[] aad);

    /**
     * A keyed digest for {@code purpose} (e.g. {@code "keystore-rows"}), derived from this key: only the same TEE
     * identity computes the same tags; different purposes give independent keys.
     */
    StateMac stateMac(String purpose);

    /** A sealing key over 32 bytes of key material (copied). */
    static SealingKey aesGcm(byte[] keyMaterial) {
        return new AesGcmSealingKey(new SecretKeyBytes(keyMaterial));
    }
}
