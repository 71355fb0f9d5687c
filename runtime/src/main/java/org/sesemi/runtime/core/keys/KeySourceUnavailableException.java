package org.sesemi.runtime.core.keys;

/** The key holder could not be reached or answered something unusable; retrying later may help. */
public final class KeySourceUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public KeySourceUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
