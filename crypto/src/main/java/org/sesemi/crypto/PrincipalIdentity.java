package org.sesemi.crypto;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.sesemi.time.SystemTime;

/**
 * A principal (model owner or user): an EC P-256 key pair whose id is SHA-256 of the DER SubjectPublicKeyInfo.
 *
 * <p>Saved as one PEM file holding the PKCS#8 private key (mode 0600); the public key and id derive from it.
 * Used as a TLS client identity through {@link #selfSignedCertificate(Duration)}.
 */
public final class PrincipalIdentity {
    private final KeyPair keyPair;
    private final PrincipalId id;

    private PrincipalIdentity(KeyPair keyPair) {
        if (!(keyPair.getPublic() instanceof ECPublicKey ec) || ec.getParams().getCurve().getField().getFieldSize() != 256) {
            throw new CryptoException(CryptoException.Reason.KEY_FILE, "a principal key must be EC P-256");
        }
        this.keyPair = keyPair;
        this.id = PrincipalId.ofPublicKey(keyPair.getPublic().getEncoded());
    }

    public static PrincipalIdentity generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), SecretKeyBytes.RANDOM);
            return new PrincipalIdentity(g.generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new CryptoException(CryptoException.Reason.PLATFORM, "EC P-256 unavailable", e);
        }
    }

    public PrincipalId id() {
        return id;
    }

    public PublicKey publicKey() {
        return keyPair.getPublic();
    }

    public PrivateKey privateKey() {
        return keyPair.getPrivate();
    }

    /** A self-signed certificate for this key (subject CN = id), for TLS client authentication. */
    public X509Certificate selfSignedCertificate(Duration validity) {
        return selfSigned(keyPair, "CN=sesemi-principal-" + id.hex().substring(0, 16), validity);
    }

    /** A self-signed ECDSA-SHA256 certificate over {@code keys}. */
    public static X509Certificate selfSigned(KeyPair keys, String subject, Duration validity) {
        Instant now = SystemTime.clock().instant();
        X500Name name = new X500Name(subject);
        try {
            var builder = new JcaX509v3CertificateBuilder(name, new BigInteger(64, SecretKeyBytes.RANDOM).add(BigInteger.ONE),
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(validity)), name, keys.getPublic());
            var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate());
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (OperatorCreationException | GeneralSecurityException e) {
            throw new CryptoException(CryptoException.Reason.PLATFORM, "cannot create a certificate: " + e.getMessage(), e);
        }
    }

    /** Writes the private key (PKCS#8 PEM) with mode 0600; refuses to overwrite an existing file. */
    public void save(Path file) {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(keyPair.getPrivate(), null));
        } catch (IOException e) {
            throw new CryptoException(CryptoException.Reason.KEY_FILE, "cannot encode identity", e);
        }
        SecureFiles.writeOwnerOnly(file, w.toString().getBytes(StandardCharsets.US_ASCII), false);
    }

    /** The public key as PEM (safe to share). */
    public String publicKeyPem() {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(keyPair.getPublic());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return w.toString();
    }

    /** Loads an identity saved by {@link #save(Path)} (PKCS#8, or a SEC1 "EC PRIVATE KEY" PEM). */
    public static PrincipalIdentity load(Path file) {
        String pem = new String(SecureFiles.read(file, 16 * 1024), StandardCharsets.US_ASCII);
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object o = parser.readObject();
            JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair kp) {
                return new PrincipalIdentity(conv.getKeyPair(kp));
            }
            if (o instanceof PrivateKeyInfo pki) {
                PrivateKey priv = conv.getPrivateKey(pki);
                return new PrincipalIdentity(new KeyPair(publicOf(priv), priv));
            }
            throw new CryptoException(CryptoException.Reason.KEY_FILE, file + ": no EC private key in PEM file");
        } catch (IOException | GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
            throw new CryptoException(CryptoException.Reason.KEY_FILE, file + ": not a readable identity file");
        }
    }

    private static PublicKey publicOf(PrivateKey priv) throws GeneralSecurityException {
        var ecPriv = (java.security.interfaces.ECPrivateKey) priv;
        var spec = ecPriv.getParams();
        var bcSpec = org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util.convertSpec(spec);
        var q = bcSpec.getG().multiply(ecPriv.getS()).normalize();
        var pubSpec = new java.security.spec.ECPublicKeySpec(
                new java.security.spec.ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger()), spec);
        return java.security.KeyFactory.getInstance("EC").generatePublic(pubSpec);
    }

    /** DER SubjectPublicKeyInfo of the public key (what the id hashes). */
    public byte[] subjectPublicKeyInfo() {
        return keyPair.getPublic().getEncoded();
    }

    @Override
    public String toString() {
        return "PrincipalIdentity[" + id + "]";
    }
}
