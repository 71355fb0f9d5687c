package org.sesemi.client.keyservice;

/**
 * A KeyService call failed: either the server answered with an error ({@link #status()} is its HTTP status and
 * {@link #reason()} its reason code, see {@link org.sesemi.protocol.keyservice.ErrorReason}), or the call did not
 * get an answer ({@link #status()} is 0 and the reason is one of the client-side codes below).
 *
 * <p>Client-side reasons: {@value #UNREACHABLE} (connect/IO failure or timeout), {@value #KS_EVIDENCE_REJECTED}
 * (the KeyService's RA-TLS evidence did not verify under the endpoint's policy; nothing was sent),
 * {@value #HANDSHAKE_FAILED} (the server refused our certificate or the TLS handshake failed otherwise),
 * {@value #BAD_RESPONSE} (the answer was not valid for the call), {@value #STATE_ROLLBACK} (the answer carries a
 * state version below one already seen from this KeyService: its database was rolled back; see
 * {@link StateVersions}). Messages never contain key material.
 */
public final class KeyServiceException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    public static final String UNREACHABLE = "unreachable";
    public static final String KS_EVIDENCE_REJECTED = "ks_evidence_rejected";
    public static final String HANDSHAKE_FAILED = "handshake_failed";
    public static final String BAD_RESPONSE = "bad_response";
    public static final String STATE_ROLLBACK = "state_rollback";

    private final int status;
    private final String reason;

    /** An error with HTTP {@code status} (0 if no answer came) and {@code reason} code (see the class comment). */
    public KeyServiceException(int status, String reason, String message) {
        super(message);
        this.status = status;
        this.reason = reason;
    }

    /** As above, with the underlying failure. */
    public KeyServiceException(int status, String reason, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.reason = reason;
    }

    /** The server's reason code (e.g. {@code no_grant}) or a client-side one. */
    public String reason() {
        return reason;
    }

    /** The HTTP status, or 0 when no HTTP answer was received. */
    public int status() {
        return status;
    }
}
