package org.sesemi.attestation.ratls;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyManagementException;
import java.security.KeyPair;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.sesemi.attestation.AttestationException;
import org.sesemi.attestation.AttestationException.Reason;
import org.sesemi.attestation.QuoteVerifier;
import org.sesemi.attestation.TeeProvider;
import org.sesemi.attestation.VerificationPolicy;
import org.sesemi.attestation.VerifiedQuote;
import org.sesemi.attestation.dcap.Quote;
import org.sesemi.attestation.tee.Pki;
import org.sesemi.crypto.Hashes;
import org.sesemi.crypto.PrincipalId;
import org.sesemi.time.SystemTime;

/**
 * RA-TLS for plain JSSE (the HTTP layer applies it to the JDK {@code HttpsServer}; {@code java.net.http.HttpClient} and sockets use it directly).
 *
 * <p>A TEE {@link #issue issues} a self-signed certificate for a fresh P-256 key carrying its quote twice: in Gramine's
 * legacy extension (report_data = SHA-256(DER SPKI) ‖ 0³²) and as TCG DICE tagged evidence (report_data =
 * SHA-256(claims), claims bind SHA-256(SPKI)). Peers verify with {@link #serverTrust} / {@link #clientTrust} and learn
 * who they talk to with {@link #peer(SSLSession)}.
 *
 * <p>Freshness: the evidence is as fresh as the certificate. Verifiers reject certificates outside their validity and
 * older than the policy's maximum evidence age; TLS sessions (and resumptions) are capped at {@link #SESSION_TIMEOUT}.
 */
public final class RaTls {
    /** Session value name under which the verified {@link PeerIdentity} is stored. */
    public static final String SESSION_KEY = "org.sesemi.attestation.peer";
    /** Lifetime of TLS sessions (and thus of resumption) in contexts built here. */
    public static final Duration SESSION_TIMEOUT = Duration.ofHours(1);
    private static final QuoteVerifier VERIFIER = new QuoteVerifier();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int PEER_CACHE = 4096;
    // Resumed TLS 1.3 sessions do not carry session values, and the trust manager is not called again; the identity
    // verified at the full handshake is found here by certificate fingerprint.
    private static final Map<String, PeerIdentity> PEERS = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, PeerIdentity> eldest) {
            return size() > PEER_CACHE;
        }
    };

    private RaTls() {}

    /**
     * Issues an RA-TLS identity from {@code tee}: a fresh P-256 key and a self-signed certificate valid for
     * {@code validity} carrying the legacy and DICE evidence (two quotes).
     */
    public static RaTlsIdentity issue(TeeProvider tee, Duration validity) {
        KeyPair keys = Pki.p256();
        byte[] spki = keys.getPublic().getEncoded();
        byte[] legacyData = new byte[64];
        System.arraycopy(Hashes.sha256(spki), 0, legacyData, 0, 32);
        byte[] legacyQuote = tee.quote(legacyData);
        byte[] claims = RaTlsEvidence.claimsFor(spki);
        byte[] diceData = new byte[64];
        System.arraycopy(Hashes.sha256(claims), 0, diceData, 0, 32);
        byte[] diceQuote = tee.quote(diceData);
        String subject = "CN=SeSeMI RA-TLS " + tee.name() + (tee.isSimulated() ? " SIMULATED (no hardware protection)" : "")
                + ",O=SeSeMI";
        X509Certificate cert = certificate(keys, subject, legacyQuote,
                Optional.of(RaTlsEvidence.encodeDice(diceQuote, claims)), validity);
        return new RaTlsIdentity(keys.getPrivate(), cert);
    }

    /**
     * A self-signed certificate for {@code keys} carrying {@code legacyQuote} (and optionally a DICE extension value)
     * as given, without checking the binding: for interoperability tests and negative tests.
     */
    public static X509Certificate certificate(KeyPair keys, String subject, byte[] legacyQuote,
            Optional<byte[]> diceExtensionValue, Duration validity) {
        Instant now = SystemTime.clock().instant();
        X500Name name = new X500Name(subject);
        try {
            var b = new JcaX509v3CertificateBuilder(name, new BigInteger(96, RANDOM).add(BigInteger.ONE),
                    Date.from(now.minusSeconds(60)), Date.from(now.plus(validity)), name, keys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(new ASN1ObjectIdentifier(RaTlsEvidence.LEGACY_OID), false, legacyQuote);
            if (diceExtensionValue.isPresent()) {
                b.addExtension(new ASN1ObjectIdentifier(RaTlsEvidence.DICE_OID), false, diceExtensionValue.get());
            }
            return new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException("cannot build the RA-TLS certificate", e);
        }
    }

    /** A key manager for a plain principal certificate (e.g. {@code PrincipalIdentity.selfSignedCertificate}). */
    public static X509ExtendedKeyManager keyManager(PrivateKey key, X509Certificate certificate) {
        return new SingleKeyManager(key, certificate);
    }

    /** What a client uses to verify a server's RA-TLS certificate. */
    public static X509ExtendedTrustManager serverTrust(VerificationPolicy policy) {
        return new RaTlsTrustManager(policy, false);
    }

    /**
     * What a server uses to verify clients: RA-TLS certificates must verify under {@code runtimePolicy}; a plain
     * self-signed certificate (no quote extension) is accepted as a principal iff {@code allowPrincipalCertificates}.
     */
    public static X509ExtendedTrustManager clientTrust(VerificationPolicy runtimePolicy, boolean allowPrincipalCertificates) {
        return new RaTlsTrustManager(runtimePolicy, allowPrincipalCertificates);
    }

    /** A TLS 1.3 context with these managers ({@code km} may be null for clients without a certificate). */
    public static SSLContext sslContext(KeyManager km, X509TrustManager tm) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLSv1.3");
            ctx.init(km == null ? null : new KeyManager[] {km}, new TrustManager[] {tm}, RANDOM);
            ctx.getClientSessionContext().setSessionTimeout((int) SESSION_TIMEOUT.toSeconds());
            ctx.getServerSessionContext().setSessionTimeout((int) SESSION_TIMEOUT.toSeconds());
            return ctx;
        } catch (NoSuchAlgorithmException | KeyManagementException e) {
            throw new IllegalStateException("TLS 1.3 unavailable", e);
        }
    }

    /** TLS 1.3-only parameters, with client certificates required or requested. */
    public static SSLParameters parameters(SSLContext ctx, boolean needClientAuth) {
        SSLParameters p = ctx.getDefaultSSLParameters();
        p.setProtocols(new String[] {"TLSv1.3"});
        if (needClientAuth) {
            p.setNeedClientAuth(true);
        } else {
            p.setWantClientAuth(true);
        }
        return p;
    }

    /** Who the peer of an established session is; empty if it presented no certificate we verified. */
    public static Optional<PeerIdentity> peer(SSLSession session) {
        if (session == null) {
            return Optional.empty();
        }
        if (session.getValue(SESSION_KEY) instanceof PeerIdentity id) {
            return Optional.of(id);
        }
        try {
            if (session.getPeerCertificates()[0] instanceof X509Certificate cert) {
                synchronized (PEERS) {
                    return Optional.ofNullable(PEERS.get(fingerprint(cert)));
                }
            }
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    static void remember(X509Certificate cert, PeerIdentity id) {
        String f = fingerprint(cert);
        synchronized (PEERS) {
            PEERS.put(f, id);
        }
    }

    private static String fingerprint(X509Certificate cert) {
        try {
            return Hashes.sha256Hex(cert.getEncoded());
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Verifies an RA-TLS certificate under {@code policy}: validity and evidence age at the policy clock, self-signature,
     * evidence extraction, key binding, then the quote itself.
     */
    public static PeerIdentity.AttestedTee verifyCertificate(X509Certificate cert, VerificationPolicy policy) {
        Instant now = policy.clock().instant();
        Date d = Date.from(now);
        if (d.before(cert.getNotBefore()) || d.after(cert.getNotAfter())) {
            throw new AttestationException(Reason.EVIDENCE_EXPIRED, "RA-TLS certificate is not valid at " + now
                    + " (valid " + cert.getNotBefore().toInstant() + " to " + cert.getNotAfter().toInstant() + ")");
        }
        if (policy.maxEvidenceAge().isPresent()
                && cert.getNotBefore().toInstant().plus(policy.maxEvidenceAge().get()).isBefore(now)) {
            throw new AttestationException(Reason.EVIDENCE_EXPIRED, "RA-TLS evidence was issued at "
                    + cert.getNotBefore().toInstant() + ", older than the accepted " + policy.maxEvidenceAge().get());
        }
        try {
            cert.verify(cert.getPublicKey());
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new AttestationException(Reason.SIGNATURE_INVALID, "RA-TLS certificate self-signature does not verify");
        }
        RaTlsEvidence evidence = RaTlsEvidence.of(cert).orElseThrow(() -> new AttestationException(Reason.UNSUPPORTED,
                "certificate carries no RA-TLS evidence (" + RaTlsEvidence.DICE_OID + " or " + RaTlsEvidence.LEGACY_OID + ")"));
        byte[] quote = evidence.quote();
        evidence.checkBinding(Quote.parse(quote).body().reportData(), cert.getPublicKey().getEncoded());
        VerifiedQuote vq = VERIFIER.verify(quote, Optional.empty(), policy);
        return new PeerIdentity.AttestedTee(vq, cert.getPublicKey());
    }

    /** RA-TLS certificate → attested TEE; plain self-signed P-256 certificate → principal (when allowed). */
    static PeerIdentity identify(X509Certificate cert, VerificationPolicy policy, boolean allowPrincipals) {
        if (RaTlsEvidence.present(cert)) {
            return verifyCertificate(cert, policy);
        }
        if (!allowPrincipals) {
            throw new AttestationException(Reason.UNSUPPORTED, "peer certificate carries no RA-TLS evidence");
        }
        if (!(cert.getPublicKey() instanceof ECPublicKey ec) || ec.getParams().getCurve().getField().getFieldSize() != 256) {
            throw new AttestationException(Reason.UNSUPPORTED, "principal certificates must carry an EC P-256 key");
        }
        try {
            cert.verify(cert.getPublicKey());
            cert.checkValidity(Date.from(policy.clock().instant()));
        } catch (java.security.cert.CertificateExpiredException | java.security.cert.CertificateNotYetValidException e) {
            throw new AttestationException(Reason.EVIDENCE_EXPIRED, "principal certificate is outside its validity");
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new AttestationException(Reason.SIGNATURE_INVALID, "principal certificate is not validly self-signed");
        }
        return new PeerIdentity.Principal(PrincipalId.ofPublicKey(cert.getPublicKey().getEncoded()));
    }
}
