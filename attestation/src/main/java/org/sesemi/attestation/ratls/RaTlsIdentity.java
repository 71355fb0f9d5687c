package org.sesemi.attestation.ratls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * An RA-TLS identity: a fresh P-256 key and the self-signed certificate whose quote binds it. The private key never
 * leaves the process (in a real deployment: the TEE).
 */
public final class RaTlsIdentity {
    private final PrivateKey privateKey;
    private final X509Certificate certificate;
    private final X509ExtendedKeyManager keyManager;

    RaTlsIdentity(PrivateKey privateKey, X509Certificate certificate) {
        this.privateKey = privateKey;
        this.certificate = certificate;
        this.keyManager = new SingleKeyManager(privateKey, certificate);
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** A key manager presenting this certificate as client and server. */
    public X509ExtendedKeyManager keyManager() {
        return keyManager;
    }

    /** When the certificate expires (re-issue before, or when the verifiers' maximum evidence age nears). */
    public Instant notAfter() {
        return certificate.getNotAfter().toInstant();
    }

    @Override
    public String toString() {
        return "RaTlsIdentity[" + certificate.getSubjectX500Principal().getName() + "]";
    }
}
