package org.sesemi.attestation.ratls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1OctetString;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sesemi.attestation.AttestationException;
import org.sesemi.attestation.AttestationException.Reason;
import org.sesemi.attestation.AttestationVectors;
import org.sesemi.attestation.TeeType;
import org.sesemi.attestation.VerificationPolicy;
import org.sesemi.attestation.dcap.Quote;

/** The three real RA-TLS certificates (Gramine, Intel SGX SDK, rats-tls): all debug enclaves on real hardware. */
class RealRaTlsCertificatesTest {

    static X509Certificate cert(String name) throws Exception {
        byte[] pem = AttestationVectors.read("ra-tls/" + name);
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(pem));
    }

    private static VerificationPolicy policy(String at, boolean allowDebug) {
        return VerificationPolicy.builder().clock(AttestationVectors.at(at)).noEvidenceAgeLimit().allowDebug(allowDebug).build();
    }

    @ParameterizedTest
    @CsvSource({
        "gramine-cert.pem, TCG_DICE, 2024-01-01T00:00:00Z",
        "intel-sgxsdk-cert.pem, TCG_DICE, 2024-06-01T00:00:00Z",
        "rats-tls-cert.pem, TCG_DICE, 2023-06-01T00:00:00Z",
    })
    void defaultPolicyRejectsDebugAllowDebugAccepts(String file, RaTlsEvidence.Kind kind, String at) throws Exception {
        X509Certificate c = cert(file);
        RaTlsEvidence ev = RaTlsEvidence.of(c).orElseThrow();
        assertThat(ev.kind()).isEqualTo(kind);
        // Binding holds: report data of the quote commits to the certificate key.
        ev.checkBinding(Quote.parse(ev.quote()).body().reportData(), c.getPublicKey().getEncoded());

        assertThatThrownBy(() -> RaTls.verifyCertificate(c, policy(at, false)))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.DEBUG_REJECTED));
        PeerIdentity.AttestedTee t = RaTls.verifyCertificate(c, policy(at, true));
        assertThat(t.quote().debug()).isTrue();
        assertThat(t.quote().tee()).isEqualTo(TeeType.SGX);
        assertThat(t.quote().simulated()).isFalse();
        assertThat(t.quote().tcbStatus()).isEmpty();
        assertThat(t.key()).isEqualTo(c.getPublicKey());
    }

    @org.junit.jupiter.api.Test
    void gramineLegacyExtensionBindsSha256OfSpki() throws Exception {
        X509Certificate c = cert("gramine-cert.pem");
        byte[] quote = ASN1OctetString.getInstance(c.getExtensionValue(RaTlsEvidence.LEGACY_OID)).getOctets();
        RaTlsEvidence legacy = new RaTlsEvidence(RaTlsEvidence.Kind.GRAMINE_LEGACY, quote, Optional.empty());
        legacy.checkBinding(Quote.parse(quote).body().reportData(), c.getPublicKey().getEncoded());
        // The same quote does not bind another key.
        byte[] otherKey = cert("intel-sgxsdk-cert.pem").getPublicKey().getEncoded();
        assertThatThrownBy(() -> legacy.checkBinding(Quote.parse(quote).body().reportData(), otherKey))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.BINDING_MISMATCH));
    }

    @org.junit.jupiter.api.Test
    void intelSdkQuoteDoesNotFollowTheLegacySpkiRule() throws Exception {
        // Intel SDK >= 2.22 puts the same quote under its own OID; its report data binds the DICE claims, not the SPKI.
        X509Certificate c = cert("intel-sgxsdk-cert.pem");
        RaTlsEvidence dice = RaTlsEvidence.of(c).orElseThrow();
        RaTlsEvidence asLegacy = new RaTlsEvidence(RaTlsEvidence.Kind.GRAMINE_LEGACY, dice.quote(), Optional.empty());
        assertThatThrownBy(() -> asLegacy.checkBinding(Quote.parse(dice.quote()).body().reportData(),
                c.getPublicKey().getEncoded())).isInstanceOfSatisfying(AttestationException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.BINDING_MISMATCH));
    }

    @org.junit.jupiter.api.Test
    void expiredRatsTlsCertificateIsRefusedAsExpiredEvidence() throws Exception {
        X509Certificate c = cert("rats-tls-cert.pem");
        assertThatThrownBy(() -> RaTls.verifyCertificate(c, policy("2025-01-01T00:00:00Z", true)))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.EVIDENCE_EXPIRED));
        // With the default evidence age limit (24 h) even the long-lived Gramine certificate is too old.
        assertThatThrownBy(() -> RaTls.verifyCertificate(cert("gramine-cert.pem"),
                VerificationPolicy.builder().clock(AttestationVectors.at("2024-01-01T00:00:00Z")).allowDebug(true).build()))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.EVIDENCE_EXPIRED));
    }
}
