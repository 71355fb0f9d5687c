package org.sesemi.attestation.collateral;

import org.sesemi.attestation.Collateral;
import org.sesemi.attestation.TeeType;

/** Obtains current collateral for one platform, typically over the network. May block; called off the request path. */
@FunctionalInterface
public interface CollateralFetcher {
    /**
     * @param fmspcHex the platform's FMSPC, 12 lowercase hex characters
     * @param pckCa {@code processor} or {@code platform}: the PCK CA that issued the platform's PCK certificate
     * @throws org.sesemi.attestation.AttestationException COLLATERAL_UNAVAILABLE when the source has none or cannot be
     *     reached; MALFORMED when its answer does not parse
     */
    Collateral fetch(TeeType tee, String fmspcHex, String pckCa);

    /** A short description for logs and errors, e.g. the PCCS URL. */
    default String describe() {
        return getClass().getSimpleName();
    }
}
