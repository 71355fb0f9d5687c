package org.sesemi.protocol.keyservice;

import java.util.Arrays;
import java.util.Optional;

/**
 * The stable reason codes of KeyService errors and denials, with the HTTP status each one travels with.
 *
 * <p>The codes are part of the protocol: clients branch on them, so never rename one (add new ones instead).
 */
public enum ErrorReason {
    /** The caller's attested measurement has no grant for (model, user). */
    NO_GRANT("no_grant", 403),
    /** The user registered no request key for (model, caller's measurement). */
    NO_REQUEST_KEY("no_request_key", 403),
    /** A grant exists but the owner has not stored a model key yet. */
    NO_MODEL_KEY("no_model_key", 404),
    /**
     * The model key version asked for is below the newest and no longer stored: the owner retired it (or never stored
     * it). A model file encrypted under it must be re-encrypted under a current version.
     */
    KEY_RETIRED("key_retired", 410),
    /** Nothing is known about the model: no key and no grant. */
    UNKNOWN_MODEL("unknown_model", 404),
    /** The caller's RA-TLS evidence did not verify, or a non-TEE caller asked for a runtime-only operation. */
    ATTESTATION_REJECTED("attestation_rejected", 403),
    /** No client certificate on a {@code /v1} call. */
    UNAUTHENTICATED("unauthenticated", 401),
    /** The caller is authenticated but may not do this (e.g. acting on another owner's model, not registered). */
    FORBIDDEN("forbidden", 403),
    /** The request is not valid JSON for this operation, or a field or path parameter is invalid. */
    MALFORMED("malformed", 400),
    /** The body is larger than the server's limit. */
    TOO_LARGE("too_large", 413),
    /** The caller exceeded its request rate. */
    RATE_LIMITED("rate_limited", 429),
    /** No such resource or route. */
    NOT_FOUND("not_found", 404),
    /** The write contradicts stored state (e.g. a lower or reused model key version). */
    CONFLICT("conflict", 409),
    /** Wrong Content-Type for a body. */
    UNSUPPORTED_MEDIA_TYPE("unsupported_media_type", 415),
    /** Wrong HTTP method for an existing route. */
    METHOD_NOT_ALLOWED("method_not_allowed", 405),
    /** The server failed; details are in its log, not in the response. */
    INTERNAL("internal", 500),
    /** The server is shutting down or its store is unavailable. */
    UNAVAILABLE("unavailable", 503),
    /**
     * The KeyService found rows of its database changed outside it (replayed, deleted, inserted or edited) while
     * answering; its decisions never depend on such rows, but this answer cannot be given (docs/threat-model.md).
     */
    STATE_TAMPERED("state_tampered", 500);

    private final String code;
    private final int status;

    ErrorReason(String code, int status) {
        this.code = code;
        this.status = status;
    }

    /** The wire code, e.g. {@code no_grant}. */
    public String code() {
        return code;
    }

    /** The HTTP status this reason is sent with. */
    public int status() {
        return status;
    }

    public static Optional<ErrorReason> ofCode(String code) {
        return Arrays.stream(values()).filter(r -> r.code.equals(code)).findFirst();
    }
}
