package org.sesemi.client.inference;

/**
 * The runtime (or the platform in front of it) refused the request before an encrypted answer could be made: the
 * {@code code} is the runtime's stable error code ({@code denied}, {@code busy}, {@code authentication_failed}, ...),
 * {@code reason} a finer code (e.g. the KeyService's {@code no_grant}), {@code status} the HTTP status.
 */
public final class RuntimeRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String code;
    private final String reason;
    private final int status;

    /** The message reads {@code code (reason): message}. */
    public RuntimeRejectedException(String code, String reason, String message, int status) {
        super(code + " (" + reason + "): " + message);
        this.code = code;
        this.reason = reason;
        this.status = status;
    }

    /** The runtime's stable error code, e.g. {@code denied}, {@code busy}, {@code bad_request}. */
    public String code() {
        return code;
    }

    /** The finer reason, e.g. the KeyService's {@code no_grant} or {@code no_request_key}; may equal {@link #code()}. */
    public String reason() {
        return reason;
    }

    /** The HTTP status of the answer (0 if none). */
    public int status() {
        return status;
    }
}
