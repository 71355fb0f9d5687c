package org.sesemi.runtime.core.keys;

import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.PrincipalId;

/**
 * Releases keys to this runtime. Production: {@link KeyServiceKeySource} (the KeyService over attested RA-TLS).
 * Implementations must be thread-safe.
 */
public interface KeySource {
    /**
     * @throws KeyDeniedException when the key holder refuses (no grant, no request key, ...)
     * @throws KeySourceUnavailableException when it cannot be reached or answered unexpectedly
     */
    ReleasedKeys release(PrincipalId user, ModelId model);
}
