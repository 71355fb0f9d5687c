package org.sesemi.runtime.core.keys;

import java.time.Instant;
import java.util.Objects;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.RequestKey;

/**
 * The keys released for one (user, model) pair, usable until {@code expiresAt} (set by the KeyService: the runtime
 * must not use them later — that bound is the revocation delay).
 */
public record ReleasedKeys(ModelKey modelKey, RequestKey requestKey, Instant expiresAt) {
    public ReleasedKeys {
        Objects.requireNonNull(modelKey, "modelKey");
        Objects.requireNonNull(requestKey, "requestKey");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }
}
