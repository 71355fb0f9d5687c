package org.sesemi.client.keyservice;

import java.net.URI;
import java.util.Objects;
import org.sesemi.attestation.VerificationPolicy;

/**
 * Where the KeyService is and what evidence it must present.
 *
 * @param baseUri e.g. {@code https://127.0.0.1:8443} (https only; any path is ignored)
 * @param policy what KeyService evidence to accept: trust roots and expected KeyService measurement(s)
 */
public record KeyServiceEndpoint(URI baseUri, VerificationPolicy policy) {
    public KeyServiceEndpoint {
        Objects.requireNonNull(baseUri, "baseUri");
        Objects.requireNonNull(policy, "policy");
        if (!"https".equalsIgnoreCase(baseUri.getScheme()) || baseUri.getHost() == null) {
            throw new IllegalArgumentException("the KeyService address must be https://HOST:PORT, got " + baseUri);
        }
    }
}
