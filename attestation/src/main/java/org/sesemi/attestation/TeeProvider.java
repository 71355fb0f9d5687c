package org.sesemi.attestation;

import org.sesemi.crypto.SealingKey;

/**
 * Produces evidence from the TEE this process runs in: a DCAP quote binding 64 bytes of report data, and a sealing key
 * tied to the TEE identity. Implementations are thread-safe.
 */
public interface TeeProvider {
    /** {@code simulated}, {@code gramine-sgx} or {@code tdx}. */
    String name();

    /** True for the simulated TEE, which offers no hardware protection. */
    boolean isSimulated();

    /**
     * A quote whose report data is exactly {@code reportData64}.
     *
     * @throws AttestationException MALFORMED if the report data is not 64 bytes; TEE_UNAVAILABLE if the device fails;
     *     BINDING_MISMATCH if the device returns a quote over other report data
     */
    byte[] quote(byte[] reportData64);

    /** The key for sealing state at rest, bound to this TEE's identity (e.g. MRENCLAVE). */
    SealingKey sealingKey();
}
