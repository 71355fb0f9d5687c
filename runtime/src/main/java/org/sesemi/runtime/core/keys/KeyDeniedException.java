package org.sesemi.runtime.core.keys;

/**
 * The key holder refused to release keys; {@link #reason()} is its stable reason code (e.g. {@code no_grant},
 * {@code no_request_key}, {@code unknown_model}, {@code attestation_rejected}).
 */
public final class KeyDeniedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String reason;

    public KeyDeniedException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
