package org.sesemi.runtime.core;

/**
 * The core could not be built from its settings for a reason the operator can act on (e.g. the KeyService's evidence
 * was rejected, and why); the message says what and never contains secrets.
 */
public final class RuntimeInitException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RuntimeInitException(String message, Throwable cause) {
        super(message, cause);
    }
}
