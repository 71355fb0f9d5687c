package org.sesemi.attestation.collateral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sesemi.attestation.AttestationException;
import org.sesemi.attestation.AttestationException.Reason;
import org.sesemi.attestation.Collateral;
import org.sesemi.attestation.IntelRoot;
import org.sesemi.attestation.QuoteVerifier;
import org.sesemi.attestation.AttestationVectors;
import org.sesemi.attestation.TeeType;
import org.sesemi.attestation.VerificationPolicy;
import org.sesemi.attestation.VerifiedQuote;
import org.sesemi.time.FakeClock;

/**
 * The PCCS client against a real HTTP server on loopback that serves the real collateral of the shared test vectors
 * over the API v4 paths, and its failure cases.
 */
class PccsClientTest {
    private static final Instant VALID_AT = Instant.parse("2025-07-01T00:00:00Z");
    private TestPccs pccs;
    private Collateral sgx;
    private Collateral tdx;

    @BeforeEach
    void serveRealVectors() throws Exception {
        sgx = Collateral.parseJson(AttestationVectors.read("sgx-v3-prod/collateral.json"));
        tdx = Collateral.parseJson(AttestationVectors.read("tdx-v4-prod/collateral.json"));
        pccs = new TestPccs();
        pccs.put("sgx", "00a067110000", sgx);
        pccs.put("tdx", "b0c06f000000", tdx);
    }

    @AfterEach
    void stop() {
        pccs.close();
    }

    private PccsClient client() {
        return PccsClient.pccs(pccs.uri());
    }

    @Test
    void fetchesSgxCollateralByteExactOverTheV4Paths() {
        Collateral c = client().fetch(TeeType.SGX, "00A067110000", "processor");
        assertThat(c.fingerprint()).isEqualTo(sgx.fingerprint());
        assertThat(pccs.requests).containsExactly(
                "/sgx/certification/v4/pckcrl?ca=processor&encoding=der",
                "/sgx/certification/v4/tcb?fmspc=00a067110000",
                "/sgx/certification/v4/qe/identity?",
                "/sgx/certification/v4/rootcacrl?");
    }

    @Test
    void fetchesTdxCollateralWithThePlatformCaCrl() {
        Collateral c = client().fetch(TeeType.TDX, "b0c06f000000", "platform");
        assertThat(c.fingerprint()).isEqualTo(tdx.fingerprint());
        assertThat(pccs.requests).contains("/tdx/certification/v4/tcb?fmspc=b0c06f000000", "/tdx/certification/v4/qe/identity?",
                "/sgx/certification/v4/pckcrl?ca=platform&encoding=der");
    }

    @Test
    void realQuotesVerifyWithCollateralFromThePccs() {
        FakeClock clock = new FakeClock(VALID_AT);
        try (CachingCollateralSource source = new CachingCollateralSource("pccs:" + pccs.uri(), client(),
                List.of(IntelRoot.publicKey()), clock, Duration.ofHours(6), Duration.ZERO)) {
            VerificationPolicy policy = VerificationPolicy.builder().clock(clock).collateralRequired(true)
                    .collateralSource(source).build();
            VerifiedQuote s = new QuoteVerifier().verify(AttestationVectors.read("sgx-v3-prod/quote.bin"), Optional.empty(), policy);
            assertThat(s.tcbStatus()).contains("ConfigurationAndSWHardeningNeeded");
            assertThat(s.advisoryIds()).containsExactlyInAnyOrder("INTEL-SA-00289", "INTEL-SA-00615");
            VerifiedQuote t = new QuoteVerifier().verify(AttestationVectors.read("tdx-v4-prod/quote.bin"), Optional.empty(), policy);
            assertThat(t.tcbStatus()).contains("UpToDate");
            assertThat(source.stats().fetches()).isEqualTo(2);
            assertThat(source.stats().failures()).isZero();
        }
    }

    @Test
    void unknownPlatformIs404AndUnavailable() {
        assertThatThrownBy(() -> client().fetch(TeeType.SGX, "0123456789ab", "processor"))
                .isInstanceOfSatisfying(AttestationException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.COLLATERAL_UNAVAILABLE);
                    assertThat(e.getMessage()).contains("HTTP 404", "/sgx/certification/v4/tcb?fmspc=0123456789ab");
                });
        pccs.mode = TestPccs.Mode.NOT_FOUND;
        FakeClock clock = new FakeClock(VALID_AT);
        try (CachingCollateralSource source = new CachingCollateralSource("pccs", client(), List.of(IntelRoot.publicKey()),
                clock, Duration.ofHours(6), Duration.ZERO)) {
            VerificationPolicy policy = VerificationPolicy.builder().clock(clock).collateralRequired(true)
                    .collateralSource(source).build();
            assertThatThrownBy(() -> new QuoteVerifier().verify(AttestationVectors.read("sgx-v3-prod/quote.bin"), Optional.empty(), policy))
                    .isInstanceOfSatisfying(AttestationException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.COLLATERAL_UNAVAILABLE);
                        assertThat(e.getMessage()).contains("HTTP 404");
                    });
            assertThat(source.stats().failures()).isEqualTo(1);
        }
    }

    @Test
    void expiredCollateralIsNotAdmitted() {
        // The shared collateral's nextUpdate is 2025-07-19: a PCCS that still serves it later serves stale collateral.
        FakeClock clock = new FakeClock(Instant.parse("2025-08-01T00:00:00Z"));
        try (CachingCollateralSource source = new CachingCollateralSource("pccs", client(), List.of(IntelRoot.publicKey()),
                clock, Duration.ofHours(6), Duration.ZERO)) {
            assertThatThrownBy(() -> source.collateralFor(TeeType.SGX, "00a067110000", "processor"))
                    .isInstanceOfSatisfying(AttestationException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.COLLATERAL_UNAVAILABLE);
                        assertThat(e.getMessage()).contains("collateral_expired");
                    });
            assertThat(source.stats().lastFailure()).hasValueSatisfying(m -> assertThat(m).contains("collateral_expired"));
        }
    }

    @Test
    void wrongSignerIsRefusedAndTheGoodCachedCollateralStays() {
        FakeClock clock = new FakeClock(VALID_AT);
        try (CachingCollateralSource source = new CachingCollateralSource("pccs", client(), List.of(IntelRoot.publicKey()),
                clock, Duration.ofHours(6), Duration.ZERO)) {
            Collateral first = source.collateralFor(TeeType.SGX, "00a067110000", "processor").orElseThrow();
            pccs.mode = TestPccs.Mode.WRONG_SIGNER;
            clock.advance(Duration.ofHours(7));
            assertThat(source.refreshDue()).isEqualTo(1);
            assertThat(source.stats().failures()).isEqualTo(1);
            assertThat(source.stats().lastFailure()).hasValueSatisfying(m -> assertThat(m).contains("collateral_invalid",
                    "TCB info signature does not verify"));
            assertThat(source.collateralFor(TeeType.SGX, "00a067110000", "processor")).containsSame(first);

            // A fresh cache meeting the wrong signer first has nothing to fall back on: it fails closed.
            try (CachingCollateralSource fresh = new CachingCollateralSource("pccs", client(), List.of(IntelRoot.publicKey()),
                    clock, Duration.ofHours(6), Duration.ZERO)) {
                assertThatThrownBy(() -> fresh.collateralFor(TeeType.SGX, "00a067110000", "processor"))
                        .isInstanceOfSatisfying(AttestationException.class,
                                e -> assertThat(e.reason()).isEqualTo(Reason.COLLATERAL_UNAVAILABLE));
            }
        }
    }

    @Test
    void parsesCrlsInEveryEncodingAndRefusesGarbage() throws Exception {
        byte[] der = sgx.pckCrl().getEncoded();
        assertThat(PccsClient.crlBytes(der, "x")).isEqualTo(der);
        assertThat(PccsClient.crlBytes(java.util.HexFormat.of().formatHex(der).getBytes(), "x")).isEqualTo(der);
        String pem = "-----BEGIN X509 CRL-----\n" + java.util.Base64.getMimeEncoder().encodeToString(der) + "\n-----END X509 CRL-----\n";
        assertThat(PccsClient.crlBytes(pem.getBytes(), "x")).isEqualTo(der);
        assertThatThrownBy(() -> PccsClient.crlBytes("nope".getBytes(), "PCK CRL"))
                .hasMessageContaining("PCK CRL is neither DER, PEM nor hex");
        assertThatThrownBy(() -> PccsClient.signed("{\"tcbInfo\":{}}".getBytes(), "tcbInfo", "TCB info"))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED));
        assertThatThrownBy(() -> PccsClient.signed("[1]".getBytes(), "tcbInfo", "TCB info"))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED));
    }
}
