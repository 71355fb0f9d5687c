package org.sesemi.protocol.oip;

/**
 * An inference request or response body that is not valid Open Inference Protocol, or does not fit the model.
 * Messages may name tensors, datatypes and shapes, never tensor values: they travel back encrypted, but are also
 * safe to log inside the trusted core.
 */
public final class OipException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong, naming tensors/datatypes/shapes only */
    public OipException(String message) {
        super(message);
    }

    /** Truncates and masks an untrusted name so it can be echoed in a message. */
    public static String safe(String s) {
        if (s == null) {
            return "null";
        }
        String t = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return t.replaceAll("[^A-Za-z0-9_.:/-]", "?");
    }
}
