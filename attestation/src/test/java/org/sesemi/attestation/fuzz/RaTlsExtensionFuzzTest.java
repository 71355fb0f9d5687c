package org.sesemi.attestation.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Optional;
import org.sesemi.attestation.AttestationException;
import org.sesemi.attestation.ratls.RaTlsEvidence;

/**
 * Fuzzes the RA-TLS extension parsers: TCG DICE tagged evidence (CBOR) and the binding check of both kinds over a
 * fixed key; only typed errors may escape.
 */
class RaTlsExtensionFuzzTest {
    private static final byte[] SPKI = new byte[91];
    private static final byte[] REPORT_DATA = new byte[64];

    @FuzzTest(maxDuration = "10m")
    void dice(byte[] data) {
        try {
            RaTlsEvidence e = RaTlsEvidence.parseDice(data);
            e.checkBinding(REPORT_DATA, SPKI);
        } catch (AttestationException expected) {
            // typed rejection
        }
    }

    @FuzzTest(maxDuration = "10m")
    void legacyBinding(byte[] data) {
        try {
            RaTlsEvidence e = new RaTlsEvidence(RaTlsEvidence.Kind.GRAMINE_LEGACY, data, Optional.empty());
            byte[] rd = data.length >= 64 ? java.util.Arrays.copyOf(data, 64) : REPORT_DATA;
            e.checkBinding(rd, SPKI);
        } catch (AttestationException expected) {
            // typed rejection
        }
    }
}
