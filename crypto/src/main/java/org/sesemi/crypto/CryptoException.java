package org.sesemi.crypto;

/**
 * A typed failure of a cryptographic operation or of parsing an untrusted encrypted format.
 *
 * <p>Messages are safe to show to users and to log: they never contain key bytes, plaintext or ciphertext.
 */
public class CryptoException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final Reason reason;

    /** Why an operation failed; stable names that callers may map to error codes. */
    public enum Reason {
        /** The input is not in the expected syntax (bad JSON, bad base64, missing field, bad id). */
        MALFORMED,
        /** The input is larger than the configured limit. */
        TOO_LARGE,
        /** The model file does not start with the SeSeMI model magic. */
        BAD_MAGIC,
        /** The model file has a format version this build does not read. */
        UNSUPPORTED_VERSION,
        /** A header field is out of its allowed range (e.g. oversized model id or segment size). */
        HEADER_FIELD_INVALID,
        /** The key does not match the one the data was encrypted with. */
        WRONG_KEY,
        /** The model header was modified after encryption. */
        HEADER_TAMPERED,
        /** The model file is for another model id than the one expected. */
        MODEL_ID_MISMATCH,
        /** The data ends before its last segment. */
        TRUNCATED,
        /** Bytes follow the last segment. */
        TRAILING_DATA,
        /** A segment appears at the wrong position. */
        SEGMENT_REORDERED,
        /** A segment appears a second time. */
        SEGMENT_DUPLICATED,
        /** A segment failed authentication (modified ciphertext or tag). */
        SEGMENT_CORRUPTED,
        /** An AEAD message failed authentication: wrong key, modified bytes, or wrong context (AAD). */
        AUTHENTICATION_FAILED,
        /** A local key or identity file cannot be read or written. */
        KEY_FILE,
        /** The platform lacks a required algorithm (should not happen on a supported JDK). */
        PLATFORM
    }

    public CryptoException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public CryptoException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
