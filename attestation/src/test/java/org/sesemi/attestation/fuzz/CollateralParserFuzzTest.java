package org.sesemi.attestation.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.sesemi.attestation.AttestationException;
import org.sesemi.attestation.Collateral;

/** Fuzzes the QuoteCollateralV3 JSON parser (chains, CRLs, TCB info, QE identity): only typed errors may escape. */
class CollateralParserFuzzTest {
    @FuzzTest(maxDuration = "10m")
    void parse(byte[] data) {
        try {
            Collateral c = Collateral.parseJson(data);
            // A parsed collateral must re-serialise and parse back to the same content.
            if (!Collateral.parseJson(c.toJson()).fingerprint().equals(c.fingerprint())) {
                throw new AssertionError("collateral does not round-trip");
            }
        } catch (AttestationException expected) {
            // typed rejection
        }
    }
}
