package org.sesemi.keyservice.core;

import java.util.Objects;
import org.sesemi.client.keyservice.wire.ErrorReason;

/**
 * A typed refusal: the operation was not performed and nothing changed. The HTTP layer maps {@link #reason()} to
 * status and error body in one place. Messages are for the caller: they never contain key material.
 */
public final class DeniedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ErrorReason reason;

    public DeniedException(ErrorReason reason, String message) {
        super(message, null, false, false);
        this.reason = Objects.requireNonNull(reason);
    }

    public ErrorReason reason() {
        return reason;
    }
}
