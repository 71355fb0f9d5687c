package org.sesemi.attestation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sesemi.attestation.AttestationException.Reason;
import org.sesemi.attestation.tee.Pki;

/** Tampering with each region of real quotes, wrong roots and stale collateral from the vendored real vectors. */
class QuoteVerifierNegativeTest {
    private final QuoteVerifier verifier = new QuoteVerifier();
    private static final String AT = "2025-07-01T00:00:00Z";

    private static VerificationPolicy policy() {
        return VerificationPolicy.builder().clock(AttestationVectors.at(AT)).build();
    }

    static Reason reasonOf(Runnable r) {
        try {
            r.run();
        } catch (AttestationException e) {
            return e.reason();
        }
        throw new AssertionError("expected rejection");
    }

    @ParameterizedTest(name = "{0} at offset {1}")
    @CsvSource({
        "header user data, 30, SIGNATURE_INVALID",
        "header version, 0, UNSUPPORTED",
        "header QE vendor id, 12, UNSUPPORTED",
        "body MRENCLAVE, 112, SIGNATURE_INVALID",
        "body report data, 368, SIGNATURE_INVALID",
        "body attributes, 96, SIGNATURE_INVALID",
        "ISV signature, 441, SIGNATURE_INVALID",
        "attestation key, 505, SIGNATURE_INVALID",
        "QE report, 664, SIGNATURE_INVALID",
        "QE report data, 900, SIGNATURE_INVALID",
        "QE report signature, 951, SIGNATURE_INVALID",
        "QE auth data, 1016, SIGNATURE_INVALID",
        "signature data length, 432, MALFORMED",
    })
    void flippedBitInSgxQuoteRegionIsRejected(String region, int offset, Reason expected) {
        byte[] q = AttestationVectors.read("sgx-v3-prod/quote.bin");
        verifier.verify(q, Optional.empty(), policy());
        q[offset] ^= 0x01;
        if (offset == 432) {
            q[offset + 1] ^= 0x10;
        }
        assertThat(reasonOf(() -> verifier.verify(q, Optional.empty(), policy()))).as(region).isEqualTo(expected);
    }

    @Test
    void flippedBitInPckChainIsRejected() {
        byte[] orig = AttestationVectors.read("sgx-v3-prod/quote.bin");
        // Flip bits in base64 text of each certificate of the chain (leaf, intermediate, root).
        String text = new String(orig, java.nio.charset.StandardCharsets.ISO_8859_1);
        int idx = 0;
        for (int cert = 0; cert < 3; cert++) {
            idx = text.indexOf("-----BEGIN CERTIFICATE-----", idx) + 28;
            for (int delta : new int[] {40, 300, 700}) {
                byte[] q = orig.clone();
                int pos = idx + delta;
                if (q[pos] == '\n') {
                    pos++;
                }
                q[pos] = (byte) (q[pos] == 'A' ? 'B' : 'A');
                Reason r = reasonOf(() -> verifier.verify(q, Optional.empty(), policy()));
                assertThat(r).isIn(Reason.CHAIN_INVALID, Reason.UNTRUSTED_ROOT, Reason.SIGNATURE_INVALID);
            }
        }
    }

    @Test
    void flippedBitInTdxQuoteRegions() {
        byte[] orig = AttestationVectors.read("tdx-v4-prod/quote.bin");
        // header, TD body (MRTD, RTMR0, report data, TD attributes), ISV signature, QE report in type-6 data
        for (int off : new int[] {28, 48 + 136, 48 + 328, 48 + 520, 48 + 120, 636 + 10, 636 + 134 + 50, 636 + 134 + 384 + 5}) {
            byte[] q = orig.clone();
            q[off] ^= 0x40;
            assertThat(reasonOf(() -> verifier.verify(q, Optional.empty(), policy()))).as("offset " + off)
                    .isEqualTo(Reason.SIGNATURE_INVALID);
        }
    }

    @Test
    void truncatedQuotesAreMalformed() {
        byte[] orig = AttestationVectors.read("sgx-v3-prod/quote.bin");
        for (int len : new int[] {0, 1, 47, 48, 431, 432, 436, 500, 1100, 4599}) {
            byte[] q = java.util.Arrays.copyOf(orig, len);
            assertThat(reasonOf(() -> verifier.verify(q, Optional.empty(), policy()))).as("length " + len)
                    .isEqualTo(Reason.MALFORMED);
        }
    }

    @Test
    void wrongTrustRootIsUntrusted() {
        byte[] q = AttestationVectors.read("sgx-v3-prod/quote.bin");
        VerificationPolicy other = VerificationPolicy.builder().clock(AttestationVectors.at(AT))
                .trustRoot(Pki.p256().getPublic()).build();
        assertThat(reasonOf(() -> verifier.verify(q, Optional.empty(), other))).isEqualTo(Reason.UNTRUSTED_ROOT);
    }

    @ParameterizedTest
    @CsvSource({"2025-06-01T00:00:00Z", "2025-08-01T00:00:00Z"})
    void realCollateralOutsideItsWindowIsExpired(String at) {
        byte[] q = AttestationVectors.read("sgx-v3-prod/quote.bin");
        Collateral c = Collateral.parseJson(AttestationVectors.read("sgx-v3-prod/collateral.json"));
        VerificationPolicy p = VerificationPolicy.builder().clock(AttestationVectors.at(at)).build();
        assertThat(reasonOf(() -> verifier.verify(q, Optional.of(c), p))).isEqualTo(Reason.COLLATERAL_EXPIRED);
        // Without collateral the same quote verifies at that instant.
        assertThat(verifier.verify(q, Optional.empty(), p).tcbStatus()).isEmpty();
    }

    @Test
    void collateralOfAnotherPlatformIsInvalid() {
        byte[] sgx = AttestationVectors.read("sgx-v3-prod/quote.bin");
        Collateral tdx = Collateral.parseJson(AttestationVectors.read("tdx-v4-prod/collateral.json"));
        assertThat(reasonOf(() -> verifier.verify(sgx, Optional.of(tdx), policy()))).isEqualTo(Reason.COLLATERAL_INVALID);
    }

    @Test
    void measurementPolicyOnRealQuote() {
        byte[] q = AttestationVectors.read("sgx-v3-prod/quote.bin");
        Measurement real = Measurement.parse("sgx:33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb");
        Measurement other = Measurement.parse("sgx:" + "00".repeat(32));
        assertThat(verifier.verify(q, Optional.empty(), policy().toBuilder().expectMeasurement(real).build()).measurement())
                .isEqualTo(real);
        assertThat(reasonOf(() -> verifier.verify(q, Optional.empty(), policy().toBuilder().expectMeasurement(other).build())))
                .isEqualTo(Reason.MEASUREMENT_MISMATCH);
        String signer = "815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6";
        verifier.verify(q, Optional.empty(), policy().toBuilder().expectSgxSigner(signer, 0, 0).build());
        assertThat(reasonOf(() -> verifier.verify(q, Optional.empty(), policy().toBuilder().expectSgxSigner(signer, 0, 1).build())))
                .isEqualTo(Reason.MEASUREMENT_MISMATCH);
        assertThat(reasonOf(() -> verifier.verify(q, Optional.empty(), policy().toBuilder().expectSgxSigner(signer, 1, 0).build())))
                .isEqualTo(Reason.MEASUREMENT_MISMATCH);
    }

    @Test
    void tdxRegisterPolicyOnRealQuote() {
        byte[] q = AttestationVectors.read("tdx-v4-prod/quote.bin");
        VerifiedQuote v = verifier.verify(q, Optional.empty(), policy());
        String mrTd = v.claims().get("mrTd");
        verifier.verify(q, Optional.empty(), policy().toBuilder()
                .expectTdx(mrTd, java.util.Map.of(0, v.claims().get("rtmr0"), 3, v.claims().get("rtmr3"))).build());
        assertThat(reasonOf(() -> verifier.verify(q, Optional.empty(), policy().toBuilder()
                .expectTdx(mrTd, java.util.Map.of(1, "00".repeat(48))).build()))).isEqualTo(Reason.MEASUREMENT_MISMATCH);
        verifier.verify(q, Optional.empty(), policy().toBuilder().expectMeasurement(v.measurement()).build());
    }

    @Test
    void collateralRequiredWithoutCollateral() {
        byte[] q = AttestationVectors.read("sgx-v3-prod/quote.bin");
        assertThat(reasonOf(() -> verifier.verify(q, Optional.empty(), policy().toBuilder().collateralRequired(true).build())))
                .isEqualTo(Reason.COLLATERAL_INVALID);
        // A collateral source satisfies the requirement.
        Collateral c = Collateral.parseJson(AttestationVectors.read("sgx-v3-prod/collateral.json"));
        VerifiedQuote v = verifier.verify(q, Optional.empty(), policy().toBuilder().collateralRequired(true)
                .collateralSource((tee, fmspc) -> fmspc.equals("00a067110000") ? Optional.of(c) : Optional.empty()).build());
        assertThat(v.tcbStatus()).contains("ConfigurationAndSWHardeningNeeded");
    }

    @Test
    void acceptedStatusesAreConfigurable() {
        byte[] q = AttestationVectors.read("sgx-v3-prod/quote.bin");
        Collateral c = Collateral.parseJson(AttestationVectors.read("sgx-v3-prod/collateral.json"));
        VerifiedQuote v = verifier.verify(q, Optional.of(c), policy().toBuilder()
                .acceptedTcbStatuses(Set.of("ConfigurationAndSWHardeningNeeded")).build());
        assertThat(v.tcbStatus()).contains("ConfigurationAndSWHardeningNeeded");
        assertThat(Duration.ofSeconds(1)).isPositive();
    }

    @Test
    void septVeDisableIsEnforcedOnlyWhenRequired() {
        VerificationPolicy strict = policy().toBuilder().requireTdxSeptVeDisable(true).build();
        // tdx-v4-prod sets SEPT_VE_DISABLE (TD attributes 0000001000000000); the SPR_E4 quote does not (0000004000000000).
        verifier.verify(AttestationVectors.read("tdx-v4-prod/quote.bin"), Optional.empty(), strict);
        byte[] spr = AttestationVectors.read("tdx-v4-trailing/quote.bin");
        verifier.verify(spr, Optional.empty(), policy());
        assertThat(reasonOf(() -> verifier.verify(spr, Optional.empty(), strict))).isEqualTo(Reason.MEASUREMENT_MISMATCH);
    }
}
