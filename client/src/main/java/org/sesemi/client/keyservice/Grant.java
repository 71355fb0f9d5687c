package org.sesemi.client.keyservice;

import java.util.Objects;
import org.sesemi.attestation.Measurement;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.PrincipalId;

/**
 * An owner's permission: runtimes attested with {@code measurement} may receive the keys of {@code model} for
 * requests of {@code user}.
 */
public record Grant(ModelId model, PrincipalId user, Measurement measurement) {
    public Grant {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(measurement, "measurement");
    }
}
