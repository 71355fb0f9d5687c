package org.sesemi.attestation;

import java.io.IOException;
import java.io.InputStream;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import org.sesemi.crypto.Hashes;

/**
 * The Intel SGX Root CA, shipped as a resource. Intel has published two encodings of this certificate with the same
 * key (notAfter 2033 and 2049), so trust is pinned to the key: the SPKI SHA-256 below is checked at load time.
 */
public final class IntelRoot {
    /** SHA-256 of the DER SubjectPublicKeyInfo of the Intel SGX Root CA key. */
    public static final String SPKI_SHA256 = "a0af031289f5d5d4132f9186068a7fc13628633ba235777472e29b6b6c67a49e";

    private static final X509Certificate CERT = load();

    private IntelRoot() {}

    public static X509Certificate certificate() {
        return CERT;
    }

    public static PublicKey publicKey() {
        return CERT.getPublicKey();
    }

    private static X509Certificate load() {
        try (InputStream in = IntelRoot.class.getResourceAsStream("intel-sgx-root-ca.der")) {
            if (in == null) {
                throw new IllegalStateException("resource intel-sgx-root-ca.der missing from the attestation jar");
            }
            X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            if (!Hashes.sha256Hex(c.getPublicKey().getEncoded()).equals(SPKI_SHA256)) {
                throw new IllegalStateException("shipped Intel SGX Root CA does not have the pinned public key");
            }
            return c;
        } catch (IOException | CertificateException e) {
            throw new IllegalStateException("cannot load the Intel SGX Root CA resource", e);
        }
    }
}
