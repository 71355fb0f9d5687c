package org.sesemi.runtime.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import org.sesemi.crypto.ModelId;

/**
 * Storage for encrypted models, addressed by model id. Holds ciphertext only and is not trusted: a swapped or
 * modified object is detected when the core decrypts it. Implementations are thread-safe.
 */
public interface ModelStore extends AutoCloseable {
    /**
     * Opens the encrypted model for reading.
     *
     * @throws ModelNotFoundException when the store has no object for the id
     * @throws IOException when the store cannot be read
     */
    InputStream open(ModelId model) throws IOException;

    /** Stores (or replaces) an encrypted model from a file. */
    void put(ModelId model, Path encryptedFile) throws IOException;

    /**
     * The store's payload area ({@code payloads/} beside the models), through which sealed payloads too large for the
     * platform travel by reference ({@code docs/protocol.md}, "Payloads by reference"). Empty if the store has none.
     */
    default java.util.Optional<org.sesemi.client.inference.PayloadStore> payloads() {
        return java.util.Optional.empty();
    }

    /** A short description for logs ({@code dir:/path}, {@code s3://bucket/prefix}). */
    String describe();

    @Override
    default void close() {}

    /** Object name of a model inside a store: {@code <owner id>/<name>.smodel}. */
    static String objectName(ModelId model) {
        return model.owner().hex() + "/" + model.name() + ".smodel";
    }
}
