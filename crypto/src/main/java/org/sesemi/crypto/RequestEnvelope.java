package org.sesemi.crypto;

import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What the cloud sees of a request or a response: routing metadata in clear and an encrypted payload.
 * JSON form: {@code {"model":"<owner>/<name>","user":"<principal id>","requestId":"...","payload":"<base64>"}};
 * payload = nonce(12) ‖ AES-256-GCM ciphertext ‖ tag(16). See {@link RequestCipher}; the encodings live in the protocol module (org.sesemi.protocol.envelope).
 *
 * @param requestId 1–128 characters of {@code [A-Za-z0-9._:-]}, chosen unique by the client
 * @param payload nonce ‖ ciphertext ‖ tag (not copied; treat as immutable)
 * @param answerByRef the client can read the answer from the object store: a runtime with a payload store may answer
 *     by reference when the sealed answer is above its threshold (JSON field {@code "answerByRef": true}, omitted when
 *     false; not in the binary form). Not bound into the AEAD: a host that sets or strips it can only make the answer
 *     go to the store or fail for size, which it controls anyway (docs/threat-model.md §7).
 */
public record RequestEnvelope(ModelId model, PrincipalId user, String requestId, byte[] payload, boolean answerByRef) implements Envelope {
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

    /** An envelope without the {@code answerByRef} hint (the answer comes back inline). */
    public RequestEnvelope(ModelId model, PrincipalId user, String requestId, byte[] payload) {
        this(model, user, requestId, payload, false);
    }

    /** This envelope with the {@code answerByRef} hint set as given (the payload is shared, not copied). */
    public RequestEnvelope withAnswerByRef(boolean v) {
        return new RequestEnvelope(model, user, requestId, payload, v);
    }

    static void checkRequestId(String requestId) {
        if (requestId == null || !REQUEST_ID.matcher(requestId).matches()) {
            throw new CryptoException(CryptoException.Reason.MALFORMED, "requestId must be 1-128 characters of [A-Za-z0-9._:-]");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RequestEnvelope e && e.model.equals(model) && e.user.equals(user)
                && e.requestId.equals(requestId) && Arrays.equals(e.payload, payload) && e.answerByRef == answerByRef;
    }

    @Override
    public int hashCode() {
        return Objects.hash(model, user, requestId, Arrays.hashCode(payload), answerByRef);
    }

    @Override
    public String toString() {
        return "RequestEnvelope[model=" + model + ", user=" + user + ", requestId=" + requestId + ", payload=" + payload.length + " bytes"
                + (answerByRef ? ", answerByRef" : "") + "]";
    }
}
