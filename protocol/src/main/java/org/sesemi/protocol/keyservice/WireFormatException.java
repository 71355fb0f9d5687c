package org.sesemi.protocol.keyservice;

/** A body that is not exactly the expected wire record. The message never echoes field values. */
public final class WireFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public WireFormatException(String message) {
        super(message);
    }
}
