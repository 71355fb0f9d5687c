package org.sesemi.attestation.tee;

import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Enumerated;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Small X.509 toolkit (BouncyCastle) for DCAP-shaped PKIs: CA and PCK certificates with the Intel SGX extension, and
 * CRLs. The simulated TEE builds its root/PCK chain with it; tests build revoked and expired variants.
 */
public final class Pki {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Pki() {}

    public static KeyPair p256() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("EC P-256 unavailable", e);
        }
    }

    /** A CA (or self-signed root when {@code issuerKey} signs its own subject) certificate. */
    public static X509Certificate ca(String subject, KeyPair subjectKeys, String issuer, PrivateKey issuerKey,
            Instant notBefore, Instant notAfter) {
        return cert(subject, subjectKeys, issuer, issuerKey, notBefore, notAfter, true, null);
    }

    /**
     * A PCK leaf certificate carrying the Intel SGX extension ({@code 1.2.840.113741.1.13.1}) with these TCB values.
     */
    public static X509Certificate pck(String subject, KeyPair subjectKeys, String issuer, PrivateKey issuerKey,
            Instant notBefore, Instant notAfter, int[] cpuSvnComponents, int pceSvn, byte[] pceId, byte[] fmspc) {
        return cert(subject, subjectKeys, issuer, issuerKey, notBefore, notAfter, false,
                sgxExtension(cpuSvnComponents, pceSvn, pceId, fmspc));
    }

    /** A leaf certificate without extensions beyond the basics (e.g. a TCB signing certificate). */
    public static X509Certificate leaf(String subject, KeyPair subjectKeys, String issuer, PrivateKey issuerKey,
            Instant notBefore, Instant notAfter) {
        return cert(subject, subjectKeys, issuer, issuerKey, notBefore, notAfter, false, null);
    }

    /** A CRL by {@code issuer} listing {@code revokedSerials}. */
    public static X509CRL crl(String issuer, PrivateKey issuerKey, Instant thisUpdate, Instant nextUpdate,
            List<BigInteger> revokedSerials) {
        return crl(new X500Name(issuer), issuerKey, thisUpdate, nextUpdate, revokedSerials);
    }

    /** A CRL by the subject of {@code issuer} (name copied byte-exactly) listing {@code revokedSerials}. */
    public static X509CRL crl(X509Certificate issuer, PrivateKey issuerKey, Instant thisUpdate, Instant nextUpdate,
            List<BigInteger> revokedSerials) {
        return crl(X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded()), issuerKey, thisUpdate, nextUpdate,
                revokedSerials);
    }

    private static X509CRL crl(X500Name issuer, PrivateKey issuerKey, Instant thisUpdate, Instant nextUpdate,
            List<BigInteger> revokedSerials) {
        try {
            X509v2CRLBuilder b = new X509v2CRLBuilder(issuer, Date.from(thisUpdate));
            b.setNextUpdate(Date.from(nextUpdate));
            for (BigInteger s : revokedSerials) {
                b.addCRLEntry(s, Date.from(thisUpdate), CRLReason.keyCompromise);
            }
            return new JcaX509CRLConverter().getCRL(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
        } catch (Exception e) {
            throw new IllegalStateException("cannot build CRL", e);
        }
    }

    public static String pem(List<X509Certificate> certs) {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter p = new JcaPEMWriter(w)) {
            for (X509Certificate c : certs) {
                p.writeObject(c);
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return w.toString();
    }

    public static byte[] pemBytes(List<X509Certificate> certs) {
        return pem(certs).getBytes(StandardCharsets.US_ASCII);
    }

    private static X509Certificate cert(String subject, KeyPair subjectKeys, String issuer, PrivateKey issuerKey,
            Instant notBefore, Instant notAfter, boolean ca, DERSequence sgxExt) {
        try {
            var b = new JcaX509v3CertificateBuilder(new X500Name(issuer), new BigInteger(96, RANDOM).add(BigInteger.ONE),
                    Date.from(notBefore), Date.from(notAfter), new X500Name(subject), subjectKeys.getPublic());
            b.addExtension(Extension.basicConstraints, true, ca ? new BasicConstraints(0) : new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, ca ? new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)
                    : new KeyUsage(KeyUsage.digitalSignature | KeyUsage.nonRepudiation));
            if (sgxExt != null) {
                b.addExtension(new ASN1ObjectIdentifier("1.2.840.113741.1.13.1"), false, sgxExt);
            }
            return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
        } catch (Exception e) {
            throw new IllegalStateException("cannot build certificate", e);
        }
    }

    private static DERSequence sgxExtension(int[] comps, int pceSvn, byte[] pceId, byte[] fmspc) {
        String base = "1.2.840.113741.1.13.1";
        ASN1EncodableVector tcb = new ASN1EncodableVector();
        for (int i = 0; i < 16; i++) {
            tcb.add(pair(base + ".2." + (i + 1), new ASN1Integer(comps[i])));
        }
        tcb.add(pair(base + ".2.17", new ASN1Integer(pceSvn)));
        byte[] cpuSvn = new byte[16];
        for (int i = 0; i < 16; i++) {
            cpuSvn[i] = (byte) comps[i];
        }
        tcb.add(pair(base + ".2.18", new DEROctetString(cpuSvn)));
        ASN1EncodableVector v = new ASN1EncodableVector();
        v.add(pair(base + ".1", new DEROctetString(new byte[16])));
        v.add(pair(base + ".2", new DERSequence(tcb)));
        v.add(pair(base + ".3", new DEROctetString(pceId)));
        v.add(pair(base + ".4", new DEROctetString(fmspc)));
        v.add(pair(base + ".5", new ASN1Enumerated(0)));
        return new DERSequence(v);
    }

    private static DERSequence pair(String oid, org.bouncycastle.asn1.ASN1Encodable value) {
        return new DERSequence(new org.bouncycastle.asn1.ASN1Encodable[] {new ASN1ObjectIdentifier(oid), value});
    }
}
