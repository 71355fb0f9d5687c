package org.sesemi.runtime.core.engine;

/** The runtime is at its concurrency limit and its wait queue is full (or the wait timed out): try again later. */
public final class BusyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BusyException(String message) {
        super(message);
    }
}
