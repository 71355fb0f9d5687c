package org.sesemi.client.keyservice;

import java.util.Objects;
import org.sesemi.attestation.RuntimeRule;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.PrincipalId;

/**
 * An owner's permission: runtimes that satisfy {@code runtime} — one exact measurement, or a signer / register rule
 * ({@link RuntimeRule}) — may receive the keys of {@code model} for requests of {@code user}.
 */
public record Grant(ModelId model, PrincipalId user, RuntimeRule runtime) {
    public Grant {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(runtime, "runtime");
    }
}
