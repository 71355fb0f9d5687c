package org.sesemi.client.keyservice;

import java.time.Instant;
import java.util.Objects;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.RequestKey;

/**
 * Keys released to an attested runtime for one (user, model).
 *
 * @param modelKey the model's current key (with its version)
 * @param requestKey the user's request key for (model, the runtime's measurement)
 * @param expiresAt the runtime must not use these keys after this instant (client clock: the time the request was
 *     sent plus the server's TTL, so it is never later than the server's own bound); this is how revocation
 *     reaches runtimes that cached the keys
 */
public record KeyRelease(ModelKey modelKey, RequestKey requestKey, Instant expiresAt) {
    public KeyRelease {
        Objects.requireNonNull(modelKey, "modelKey");
        Objects.requireNonNull(requestKey, "requestKey");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    /** True once {@code now} is at or after {@link #expiresAt()}. */
    public boolean expired(Instant now) {
        return !now.isBefore(expiresAt);
    }
}
