package org.sesemi.attestation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sesemi.attestation.AttestationException.Reason;

/** Every case of the vectors' README (test resources, org/sesemi/attestation/vectors) gives the stated result. */
class QuoteVerifierVectorsTest {
    private final QuoteVerifier verifier = new QuoteVerifier();

    private static VerificationPolicy at(String instant) {
        return VerificationPolicy.builder().clock(AttestationVectors.at(instant)).build();
    }

    @Test
    void sgxV3ProductionWithCollateral() {
        byte[] quote = AttestationVectors.read("sgx-v3-prod/quote.bin");
        Collateral c = Collateral.parseJson(AttestationVectors.read("sgx-v3-prod/collateral.json"));
        VerifiedQuote v = verifier.verify(quote, Optional.of(c), at("2025-07-01T00:00:00Z"));
        assertThat(v.tee()).isEqualTo(TeeType.SGX);
        assertThat(v.quoteVersion()).isEqualTo(3);
        assertThat(v.debug()).isFalse();
        assertThat(v.simulated()).isFalse();
        assertThat(v.tcbStatus()).contains("ConfigurationAndSWHardeningNeeded");
        assertThat(v.advisoryIds()).containsExactlyInAnyOrder("INTEL-SA-00289", "INTEL-SA-00615");
        assertThat(v.claims()).containsEntry("mrEnclave", "33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb")
                .containsEntry("mrSigner", "815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6")
                .containsEntry("isvProdId", "0").containsEntry("isvSvn", "0");
        assertThat(v.measurement().value()).isEqualTo("sgx:33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb");
        byte[] expected = new byte[64];
        byte[] hello = "Hello, world!".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(hello, 0, expected, 0, hello.length);
        assertThat(v.reportData()).isEqualTo(expected);
    }

    @Test
    void sgxV3DefaultPolicyRejectsConfigurationNeededOnlyIfNotAccepted() {
        byte[] quote = AttestationVectors.read("sgx-v3-prod/quote.bin");
        Collateral c = Collateral.parseJson(AttestationVectors.read("sgx-v3-prod/collateral.json"));
        VerificationPolicy strict = at("2025-07-01T00:00:00Z").toBuilder()
                .acceptedTcbStatuses(java.util.Set.of("UpToDate")).build();
        assertThatThrownBy(() -> verifier.verify(quote, Optional.of(c), strict))
                .isInstanceOfSatisfying(AttestationException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.TCB_REJECTED);
                    // The rejection carries what the evaluation found.
                    assertThat(e.tcbStatus()).contains("ConfigurationAndSWHardeningNeeded");
                    assertThat(e.advisoryIds()).containsExactlyInAnyOrder("INTEL-SA-00289", "INTEL-SA-00615");
                });
    }

    @Test
    void tdxV4ProductionWithCollateral() {
        byte[] quote = AttestationVectors.read("tdx-v4-prod/quote.bin");
        Collateral c = Collateral.parseJson(AttestationVectors.read("tdx-v4-prod/collateral.json"));
        VerifiedQuote v = verifier.verify(quote, Optional.of(c), at("2025-07-01T00:00:00Z"));
        assertThat(v.tee()).isEqualTo(TeeType.TDX);
        assertThat(v.quoteVersion()).isEqualTo(4);
        assertThat(v.tcbStatus()).contains("UpToDate");
        assertThat(v.advisoryIds()).isEmpty();
        assertThat(v.debug()).isFalse();
        assertThat(v.claims()).containsEntry("mrTd",
                "91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7")
                .containsEntry("tdAttributes", "0000001000000000");
        assertThat(java.util.HexFormat.of().formatHex(v.reportData())).startsWith("9a9d48e7f6799642d3d1b34e1e5e1742d4bb02dd");
        assertThat(v.measurement().tee()).isEqualTo(TeeType.TDX);
    }

    @Test
    void tdxV5HasNoMatchingTcbLevel() {
        byte[] quote = AttestationVectors.read("tdx-v5/quote.bin");
        Collateral c = Collateral.parseJson(AttestationVectors.read("tdx-v5/collateral.json"));
        assertThatThrownBy(() -> verifier.verify(quote, Optional.of(c), at("2026-03-01T00:00:00Z")))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TCB_NO_MATCH));
        // Signatures and chain alone are valid.
        VerifiedQuote v = verifier.verify(quote, Optional.empty(), at("2026-03-01T00:00:00Z"));
        assertThat(v.quoteVersion()).isEqualTo(5);
        assertThat(v.tcbStatus()).isEmpty();
    }

    @Test
    void tdxV4WithTrailingJunkVerifiesByDeclaredLengths() {
        byte[] quote = AttestationVectors.read("tdx-v4-trailing/quote.bin");
        assertThat(new String(Arrays.copyOfRange(quote, quote.length - 39, quote.length), StandardCharsets.US_ASCII))
                .contains("extra bytes");
        VerifiedQuote v = verifier.verify(quote, Optional.empty(), at("2025-07-01T00:00:00Z"));
        assertThat(v.tee()).isEqualTo(TeeType.TDX);
        assertThat(v.tcbStatus()).isEmpty();
    }
}
