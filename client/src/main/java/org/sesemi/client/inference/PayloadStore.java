package org.sesemi.client.inference;

import java.io.IOException;

/**
 * The object store's payload area: sealed payloads too large for the platform travel through it by reference
 * ({@link org.sesemi.crypto.PayloadRef}). Holds ciphertext only (nonce ‖ AES-GCM ciphertext ‖ tag) and is not trusted:
 * a swapped, truncated or modified object is detected by its reader. Names are {@code payloads/<64 hex>}
 * ({@link org.sesemi.crypto.PayloadRef#validName}); implementations refuse any other. Thread-safe.
 */
public interface PayloadStore {
    /** Stores {@code object} under {@code name} (a new, unguessable name: nothing is replaced). */
    void put(String name, byte[] object) throws IOException;

    /**
     * Reads the object, at most {@code maxBytes + 1} bytes of it (so an oversized object is seen without reading it
     * all); the caller checks the exact length.
     *
     * @throws java.nio.file.NoSuchFileException when there is no such object
     */
    byte[] get(String name, long maxBytes) throws IOException;

    /** Deletes the object; no error when it does not exist (it may have been deleted already). */
    void delete(String name) throws IOException;

    /** For messages: {@code dir:/path} or {@code s3://bucket/prefix}. */
    String describe();

    /** Throws unless {@code name} is a payload object name. */
    static String checkName(String name) {
        if (!org.sesemi.crypto.PayloadRef.validName(name)) {
            throw new IllegalArgumentException("not a payload object name (payloads/<64 hex>)");
        }
        return name;
    }
}
