package org.sesemi.runtime.core.keys;

/** The key holder could not be reached or answered something unusable; retrying later may help. */
public final class KeySourceUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String reason;

    public KeySourceUnavailableException(String message, Throwable cause) {
        this("keyservice_unavailable", message, cause);
    }

    /** @param reason the rejection reason the runtime reports, e.g. {@code keyservice_rate_limited} */
    public KeySourceUnavailableException(String reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** {@code keyservice_unavailable}, or a more precise cause ({@code keyservice_rate_limited}). */
    public String reason() {
        return reason;
    }
}
