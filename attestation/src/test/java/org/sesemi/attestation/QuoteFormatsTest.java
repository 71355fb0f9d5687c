package org.sesemi.attestation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.sesemi.attestation.QuoteVerifierNegativeTest.reasonOf;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sesemi.attestation.AttestationException.Reason;
import org.sesemi.attestation.dcap.Quote;
import org.sesemi.attestation.dcap.QuoteWriter;
import org.sesemi.attestation.dcap.SgxReportBody;
import org.sesemi.attestation.dcap.TdReportBody;

/** The quote layouts Intel defines: SGX in v3/v4/v5, TDX in v4/v5 (TD 1.0 and 1.5), and inconsistent headers. */
class QuoteFormatsTest {
    private final TestDcap pki = new TestDcap();
    private final QuoteVerifier verifier = new QuoteVerifier();

    private byte[] sgx(int version) {
        byte[] body = QuoteWriter.sgxReportBody(TestDcap.bytes(32, 5), TestDcap.bytes(32, 6), 1, 2, 0x05, TestDcap.bytes(64, 9));
        return QuoteWriter.write(version, Quote.TEE_TYPE_SGX, 1, body, 8, pki.pceSvn, new byte[20], pki.att.getPrivate(),
                pki.attRaw(), pki.qeCert(TestDcap.QE_MRSIGNER, 1, 8));
    }

    @Test
    void sgxInEveryVersion() {
        for (int v = 3; v <= 5; v++) {
            VerifiedQuote q = verifier.verify(sgx(v), Optional.of(pki.collateral(new TestDcap.Spec())), pki.policy().build());
            assertThat(q.quoteVersion()).isEqualTo(v);
            assertThat(q.tee()).isEqualTo(TeeType.SGX);
            assertThat(q.reportData()).isEqualTo(TestDcap.bytes(64, 9));
            assertThat(Quote.parse(sgx(v)).body()).isInstanceOf(SgxReportBody.class);
        }
    }

    @Test
    void tdxBodiesAndTheirSignedRange() {
        byte[] svn = new byte[16];
        svn[1] = 1;
        byte[] v4 = pki.tdxQuote(4, TestDcap.tdBody(false, svn, false));
        byte[] v5 = pki.tdxQuote(5, TestDcap.tdBody(true, svn, false));
        assertThat(Quote.parse(v4).signedBytes()).hasSize(48 + TdReportBody.SIZE_10);
        assertThat(Quote.parse(v5).signedBytes()).hasSize(48 + 6 + TdReportBody.SIZE_15);
        assertThat(((TdReportBody) Quote.parse(v5).body()).isTdx15()).isTrue();
        // v5 signs its body type and size: changing the declared type breaks parsing or the signature.
        byte[] t = v5.clone();
        t[48] = 2;
        assertThat(reasonOf(() -> verifier.verify(t, Optional.empty(), pki.policy().build()))).isEqualTo(Reason.MALFORMED);
        // TDX 1.5 with a service TD bound is refused.
        byte[] body = TestDcap.tdBody(true, svn, false);
        body[600] = 1;
        byte[] bound = pki.tdxQuote(5, body);
        assertThat(reasonOf(() -> verifier.verify(bound, Optional.empty(), pki.policy().build()))).isEqualTo(Reason.MEASUREMENT_MISMATCH);
    }

    @Test
    void inconsistentHeaders() {
        byte[] q = sgx(5);
        q[48] = 3; // v5 body type TD 1.5 with an SGX TEE type and an SGX-sized body
        assertThat(reasonOf(() -> Quote.parse(q))).isEqualTo(Reason.MALFORMED);
        byte[] badType = sgx(4);
        badType[4] = 0x42; // unknown TEE type
        assertThat(reasonOf(() -> Quote.parse(badType))).isEqualTo(Reason.UNSUPPORTED);
        byte[] p384 = sgx(3);
        p384[2] = 3; // ECDSA P-384 attestation key: defined by Intel, not supported
        assertThat(reasonOf(() -> Quote.parse(p384))).isEqualTo(Reason.UNSUPPORTED);
        byte[] v6 = sgx(3);
        v6[0] = 6;
        assertThat(reasonOf(() -> Quote.parse(v6))).isEqualTo(Reason.UNSUPPORTED);
    }
}
