package org.sesemi.crypto;

import java.util.Arrays;

/** {@code nonce(12) ‖ ciphertext ‖ tag(16)} under AES-256-GCM. */
final class AesGcmSealingKey implements SealingKey {
    private final SecretKeyBytes key;

    AesGcmSealingKey(SecretKeyBytes key) {
        this.key = key;
    }

    @Override
    public byte[] seal(byte[] plaintext, byte[] aad) {
        byte[] nonce = new byte[AesGcm.NONCE_BYTES];
        SecretKeyBytes.RANDOM.nextBytes(nonce);
        return seal(plaintext, aad, nonce);
    }

    /** Visible for known-answer tests only. */
    byte[] seal(byte[] plaintext, byte[] aad, byte[] nonce) {
        byte[] ct = AesGcm.encrypt(key.aesKey(), nonce, aad, plaintext);
        byte[] out = Arrays.copyOf(nonce, nonce.length + ct.length);
        System.arraycopy(ct, 0, out, nonce.length, ct.length);
        return out;
    }

    @Override
    public byte[] unseal(byte[] sealed, byte[] aad) {
        if (sealed.length < AesGcm.NONCE_BYTES + AesGcm.TAG_BYTES) {
            throw new CryptoException(CryptoException.Reason.MALFORMED, "sealed record too short (" + sealed.length + " bytes)");
        }
        byte[] nonce = Arrays.copyOf(sealed, AesGcm.NONCE_BYTES);
        return AesGcm.decrypt(key.aesKey(), nonce, aad, sealed, AesGcm.NONCE_BYTES, sealed.length - AesGcm.NONCE_BYTES);
    }

    @Override
    public StateMac stateMac(String purpose) {
        byte[] raw = key.copy();
        try {
            return new StateMac(Hashes.hmacSha256(raw, ("sesemi-state-mac-v1:" + purpose).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    @Override
    public String toString() {
        return "SealingKey[<redacted>]";
    }
}
