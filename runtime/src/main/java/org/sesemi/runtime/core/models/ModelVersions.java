package org.sesemi.runtime.core.models;

import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import org.sesemi.crypto.ModelId;

/**
 * The model key version each model's file is encrypted under, as its header said when the runtime last loaded it, so
 * the runtime asks the KeyService for exactly that version rather than the newest: an owner who stores a new version
 * before re-encrypting and re-uploading the model must not break requests.
 *
 * <p>Learned from headers only after a request proved genuine (its payload opened with the released request key), so
 * an unauthenticated envelope never makes the runtime read the store. Before a model's first load the version is
 * unknown and the newest is asked for; if the file then names another version, the loader says so
 * ({@link ModelVersionChangedException}) and that version is fetched. Every model file carries its key version
 * (header format 1, offset 8 + L; there is no file without one). Thread-safe.
 */
public final class ModelVersions {
    private final Map<ModelId, Integer> versions = new ConcurrentHashMap<>();

    /** The version of the model's file as last seen, if any. */
    public OptionalInt known(ModelId model) {
        Integer v = versions.get(model);
        return v == null ? OptionalInt.empty() : OptionalInt.of(v);
    }

    /** Remembers the version a model's file was seen (or served) with. */
    public void learned(ModelId model, int version) {
        versions.put(model, version);
    }

    /** Forgets the model's version (it was retired): the next request asks for the newest again. */
    public void forget(ModelId model) {
        versions.remove(model);
    }
}
