package org.sesemi.attestation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.sesemi.attestation.QuoteVerifierNegativeTest.reasonOf;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.sesemi.attestation.AttestationException.Reason;

/** Collateral and TCB evaluation against our own BouncyCastle-built PKI: revocation, windows, statuses, TDX. */
class CollateralEvaluationTest {
    private final QuoteVerifier verifier = new QuoteVerifier();
    private final TestDcap pki = new TestDcap();

    private VerifiedQuote verify(byte[] quote, TestDcap.Spec s, VerificationPolicy p) {
        return verifier.verify(quote, Optional.of(pki.collateral(s)), p);
    }

    @Test
    void upToDatePlatform() {
        VerifiedQuote v = verify(pki.sgxQuote(), new TestDcap.Spec(), pki.policy().build());
        assertThat(v.tcbStatus()).contains("UpToDate");
        assertThat(v.claims()).containsEntry("isvProdId", "7").containsEntry("isvSvn", "3").containsEntry("fmspc", TestDcap.FMSPC);
    }

    @Test
    void collateralRoundTripsThroughJson() {
        Collateral c = pki.collateral(new TestDcap.Spec());
        Collateral back = Collateral.parseJson(c.toJson());
        assertThat(back.fingerprint()).isEqualTo(c.fingerprint());
        assertThat(verifier.verify(pki.sgxQuote(), Optional.of(back), pki.policy().build()).tcbStatus()).contains("UpToDate");
    }

    @Test
    void revokedPckLeaf() {
        TestDcap.Spec s = new TestDcap.Spec();
        s.pckRevoked.add(pki.pckCert.getSerialNumber());
        assertThat(reasonOf(() -> verify(pki.sgxQuote(), s, pki.policy().build()))).isEqualTo(Reason.REVOKED);
    }

    @Test
    void revokedIntermediate() {
        TestDcap.Spec s = new TestDcap.Spec();
        s.rootRevoked.add(pki.pckCaCert.getSerialNumber());
        assertThat(reasonOf(() -> verify(pki.sgxQuote(), s, pki.policy().build()))).isEqualTo(Reason.REVOKED);
    }

    @Test
    void revokedTcbSigner() {
        TestDcap.Spec s = new TestDcap.Spec();
        s.rootRevoked.add(pki.tcbCert.getSerialNumber());
        assertThat(reasonOf(() -> verify(pki.sgxQuote(), s, pki.policy().build()))).isEqualTo(Reason.REVOKED);
    }

    @Test
    void unrelatedRevocationsDoNotMatter() {
        TestDcap.Spec s = new TestDcap.Spec();
        s.pckRevoked.add(java.math.BigInteger.valueOf(12345));
        s.rootRevoked.add(java.math.BigInteger.valueOf(678));
        assertThat(verify(pki.sgxQuote(), s, pki.policy().build()).tcbStatus()).contains("UpToDate");
    }

    @Test
    void expiredAndNotYetValidCollateral() {
        TestDcap.Spec expired = new TestDcap.Spec();
        expired.issue = TestDcap.T0.minus(Duration.ofDays(40));
        expired.next = TestDcap.T0.minus(Duration.ofDays(10));
        assertThat(reasonOf(() -> verify(pki.sgxQuote(), expired, pki.policy().build()))).isEqualTo(Reason.COLLATERAL_EXPIRED);
        TestDcap.Spec future = new TestDcap.Spec();
        future.issue = TestDcap.T0.plus(Duration.ofDays(1));
        future.next = TestDcap.T0.plus(Duration.ofDays(30));
        assertThat(reasonOf(() -> verify(pki.sgxQuote(), future, pki.policy().build()))).isEqualTo(Reason.COLLATERAL_EXPIRED);
        TestDcap.Spec staleCrl = new TestDcap.Spec();
        staleCrl.crlThis = TestDcap.T0.minus(Duration.ofDays(60));
        staleCrl.crlNext = TestDcap.T0.minus(Duration.ofDays(30));
        assertThat(reasonOf(() -> verify(pki.sgxQuote(), staleCrl, pki.policy().build()))).isEqualTo(Reason.COLLATERAL_EXPIRED);
    }

    @Test
    void cachedCollateralStillChecksTime() {
        Collateral c = pki.collateral(new TestDcap.Spec());
        byte[] q = pki.sgxQuote();
        verifier.verify(q, Optional.of(c), pki.policy().build());
        VerificationPolicy later = pki.policy().clock(java.time.Clock.fixed(TestDcap.T0.plus(Duration.ofDays(60)),
                java.time.ZoneOffset.UTC)).build();
        assertThat(reasonOf(() -> verifier.verify(q, Optional.of(c), later))).isEqualTo(Reason.COLLATERAL_EXPIRED);
    }

    @Test
    void tamperedTcbInfo() {
        TestDcap.Spec s = new TestDcap.Spec();
        s.tamperTcbInfo = true;
        assertThat(reasonOf(() -> verify(pki.sgxQuote(), s, pki.policy().build()))).isEqualTo(Reason.COLLATERAL_INVALID);
    }

    @Test
    void wrongFmspc() {
        TestDcap.Spec s = new TestDcap.Spec();
        s.fmspc = "00906ED50000";
        assertThat(reasonOf(() -> verify(pki.sgxQuote(), s, pki.policy().build()))).isEqualTo(Reason.COLLATERAL_INVALID);
    }

    @Test
    void collateralFromAnotherRootIsInvalid() {
        TestDcap other = new TestDcap();
        Collateral foreign = other.collateral(new TestDcap.Spec());
        assertThat(reasonOf(() -> verifier.verify(pki.sgxQuote(), Optional.of(foreign), pki.policy().build())))
                .isIn(Reason.COLLATERAL_INVALID, Reason.UNTRUSTED_ROOT);
    }

    @Test
    void outOfDatePlatformRejectedByDefaultAndAcceptedOnRequest() {
        TestDcap.Spec s = new TestDcap.Spec();
        s.platformStatus = "OutOfDate";
        s.advisories = List.of("INTEL-SA-00001");
        assertThat(reasonOf(() -> verify(pki.sgxQuote(), s, pki.policy().build()))).isEqualTo(Reason.TCB_REJECTED);
        VerifiedQuote v = verify(pki.sgxQuote(), s, pki.policy().acceptedTcbStatuses(Set.of("OutOfDate")).build());
        assertThat(v.tcbStatus()).contains("OutOfDate");
        assertThat(v.advisoryIds()).containsExactly("INTEL-SA-00001");
    }

    @Test
    void platformAboveEveryLevelIsNoMatch() {
        TestDcap.Spec s = new TestDcap.Spec();
        s.levelSvn = 9; // every level requires more than the PCK has
        assertThat(reasonOf(() -> verify(pki.sgxQuote(), s, pki.policy().build()))).isEqualTo(Reason.TCB_NO_MATCH);
    }

    @Test
    void outOfDateQuotingEnclaveConverges() {
        TestDcap.Spec s = new TestDcap.Spec();
        s.qeStatus = "OutOfDate";
        assertThat(reasonOf(() -> verify(pki.sgxQuote(), s, pki.policy().build()))).isEqualTo(Reason.TCB_REJECTED);
        assertThat(verify(pki.sgxQuote(), s, pki.policy().acceptedTcbStatuses(Set.of("OutOfDate")).build()).tcbStatus())
                .contains("OutOfDate");
        TestDcap.Spec newer = new TestDcap.Spec();
        newer.qeMinSvn = 9; // QE ISVSVN is 8
        assertThat(reasonOf(() -> verify(pki.sgxQuote(), newer, pki.policy().build()))).isEqualTo(Reason.TCB_NO_MATCH);
    }

    @Test
    void debugEnclaveRejectedByDefault() {
        byte[] debug = pki.sgxQuote(TestDcap.bytes(32, 1), TestDcap.bytes(32, 2), 0, 0, 0x07);
        assertThat(reasonOf(() -> verify(debug, new TestDcap.Spec(), pki.policy().build()))).isEqualTo(Reason.DEBUG_REJECTED);
        assertThat(verify(debug, new TestDcap.Spec(), pki.policy().allowDebug(true).build()).debug()).isTrue();
    }

    private static byte[] tcbSvn(int minor, int major) {
        byte[] s = new byte[16];
        s[0] = (byte) minor;
        s[1] = (byte) major;
        for (int i = 2; i < 16; i++) {
            s[i] = 1;
        }
        return s;
    }

    @Test
    void tdxV4AndV5WithModuleIdentity() {
        TestDcap.Spec s = new TestDcap.Spec();
        s.tee = "TDX";
        for (int version : new int[] {4, 5}) {
            byte[] q = pki.tdxQuote(version, TestDcap.tdBody(version == 5, tcbSvn(4, 1), false));
            VerifiedQuote v = verify(q, s, pki.policy().build());
            assertThat(v.tee()).isEqualTo(TeeType.TDX);
            assertThat(v.quoteVersion()).isEqualTo(version);
            assertThat(v.tcbStatus()).contains("UpToDate");
            assertThat(v.claims()).containsEntry("mrTd", "ad".repeat(48)).containsEntry("rtmr2", "a2".repeat(48));
            assertThat(v.measurement()).isEqualTo(Measurement.tdx(TestDcap.bytes(48, 0xAD), TestDcap.bytes(48, 0xA0),
                    TestDcap.bytes(48, 0xA1), TestDcap.bytes(48, 0xA2), TestDcap.bytes(48, 0xA3)));
        }
    }

    @Test
    void tdxModuleOutOfDateOrUnknown() {
        TestDcap.Spec s = new TestDcap.Spec();
        s.tee = "TDX";
        s.tdxModuleStatus = "OutOfDate";
        byte[] q = pki.tdxQuote(4, TestDcap.tdBody(false, tcbSvn(4, 1), false));
        assertThat(reasonOf(() -> verify(q, s, pki.policy().build()))).isEqualTo(Reason.TCB_REJECTED);
        TestDcap.Spec ok = new TestDcap.Spec();
        ok.tee = "TDX";
        byte[] tooOld = pki.tdxQuote(4, TestDcap.tdBody(false, tcbSvn(2, 1), false)); // module SVN 2 < 3
        assertThat(reasonOf(() -> verify(tooOld, ok, pki.policy().build()))).isEqualTo(Reason.TCB_NO_MATCH);
        byte[] unknownMajor = pki.tdxQuote(4, TestDcap.tdBody(false, tcbSvn(4, 2), false)); // TDX_02 not listed
        assertThat(reasonOf(() -> verify(unknownMajor, ok, pki.policy().build()))).isEqualTo(Reason.TCB_NO_MATCH);
    }

    @Test
    void debugTdRejected() {
        TestDcap.Spec s = new TestDcap.Spec();
        s.tee = "TDX";
        byte[] q = pki.tdxQuote(4, TestDcap.tdBody(false, tcbSvn(4, 1), true));
        assertThat(reasonOf(() -> verify(q, s, pki.policy().build()))).isEqualTo(Reason.DEBUG_REJECTED);
        assertThat(verify(q, s, pki.policy().allowDebug(true).build()).debug()).isTrue();
        assertThat(Map.of()).isEmpty();
    }

    @Test
    void quotingEnclaveMustBeIntelsAndNotDebugEvenWithoutCollateral() {
        byte[] body = org.sesemi.attestation.dcap.QuoteWriter.sgxReportBody(TestDcap.bytes(32, 1), TestDcap.bytes(32, 2), 0, 0,
                0x05, new byte[64]);
        byte[] rogueQe = org.sesemi.attestation.dcap.QuoteWriter.write(3, org.sesemi.attestation.dcap.Quote.TEE_TYPE_SGX, 1,
                body, 8, pki.pceSvn, new byte[20], pki.att.getPrivate(), pki.attRaw(), pki.qeCert(TestDcap.bytes(32, 0x66), 1, 8));
        assertThat(reasonOf(() -> verifier.verify(rogueQe, Optional.empty(), pki.policy().build()))).isEqualTo(Reason.TCB_REJECTED);
        assertThat(reasonOf(() -> verify(rogueQe, new TestDcap.Spec(), pki.policy().build()))).isEqualTo(Reason.TCB_REJECTED);
        // The same quote under a simulated root is not held to Intel's QE identity (the simulated QE has its own).
        assertThat(verifier.verify(rogueQe, Optional.empty(), VerificationPolicy.builder().simulatedTrustRoot(pki.root.getPublic())
                .clock(java.time.Clock.fixed(TestDcap.T0, java.time.ZoneOffset.UTC)).build()).simulated()).isTrue();

        byte[] auth = new byte[32];
        byte[] debugQeReport = org.sesemi.attestation.dcap.QuoteWriter.qeReport(pki.attRaw(), auth, TestDcap.QE_MRSIGNER, 1, 8, 0x13);
        var debugCert = new org.sesemi.attestation.dcap.QuoteWriter.QeCertification(debugQeReport,
                org.sesemi.attestation.dcap.Ecdsa.sign(pki.pck.getPrivate(), debugQeReport), auth, pki.qeCert(TestDcap.QE_MRSIGNER, 1, 8).pckChainPem());
        byte[] debugQe = org.sesemi.attestation.dcap.QuoteWriter.write(3, org.sesemi.attestation.dcap.Quote.TEE_TYPE_SGX, 1, body,
                8, pki.pceSvn, new byte[20], pki.att.getPrivate(), pki.attRaw(), debugCert);
        assertThat(reasonOf(() -> verifier.verify(debugQe, Optional.empty(), pki.policy().allowDebug(true).build())))
                .isEqualTo(Reason.DEBUG_REJECTED);
    }
}
