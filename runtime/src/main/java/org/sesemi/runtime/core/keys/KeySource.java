package org.sesemi.runtime.core.keys;

import org.sesemi.runtime.core.RefusedException;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.PrincipalId;

/**
 * Releases keys to this runtime. Production: {@link KeyServiceKeySource} (the KeyService over attested RA-TLS).
 * Implementations must be thread-safe.
 */
@FunctionalInterface
public interface KeySource {
    /** The reason of a refusal when the key holder cannot be reached or answered something unusable. */
    String UNAVAILABLE = "keyservice_unavailable";

    /**
     * The keys of (user, model) with model key {@code version}: the version named in the header of the model file the
     * runtime will decrypt (0 = the newest, for sources that know no versions).
     *
     * @throws RefusedException {@code denied} (reason = the holder's code) when the key holder refuses (no grant, no
     *     request key, a retired version ({@code key_retired}), ...)
     * @throws RefusedException {@code unavailable} ({@link #UNAVAILABLE} or finer) when it cannot be reached or answered
     *     unexpectedly
     */
    ReleasedKeys release(PrincipalId user, ModelId model, int version);

    /** The keys of (user, model) with the newest model key. */
    default ReleasedKeys release(PrincipalId user, ModelId model) {
        return release(user, model, 0);
    }
}
