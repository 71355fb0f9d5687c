package org.sesemi.keyservice.store;

import java.util.Optional;
import org.sesemi.attestation.RuntimeRule;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.RequestKey;

/**
 * Everything a release decision needs, read from enclave memory (never from the database file).
 *
 * @param modelKnown a model key or any grant exists for the model
 * @param matched the grant that admitted the runtime (its exact measurement first, else the first matching signer or
 *     register rule, in listing order, that has the user's request key), when granted
 * @param keyRetired the asked model key version is below the newest and no longer stored (retired by the owner)
 */
public record ReleaseView(boolean modelKnown, boolean granted, Optional<RequestKey> requestKey, Optional<ModelKey> modelKey,
        Optional<RuntimeRule> matched, boolean keyRetired) {
    public ReleaseView(boolean modelKnown, boolean granted, Optional<RequestKey> requestKey, Optional<ModelKey> modelKey) {
        this(modelKnown, granted, requestKey, modelKey, Optional.empty(), false);
    }
}
