package org.sesemi.runtime.core;

/**
 * Why a request was rejected before an encrypted answer could be made. Stable lower-case wire names
 * ({@link #wire()}); the HTTP status suggested for adapters that map errors to statuses (Knative).
 */
public enum ErrorCode {
    /** Not a valid envelope. */
    MALFORMED(400),
    /** Envelope larger than the configured limit. */
    TOO_LARGE(413),
    /** The KeyService refused to release keys (see the reason). */
    DENIED(403),
    /** The payload does not decrypt under the user's request key (wrong key, tampered, wrong model/user/requestId). */
    AUTHENTICATION_FAILED(403),
    /** No encrypted model under this id in the model store. */
    MODEL_NOT_FOUND(404),
    /** The stored model failed integrity checks (tampered, truncated, swapped with another model's ciphertext, wrong key). */
    MODEL_INTEGRITY(502),
    /** The model cannot fit the enclave memory budget at all. */
    MODEL_TOO_LARGE(507),
    /** At the concurrency limit with a full queue, or the model budget is held by models in use. Retry later. */
    BUSY(503),
    /** The KeyService or the model store could not be reached. */
    UNAVAILABLE(502),
    /** Anything else; details are in the runtime's log (never secrets). */
    INTERNAL(500);

    private final int httpStatus;

    ErrorCode(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
