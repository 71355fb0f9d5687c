package org.sesemi.protocol.oip;

/**
 * The runtime decrypted the request but could not serve it; the message came back encrypted in the response, with the
 * HTTP status OIP gives the failure ({@link #status()}: 400 for a bad request, 500 for an engine failure).
 */
public final class InferenceFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    /** @param message the runtime's (decrypted) error text; never tensor values */
    public InferenceFailedException(String message) {
        this(message, 400);
    }

    public InferenceFailedException(String message, int status) {
        super(message);
        this.status = status;
    }

    /** The OIP status of the failure (the sealed error body's {@code status}; 400 when it had none). */
    public int status() {
        return status;
    }
}
