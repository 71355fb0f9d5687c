package org.sesemi.keyservice.core;

import java.util.Objects;
import org.sesemi.protocol.keyservice.ErrorReason;

/**
 * A typed refusal: the operation was not performed and nothing changed. The HTTP layer maps {@link #reason()} to
 * status and error body in one place. Messages are for the caller: they never contain key material.
 */
public final class DeniedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ErrorReason reason;
    private final java.util.Optional<String> detail;

    public DeniedException(ErrorReason reason, String message) {
        this(reason, message, java.util.Optional.empty());
    }

    /** A refusal with a finer, stable code, e.g. the attestation reason {@code tcb_rejected} of an attestation_rejected. */
    public DeniedException(ErrorReason reason, String message, java.util.Optional<String> detail) {
        super(message, null, false, false);
        this.reason = Objects.requireNonNull(reason);
        this.detail = Objects.requireNonNull(detail);
    }

    /** The finer code (for audit), when there is one. */
    public java.util.Optional<String> detail() {
        return detail;
    }

    public ErrorReason reason() {
        return reason;
    }
}
