package org.sesemi.attestation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.sesemi.attestation.QuoteVerifierNegativeTest.reasonOf;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sesemi.attestation.AttestationException.Reason;
import org.sesemi.attestation.dcap.Ecdsa;
import org.sesemi.attestation.dcap.Quote;
import org.sesemi.attestation.dcap.QuoteWriter;
import org.sesemi.attestation.tee.Pki;

/** PCK chains as found in real quotes: any order, with or without a trailing NUL, root omitted; and broken ones. */
class ChainShapeTest {
    private final TestDcap pki = new TestDcap();
    private final QuoteVerifier verifier = new QuoteVerifier();

    private byte[] quoteWithChain(String pem) {
        byte[] auth = new byte[32];
        byte[] qe = QuoteWriter.qeReport(pki.attRaw(), auth, TestDcap.QE_MRSIGNER, 1, 8, 0x11);
        var cert = new QuoteWriter.QeCertification(qe, Ecdsa.sign(pki.pck.getPrivate(), qe), auth,
                pem.getBytes(StandardCharsets.US_ASCII));
        byte[] body = QuoteWriter.sgxReportBody(TestDcap.bytes(32, 1), TestDcap.bytes(32, 2), 0, 0, 0x05, new byte[64]);
        return QuoteWriter.write(3, Quote.TEE_TYPE_SGX, 1, body, 8, pki.pceSvn, new byte[20], pki.att.getPrivate(),
                pki.attRaw(), cert);
    }

    @Test
    void anyOrderWithOrWithoutNulAndWithoutRoot() {
        VerificationPolicy p = pki.policy().build();
        for (String pem : List.of(
                Pki.pem(List.of(pki.pckCert, pki.rootCert, pki.pckCaCert)),
                Pki.pem(List.of(pki.rootCert, pki.pckCaCert, pki.pckCert)) + "\0",
                Pki.pem(List.of(pki.pckCaCert, pki.pckCert)),
                "leading text\n" + Pki.pem(List.of(pki.pckCert, pki.pckCaCert, pki.rootCert)) + "\n\0\0")) {
            assertThat(verifier.verify(quoteWithChain(pem), Optional.empty(), p).measurement().tee()).isEqualTo(TeeType.SGX);
        }
    }

    @Test
    void brokenChains() {
        VerificationPolicy p = pki.policy().build();
        // Intermediate missing: the root no longer issues anything in the list, so the chain has two loose ends.
        assertThat(reasonOf(() -> verifier.verify(quoteWithChain(Pki.pem(List.of(pki.pckCert, pki.rootCert))), Optional.empty(), p)))
                .isEqualTo(Reason.CHAIN_INVALID);
        // Only the leaf: its issuer is neither in the chain nor a trust root.
        assertThat(reasonOf(() -> verifier.verify(quoteWithChain(Pki.pem(List.of(pki.pckCert))), Optional.empty(), p)))
                .isEqualTo(Reason.UNTRUSTED_ROOT);
        // Two leaves.
        TestDcap other = new TestDcap();
        assertThat(reasonOf(() -> verifier.verify(quoteWithChain(Pki.pem(List.of(pki.pckCert, other.pckCert, pki.pckCaCert,
                pki.rootCert))), Optional.empty(), p))).isEqualTo(Reason.CHAIN_INVALID);
        // No certificate at all.
        assertThat(reasonOf(() -> verifier.verify(quoteWithChain("no pem here"), Optional.empty(), p)))
                .isEqualTo(Reason.CHAIN_INVALID);
        // Another platform's PCK certificate: the QE report signature does not verify with it.
        assertThat(reasonOf(() -> verifier.verify(quoteWithChain(Pki.pem(List.of(other.pckCert, other.pckCaCert,
                other.rootCert))), Optional.empty(), other.policy().build()))).isEqualTo(Reason.SIGNATURE_INVALID);
    }

    @Test
    void expiredPckCertificate() {
        VerificationPolicy later = pki.policy().clock(java.time.Clock.fixed(TestDcap.T0.plus(java.time.Duration.ofDays(4000)),
                java.time.ZoneOffset.UTC)).build();
        assertThat(reasonOf(() -> verifier.verify(pki.sgxQuote(), Optional.empty(), later))).isEqualTo(Reason.CHAIN_INVALID);
    }
}
