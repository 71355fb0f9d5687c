package org.sesemi.attestation.ratls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1OctetString;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.attestation.AttestationException;
import org.sesemi.attestation.AttestationException.Reason;
import org.sesemi.attestation.tee.SimulatedTee;
import org.sesemi.attestation.VerificationPolicy;
import org.sesemi.attestation.tee.Pki;

/** Our own RA-TLS certificates: both extensions, freshness, and tampering. */
class RaTlsCertificateTest {
    @TempDir
    static Path dir;
    static SimulatedTee tee;
    static RaTlsIdentity id;

    @BeforeAll
    static void issue() {
        tee = SimulatedTee.open(dir, "runtime");
        id = RaTls.issue(tee, Duration.ofHours(1));
    }

    private static Reason reason(Runnable r) {
        try {
            r.run();
        } catch (AttestationException e) {
            return e.reason();
        }
        throw new AssertionError("expected rejection");
    }

    private static VerificationPolicy at(Instant t) {
        return VerificationPolicy.simulated(tee).toBuilder().clock(Clock.fixed(t, ZoneOffset.UTC)).build();
    }

    @Test
    void carriesBothExtensionsEachBindingTheKey() {
        var cert = id.certificate();
        assertThat(cert.getNonCriticalExtensionOIDs()).contains(RaTlsEvidence.LEGACY_OID, RaTlsEvidence.DICE_OID);
        assertThat(RaTlsEvidence.of(cert).orElseThrow().kind()).isEqualTo(RaTlsEvidence.Kind.TCG_DICE);
        byte[] legacy = ASN1OctetString.getInstance(cert.getExtensionValue(RaTlsEvidence.LEGACY_OID)).getOctets();
        new RaTlsEvidence(RaTlsEvidence.Kind.GRAMINE_LEGACY, legacy, Optional.empty()).checkBinding(
                org.sesemi.attestation.dcap.Quote.parse(legacy).body().reportData(), cert.getPublicKey().getEncoded());
        var v = RaTls.verifyCertificate(cert, VerificationPolicy.simulated(tee));
        assertThat(v.quote().measurement()).isEqualTo(tee.measurement());
        assertThat(v.quote().simulated()).isTrue();
        assertThat(cert.getSubjectX500Principal().getName()).contains("SIMULATED");
    }

    @Test
    void expiredOrTooOldOrNotYetValidEvidence() {
        Instant now = Instant.now();
        assertThat(reason(() -> RaTls.verifyCertificate(id.certificate(), at(now.plus(Duration.ofHours(2))))))
                .isEqualTo(Reason.EVIDENCE_EXPIRED);
        assertThat(reason(() -> RaTls.verifyCertificate(id.certificate(), at(now.minus(Duration.ofHours(1))))))
                .isEqualTo(Reason.EVIDENCE_EXPIRED);
        VerificationPolicy young = at(now.plus(Duration.ofMinutes(30))).toBuilder().maxEvidenceAge(Duration.ofMinutes(10)).build();
        assertThat(reason(() -> RaTls.verifyCertificate(id.certificate(), young))).isEqualTo(Reason.EVIDENCE_EXPIRED);
        VerificationPolicy lenient = at(now.plus(Duration.ofMinutes(30))).toBuilder().maxEvidenceAge(Duration.ofHours(1)).build();
        assertThat(RaTls.verifyCertificate(id.certificate(), lenient).quote().measurement()).isEqualTo(tee.measurement());
    }

    @Test
    void invalidDiceIsNotRescuedByAValidLegacyExtension() {
        var keys = Pki.p256();
        byte[] rd = new byte[64];
        System.arraycopy(org.sesemi.crypto.Hashes.sha256(keys.getPublic().getEncoded()), 0, rd, 0, 32);
        byte[] goodLegacy = tee.quote(rd);
        var onlyLegacy = RaTls.certificate(keys, "CN=legacy", goodLegacy, Optional.empty(), Duration.ofHours(1));
        assertThat(RaTls.verifyCertificate(onlyLegacy, VerificationPolicy.simulated(tee)).key()).isEqualTo(keys.getPublic());
        var withBadDice = RaTls.certificate(keys, "CN=bad-dice", goodLegacy, Optional.of(new byte[] {(byte) 0xd9, 0x01}),
                Duration.ofHours(1));
        assertThat(reason(() -> RaTls.verifyCertificate(withBadDice, VerificationPolicy.simulated(tee)))).isEqualTo(Reason.MALFORMED);
        // DICE claims for another key.
        byte[] claims = RaTlsEvidence.claimsFor(Pki.p256().getPublic().getEncoded());
        byte[] rd2 = new byte[64];
        System.arraycopy(org.sesemi.crypto.Hashes.sha256(claims), 0, rd2, 0, 32);
        var foreignClaims = RaTls.certificate(keys, "CN=foreign-claims", goodLegacy,
                Optional.of(RaTlsEvidence.encodeDice(tee.quote(rd2), claims)), Duration.ofHours(1));
        assertThat(reason(() -> RaTls.verifyCertificate(foreignClaims, VerificationPolicy.simulated(tee))))
                .isEqualTo(Reason.BINDING_MISMATCH);
    }

    @Test
    void plainCertificateIsNotAnAttestedPeer() {
        var user = org.sesemi.crypto.PrincipalIdentity.generate();
        var cert = user.selfSignedCertificate(Duration.ofDays(1));
        assertThat(reason(() -> RaTls.verifyCertificate(cert, VerificationPolicy.simulated(tee)))).isEqualTo(Reason.UNSUPPORTED);
        assertThat(RaTls.identify(cert, VerificationPolicy.simulated(tee), true))
                .isEqualTo(new PeerIdentity.Principal(user.id()));
        assertThat(reason(() -> RaTls.identify(cert, VerificationPolicy.simulated(tee), false))).isEqualTo(Reason.UNSUPPORTED);
    }
}
