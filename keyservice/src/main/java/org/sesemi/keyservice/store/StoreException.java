package org.sesemi.keyservice.store;

/**
 * The store cannot do its job: the database is unreadable, of an unknown schema version, locked by another
 * server, or a sealed row failed to open (tampering, a row copied from elsewhere, or another sealing key).
 * Messages name tables and keys, never secret values.
 */
public class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
