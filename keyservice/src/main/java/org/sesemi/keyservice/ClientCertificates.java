package org.sesemi.keyservice;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.util.Date;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedTrustManager;
import org.sesemi.attestation.AttestationException;
import org.sesemi.attestation.VerificationPolicy;
import org.sesemi.attestation.ratls.PeerIdentity;
import org.sesemi.attestation.ratls.RaTls;
import org.sesemi.attestation.ratls.RaTlsEvidence;
import org.sesemi.protocol.keyservice.ErrorReason;
import org.sesemi.crypto.Hashes;
import org.sesemi.crypto.PrincipalId;
import org.sesemi.keyservice.core.Caller;
import org.sesemi.keyservice.core.DeniedException;
import org.sesemi.keyservice.http.CallerResolver;

/**
 * How the KeyService judges client certificates, in two steps so that bad evidence gets an HTTP answer with a reason
 * instead of an anonymous TLS alert.
 *
 * <ol>
 *   <li>In the handshake ({@link #trustManager()}): RA-TLS and principal certificates are verified with
 *       {@link RaTls#clientTrust}; the verified identity is kept with the session. A single self-signed certificate
 *       that fails verification (wrong measurement root, expired or replayed evidence, bad binding) is still let
 *       through <em>as unidentified</em>: TLS has proven possession of its key, but it confers no identity.
 *   <li>Per request ({@link #resolver()}): a verified identity becomes a {@link Caller}; an unidentified certificate
 *       is verified again to obtain the typed reason, and the request is refused with {@code attestation_rejected}
 *       (RA-TLS) or {@code unauthenticated} (principal certificate). Nothing is ever granted to an unidentified peer.
 * </ol>
 *
 * <p>Resumed TLS sessions may carry no verification result; the certificate is then verified again. Identities found
 * in a session are re-checked for time validity on every request.
 */
final class ClientCertificates {
    /** Handshake-session marker: this peer's certificate failed verification in the handshake. */
    static final String REJECTED = "org.sesemi.keyservice.rejected";
    /** Session value: the refusal computed for a rejected certificate. */
    static final String REJECTED_ANSWER = "org.sesemi.keyservice.rejected.answer";
    private final VerificationPolicy runtimePolicy;
    private final X509ExtendedTrustManager strict;

    ClientCertificates(VerificationPolicy runtimePolicy) {
        this.runtimePolicy = runtimePolicy;
        this.strict = RaTls.clientTrust(runtimePolicy, true);
    }

    X509ExtendedTrustManager trustManager() {
        return new X509ExtendedTrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
                try {
                    strict.checkClientTrusted(chain, authType, engine);
                } catch (CertificateException e) {
                    letThroughUnidentified(chain, e);
                    if (engine.getHandshakeSession() != null) {
                        engine.getHandshakeSession().putValue(REJECTED, Boolean.TRUE);
                    }
                }
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
                try {
                    strict.checkClientTrusted(chain, authType, socket);
                } catch (CertificateException e) {
                    letThroughUnidentified(chain, e);
                    if (socket instanceof javax.net.ssl.SSLSocket ssl && ssl.getHandshakeSession() != null) {
                        ssl.getHandshakeSession().putValue(REJECTED, Boolean.TRUE);
                    }
                }
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                // Without an engine or socket there is no session to mark: refuse outright.
                strict.checkClientTrusted(chain, authType);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
                throw new CertificateException("the KeyService is never a TLS client");
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
                throw new CertificateException("the KeyService is never a TLS client");
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("the KeyService is never a TLS client");
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
    }

    /** Only one self-signed certificate may pass unverified: anything else cannot be answered meaningfully. */
    private static void letThroughUnidentified(X509Certificate[] chain, CertificateException e) throws CertificateException {
        if (chain == null || chain.length != 1) {
            throw e;
        }
        try {
            chain[0].verify(chain[0].getPublicKey());
        } catch (GeneralSecurityException | RuntimeException notSelfSigned) {
            throw e;
        }
    }

    CallerResolver resolver() {
        return this::resolve;
    }

    private Optional<Caller> resolve(Optional<SSLSession> tls) {
        if (tls.isEmpty()) {
            return Optional.empty();
        }
        SSLSession session = tls.get();
        X509Certificate cert;
        try {
            Certificate[] peer = session.getPeerCertificates();
            if (peer.length == 0 || !(peer[0] instanceof X509Certificate x)) {
                return Optional.empty();
            }
            cert = x;
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
        // A certificate rejected in this handshake is judged again (for the typed reason), never looked up in the
        // identity caches, which may still hold it from a time it was valid.
        PeerIdentity id = session.getValue(REJECTED) != null ? rejected(session, cert)
                : RaTls.peer(session).map(p -> fresh(p, cert)).orElseGet(() -> judge(cert));
        return Optional.of(switch (id) {
            case PeerIdentity.Principal p -> new Caller.Principal(p.id(), cert.getPublicKey().getEncoded());
            case PeerIdentity.AttestedTee t -> new Caller.Runtime(t.quote().measurement(), Hashes.sha256Hex(t.key().getEncoded()), t.quote().claims());
        });
    }

    /**
     * An identity verified earlier in this (or a resumed) session is only as fresh as its certificate: re-check the
     * time-dependent rules on every request, so evidence that expires during a long-lived connection stops working.
     */
    private PeerIdentity fresh(PeerIdentity id, X509Certificate cert) {
        java.time.Instant now = runtimePolicy.clock().instant();
        boolean valid = !now.isBefore(cert.getNotBefore().toInstant()) && !now.isAfter(cert.getNotAfter().toInstant());
        if (id instanceof PeerIdentity.AttestedTee) {
            boolean young = runtimePolicy.maxEvidenceAge().map(age -> !cert.getNotBefore().toInstant().plus(age).isBefore(now)).orElse(true);
            if (!valid || !young) {
                throw new DeniedException(ErrorReason.ATTESTATION_REJECTED,
                        "runtime evidence rejected [evidence_expired]: the RA-TLS certificate expired or is older than allowed; reconnect with fresh evidence");
            }
        } else if (!valid) {
            throw new DeniedException(ErrorReason.UNAUTHENTICATED, "client certificate is outside its validity period");
        }
        return id;
    }

    /**
     * A handshake-rejected certificate: verified once more for the typed reason, which is then kept with the session,
     * so that a client cannot make the server re-verify a quote on every request of a persistent connection.
     */
    private PeerIdentity rejected(SSLSession session, X509Certificate cert) {
        if (session.getValue(REJECTED_ANSWER) instanceof DeniedException d) {
            throw new DeniedException(d.reason(), d.getMessage(), d.detail());
        }
        try {
            return judge(cert);
        } catch (DeniedException d) {
            session.putValue(REJECTED_ANSWER, d);
            throw d;
        }
    }

    /** Verifies a certificate the handshake let through (rejected, or resumed without a cached result). */
    private PeerIdentity judge(X509Certificate cert) {
        if (RaTlsEvidence.present(cert)) {
            try {
                return RaTls.verifyCertificate(cert, runtimePolicy);
            } catch (AttestationException e) {
                throw new DeniedException(ErrorReason.ATTESTATION_REJECTED,
                        "runtime evidence rejected [" + e.code() + "]: " + e.getMessage()
                                + e.tcbStatus().map(t -> " (evaluated TCB status " + t
                                        + (e.advisoryIds().isEmpty() ? "" : ", advisories " + e.advisoryIds()) + ")").orElse(""),
                        java.util.Optional.of(e.code()));
            }
        }
        return principal(cert);
    }

    private PeerIdentity principal(X509Certificate cert) {
        if (!(cert.getPublicKey() instanceof ECPublicKey ec) || ec.getParams().getCurve().getField().getFieldSize() != 256) {
            throw new DeniedException(ErrorReason.UNAUTHENTICATED, "principal certificates must carry an EC P-256 key");
        }
        try {
            cert.checkValidity(Date.from(runtimePolicy.clock().instant()));
        } catch (GeneralSecurityException e) {
            throw new DeniedException(ErrorReason.UNAUTHENTICATED, "client certificate is outside its validity period");
        }
        return new PeerIdentity.Principal(PrincipalId.ofPublicKey(cert.getPublicKey().getEncoded()));
    }
}
