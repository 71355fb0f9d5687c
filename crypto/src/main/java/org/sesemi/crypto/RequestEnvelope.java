package org.sesemi.crypto;

import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What the cloud sees of a request or a response: routing metadata in clear and an encrypted payload.
 * JSON form: {@code {"model":"<owner>/<name>","user":"<principal id>","requestId":"...","payload":"<base64>"}};
 * payload = nonce(12) ‖ AES-256-GCM ciphertext ‖ tag(16). See {@link RequestCipher} and {@link EnvelopeJson}.
 *
 * @param requestId 1–128 characters of {@code [A-Za-z0-9._:-]}, chosen unique by the client
 * @param payload nonce ‖ ciphertext ‖ tag (not copied; treat as immutable)
 */
public record RequestEnvelope(ModelId model, PrincipalId user, String requestId, byte[] payload) implements Envelope {
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    /** Smallest valid payload: a nonce and a tag around an empty plaintext. */
    public static final int MIN_PAYLOAD = AesGcm.NONCE_BYTES + AesGcm.TAG_BYTES;

    public RequestEnvelope {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(user, "user");
        checkRequestId(requestId);
        if (payload == null || payload.length < MIN_PAYLOAD) {
            throw new CryptoException(CryptoException.Reason.MALFORMED,
                    "payload must hold at least a 12-byte nonce and a 16-byte tag");
        }
    }

    static void checkRequestId(String requestId) {
        if (requestId == null || !REQUEST_ID.matcher(requestId).matches()) {
            throw new CryptoException(CryptoException.Reason.MALFORMED, "requestId must be 1-128 characters of [A-Za-z0-9._:-]");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RequestEnvelope e && e.model.equals(model) && e.user.equals(user)
                && e.requestId.equals(requestId) && Arrays.equals(e.payload, payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(model, user, requestId, Arrays.hashCode(payload));
    }

    @Override
    public String toString() {
        return "RequestEnvelope[model=" + model + ", user=" + user + ", requestId=" + requestId + ", payload=" + payload.length + " bytes]";
    }
}
