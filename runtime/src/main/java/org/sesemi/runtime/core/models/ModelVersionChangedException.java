package org.sesemi.runtime.core.models;

import org.sesemi.crypto.ModelId;

/**
 * The model file in the store names another key version than the key the runtime fetched (the owner re-uploaded it
 * encrypted under a new version in between). Nothing was decrypted; fetching the keys of {@link #fileVersion()} and
 * loading again serves the request.
 */
public final class ModelVersionChangedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int fileVersion;

    public ModelVersionChangedException(ModelId model, int fileVersion, int keyVersion) {
        super("the model file of " + model + " is encrypted under key version " + fileVersion + ", not " + keyVersion);
        this.fileVersion = fileVersion;
    }

    public int fileVersion() {
        return fileVersion;
    }
}
