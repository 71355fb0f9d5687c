package org.sesemi.client.inference;

/** The runtime decrypted the request but could not serve it; the message came back encrypted in the response. */
public final class InferenceFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message the runtime's (decrypted) error text; never tensor values */
    public InferenceFailedException(String message) {
        super(message);
    }
}
