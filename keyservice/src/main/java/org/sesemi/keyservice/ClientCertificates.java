package org.sesemi.keyservice;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsExchange;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
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
import org.sesemi.client.keyservice.wire.ErrorReason;
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
 * <p>Resumed TLS sessions carry no verification result; the certificate is then re-verified on first use (and the
 * result cached by certificate fingerprint).
 */
final class ClientCertificates {
    private static final int CACHE = 4096;
    private final VerificationPolicy runtimePolicy;
    private final X509ExtendedTrustManager strict;
    private final Map<String, PeerIdentity> verified = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, PeerIdentity> e) {
            return size() > CACHE;
        }
    };

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
                }
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
                try {
                    strict.checkClientTrusted(chain, authType, socket);
                } catch (CertificateException e) {
                    letThroughUnidentified(chain, e);
                }
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                try {
                    strict.checkClientTrusted(chain, authType);
                } catch (CertificateException e) {
                    letThroughUnidentified(chain, e);
                }
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

    private Optional<Caller> resolve(HttpExchange ex) {
        if (!(ex instanceof HttpsExchange https)) {
            return Optional.empty();
        }
        SSLSession session = https.getSSLSession();
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
        PeerIdentity id = RaTls.peer(session).orElseGet(() -> judge(cert));
        return Optional.of(switch (id) {
            case PeerIdentity.Principal p -> new Caller.Principal(p.id(), cert.getPublicKey().getEncoded());
            case PeerIdentity.AttestedTee t -> new Caller.Runtime(t.quote().measurement(), Hashes.sha256Hex(t.key().getEncoded()));
        });
    }

    /** Verifies a certificate the handshake let through (unverified or resumed); throws a typed denial. */
    private PeerIdentity judge(X509Certificate cert) {
        String fp;
        try {
            fp = Hashes.sha256Hex(cert.getEncoded());
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new DeniedException(ErrorReason.UNAUTHENTICATED, "unreadable client certificate");
        }
        synchronized (verified) {
            PeerIdentity cached = verified.get(fp);
            if (cached != null) {
                return cached;
            }
        }
        PeerIdentity id;
        if (RaTlsEvidence.present(cert)) {
            try {
                id = RaTls.verifyCertificate(cert, runtimePolicy);
            } catch (AttestationException e) {
                throw new DeniedException(ErrorReason.ATTESTATION_REJECTED,
                        "runtime evidence rejected [" + e.code() + "]: " + e.getMessage());
            }
        } else {
            id = principal(cert);
        }
        synchronized (verified) {
            verified.put(fp, id);
        }
        return id;
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
