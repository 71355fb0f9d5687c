package org.sesemi.crypto;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Encrypts and decrypts request/response payloads under one user's {@link RequestKey}.
 *
 * <p>AES-256-GCM, a fresh random 96-bit nonce per message, and AAD =
 * {@code label(direction) ‖ u16 len ‖ model ‖ u16 len ‖ user ‖ u16 len ‖ requestId} (UTF-8, big-endian lengths), so a
 * payload cannot be moved to another model, user, request or direction. Thread-safe.
 */
public final class RequestCipher {
    private final RequestKey key;

    public RequestCipher(RequestKey key) {
        this.key = key;
    }

    /** Encrypts a plaintext request (e.g. an Open Inference Protocol body). */
    public RequestEnvelope sealRequest(ModelId model, PrincipalId user, String requestId, byte[] plaintext) {
        return seal(Direction.REQUEST, model, user, requestId, plaintext, randomNonce());
    }

    /** Encrypts the response to {@code request}, bound to the same model, user and request id. */
    public RequestEnvelope sealResponse(RequestEnvelope request, byte[] plaintext) {
        return seal(Direction.RESPONSE, request.model(), request.user(), request.requestId(), plaintext, randomNonce());
    }

    public byte[] openRequest(RequestEnvelope envelope) {
        return open(Direction.REQUEST, envelope);
    }

    public byte[] openResponse(RequestEnvelope envelope) {
        return open(Direction.RESPONSE, envelope);
    }

    /** Visible for known-answer tests only: encryption with a caller-chosen nonce. */
    RequestEnvelope seal(Direction d, ModelId model, PrincipalId user, String requestId, byte[] plaintext, byte[] nonce) {
        byte[] aad = aad(d, model, user, requestId);
        byte[] ct = AesGcm.encrypt(key.bytes().aesKey(), nonce, aad, plaintext);
        byte[] payload = Arrays.copyOf(nonce, AesGcm.NONCE_BYTES + ct.length);
        System.arraycopy(ct, 0, payload, AesGcm.NONCE_BYTES, ct.length);
        return new RequestEnvelope(model, user, requestId, payload);
    }

    private byte[] open(Direction d, RequestEnvelope e) {
        byte[] p = e.payload();
        byte[] nonce = Arrays.copyOf(p, AesGcm.NONCE_BYTES);
        try {
            return AesGcm.decrypt(key.bytes().aesKey(), nonce, aad(d, e.model(), e.user(), e.requestId()), p,
                    AesGcm.NONCE_BYTES, p.length - AesGcm.NONCE_BYTES);
        } catch (CryptoException ex) {
            throw new CryptoException(CryptoException.Reason.AUTHENTICATION_FAILED,
                    "the " + d.name().toLowerCase() + " payload does not decrypt: wrong request key, or the envelope was modified");
        }
    }

    static byte[] aad(Direction d, ModelId model, PrincipalId user, String requestId) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(160);
        out.writeBytes(d.label());
        for (String field : new String[] {model.toString(), user.hex(), requestId}) {
            byte[] b = field.getBytes(StandardCharsets.UTF_8);
            out.write(b.length >>> 8);
            out.write(b.length);
            out.writeBytes(b);
        }
        return out.toByteArray();
    }

    static byte[] randomNonce() {
        byte[] n = new byte[AesGcm.NONCE_BYTES];
        SecretKeyBytes.RANDOM.nextBytes(n);
        return n;
    }
}
