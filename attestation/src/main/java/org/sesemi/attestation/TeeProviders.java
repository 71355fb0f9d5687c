package org.sesemi.attestation;

import org.sesemi.attestation.tee.GramineSgxProvider;
import org.sesemi.attestation.tee.SimulatedTee;
import org.sesemi.attestation.tee.TdxProvider;

/** Creates the {@link TeeProvider} a {@link TeeConfig} names. */
public final class TeeProviders {
    private TeeProviders() {}

    /**
     * @throws AttestationException UNSUPPORTED for an unknown kind; TEE_UNAVAILABLE when a hardware interface is absent
     */
    public static TeeProvider create(TeeConfig config) {
        return switch (config.kind()) {
            case "simulated" -> SimulatedTee.open(config.simulatedDir(), config.role(), config.enclaveConfig());
            case "gramine-sgx" -> new GramineSgxProvider(config.gramineAttestationDir());
            case "tdx" -> new TdxProvider(config.tsmReportDir(), config.enclaveConfig());
            default -> throw new AttestationException(AttestationException.Reason.UNSUPPORTED,
                    "unknown TEE kind '" + config.kind() + "' (simulated, gramine-sgx, tdx)");
        };
    }
}
