package org.sesemi.platform.store;

/** The database failed (I/O, corruption, closed store). Not caused by the caller's input; the API maps it to 500. */
public final class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
