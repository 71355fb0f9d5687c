package org.sesemi.attestation.collateral;

import org.sesemi.attestation.VerificationPolicy;

/** A collateral source a server owns: it reports what it did ({@link #stats()}) and is closed with the server. */
public interface ManagedCollateralSource extends VerificationPolicy.CollateralSource, AutoCloseable {
    CollateralStats stats();

    @Override
    void close();
}
