package org.sesemi.client.platform;

import java.util.Optional;

/**
 * The platform answered with an HTTP error status. {@link #error()} is the {@code error} text of OpenWhisk's error
 * shape (or of an activation's {@code response.result.error} for a failed blocking invoke), {@link #code()} the
 * transaction id the server assigned, for correlating with its logs.
 */
public final class OpenWhiskException extends Exception {
    private final int status;
    private final String error;
    private final Optional<String> code;

    /** @param code the transaction id, when the server sent one */
    public OpenWhiskException(String method, String path, int status, String error, Optional<String> code) {
        super(method + " " + path + " returned HTTP " + status + ": " + error + code.map(c -> " (transaction " + c + ")").orElse(""));
        this.status = status;
        this.error = error;
        this.code = code;
    }

    /** The HTTP status. */
    public int status() {
        return status;
    }

    /** OpenWhisk's {@code error} text. */
    public String error() {
        return error;
    }

    /** The transaction id, for the server's logs. */
    public Optional<String> code() {
        return code;
    }
}
