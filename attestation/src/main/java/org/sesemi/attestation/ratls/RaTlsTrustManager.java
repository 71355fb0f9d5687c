package org.sesemi.attestation.ratls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedTrustManager;
import org.sesemi.attestation.AttestationException;
import org.sesemi.attestation.VerificationPolicy;

/**
 * Judges the peer's certificate: RA-TLS evidence must verify under the policy; a plain self-signed certificate is a
 * principal when allowed. Being an {@link X509ExtendedTrustManager}, JSSE uses it as is (no hostname check: the
 * identity is the evidence or the key, not a DNS name). The verified identity is stored in the handshake session.
 */
final class RaTlsTrustManager extends X509ExtendedTrustManager {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RaTlsTrustManager.class);
    private final VerificationPolicy policy;
    private final boolean allowPrincipals;

    RaTlsTrustManager(VerificationPolicy policy, boolean allowPrincipals) {
        this.policy = policy;
        this.allowPrincipals = allowPrincipals;
    }

    private PeerIdentity judge(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("no peer certificate");
        }
        if (chain.length != 1) {
            throw new CertificateException("RA-TLS and principal certificates are self-signed: expected exactly one certificate");
        }
        try {
            PeerIdentity id = RaTls.identify(chain[0], policy, allowPrincipals);
            if (id instanceof PeerIdentity.AttestedTee t && t.quote().simulated()) {
                LOG.debug("accepted SIMULATED TEE peer (no hardware protection): {}", t.quote());
            }
            return id;
        } catch (AttestationException e) {
            // Public facts only (reason and which check failed); certificates and quotes carry no secrets.
            LOG.info("TLS peer rejected [{}]: {}", e.code(), e.getMessage());
            throw new CertificateException("peer rejected [" + e.code() + "]: " + e.getMessage(), e);
        }
    }

    private static void remember(SSLSession handshake, PeerIdentity id, X509Certificate cert) {
        if (handshake != null) {
            handshake.putValue(RaTls.SESSION_KEY, id);
        }
        RaTls.remember(cert, id);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        PeerIdentity id = judge(chain);
        remember(socket instanceof SSLSocket s ? s.getHandshakeSession() : null, id, chain[0]);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        PeerIdentity id = judge(chain);
        remember(socket instanceof SSLSocket s ? s.getHandshakeSession() : null, id, chain[0]);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        PeerIdentity id = judge(chain);
        remember(engine == null ? null : engine.getHandshakeSession(), id, chain[0]);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        PeerIdentity id = judge(chain);
        remember(engine == null ? null : engine.getHandshakeSession(), id, chain[0]);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        remember(null, judge(chain), chain[0]);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        remember(null, judge(chain), chain[0]);
    }

    /** No CA names: every accepted certificate is self-signed. */
    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
