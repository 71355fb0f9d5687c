package org.sesemi.attestation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class MeasurementAndPolicyTest {
    @Test
    void parseAcceptsCanonicalFormsOnly() {
        String hex = "ab".repeat(32);
        assertThat(Measurement.parse(" SGX:" + hex.toUpperCase() + "\n").value()).isEqualTo("sgx:" + hex);
        assertThat(Measurement.parse("tdx:" + hex).tee()).isEqualTo(TeeType.TDX);
        for (String bad : new String[] {"", "sgx:", "sgx:" + hex + "0", "sev:" + hex, "sgx:" + "zz".repeat(32), "x".repeat(500)}) {
            assertThatThrownBy(() -> Measurement.parse(bad)).isInstanceOf(AttestationException.class);
        }
        assertThatThrownBy(() -> Measurement.parse(null)).isInstanceOf(AttestationException.class);
    }

    @Property
    void parseNeverThrowsAnythingButAttestationException(@ForAll String s) {
        try {
            assertThat(Measurement.parse(s).value()).hasSize(68);
        } catch (AttestationException e) {
            assertThat(e.reason()).isEqualTo(AttestationException.Reason.MALFORMED);
        }
    }

    @Test
    void defaultsAreSafe() {
        VerificationPolicy p = VerificationPolicy.defaults();
        assertThat(p.trustRoots()).hasSize(1);
        assertThat(org.sesemi.crypto.Hashes.sha256Hex(p.trustRoots().get(0).getEncoded())).isEqualTo(IntelRoot.SPKI_SHA256);
        assertThat(p.simulatedRoots()).isEmpty();
        assertThat(p.allowDebug()).isFalse();
        assertThat(p.acceptedTcbStatuses()).containsExactlyInAnyOrder("UpToDate", "SWHardeningNeeded",
                "ConfigurationNeeded", "ConfigurationAndSWHardeningNeeded");
        assertThat(p.restrictsMeasurement()).isFalse();
        assertThat(p.collateralRequired()).isFalse();
        assertThat(p.maxEvidenceAge()).contains(VerificationPolicy.DEFAULT_MAX_EVIDENCE_AGE);
    }

    @Test
    void ruleValidation() {
        assertThatThrownBy(() -> VerificationPolicy.builder().expectSgxSigner("00", 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VerificationPolicy.builder().expectTdx("00".repeat(48), Map.of(4, "00".repeat(48))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VerificationPolicy.builder().maxEvidenceAge(java.time.Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
