package org.sesemi.attestation.dcap;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.sesemi.attestation.AttestationException;
import org.sesemi.attestation.AttestationException.Reason;

/** PEM chain parsing and path building to a key-pinned trust anchor. */
public final class CertChains {
    private static final String BEGIN = "-----BEGIN CERTIFICATE-----";
    private static final String END = "-----END CERTIFICATE-----";
    private static final int MAX_CERTS = 8;

    private CertChains() {}

    /** A verified path: {@code path.get(0)} is the leaf; {@code anchor} is the trust root key it ends at. */
    public record Path(List<X509Certificate> path, PublicKey anchor) {
        public X509Certificate leaf() {
            return path.get(0);
        }
    }

    /**
     * Parses a PEM concatenation (any order, surrounding text and a trailing NUL tolerated).
     *
     * @throws AttestationException {@code malformedReason} when there is no certificate or one does not parse
     */
    public static List<X509Certificate> parsePem(byte[] pem, Reason malformedReason, String what) {
        String text = new String(pem, StandardCharsets.ISO_8859_1);
        List<X509Certificate> out = new ArrayList<>();
        int from = 0;
        while (true) {
            int b = text.indexOf(BEGIN, from);
            if (b < 0) {
                break;
            }
            int e = text.indexOf(END, b + BEGIN.length());
            if (e < 0) {
                throw new AttestationException(malformedReason, what + ": unterminated PEM certificate");
            }
            if (out.size() == MAX_CERTS) {
                throw new AttestationException(malformedReason, what + ": more than " + MAX_CERTS + " certificates");
            }
            String b64 = text.substring(b + BEGIN.length(), e);
            try {
                out.add(parseDer(Base64.getMimeDecoder().decode(b64)));
            } catch (IllegalArgumentException | CertificateException ex) {
                throw new AttestationException(malformedReason, what + ": certificate " + (out.size() + 1) + " does not parse");
            }
            from = e + END.length();
        }
        if (out.isEmpty()) {
            throw new AttestationException(malformedReason, what + ": no PEM certificate found");
        }
        return out;
    }

    public static X509Certificate parseDer(byte[] der) throws CertificateException {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    }

    public static X509CRL parseCrl(byte[] der, String what) {
        try {
            return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new AttestationException(Reason.MALFORMED, what + ": not a DER CRL");
        }
    }

    /**
     * Builds and verifies the path from the unique leaf of {@code certs} to one of {@code anchors}, matching the anchor
     * by public key (a self-signed root in the list is accepted only if its key is an anchor). Every certificate on the
     * path must be valid at {@code at}.
     *
     * @param brokenReason reason for broken signatures/structure (CHAIN_INVALID for quotes, COLLATERAL_INVALID for
     *     collateral issuer chains)
     * @param expiredReason reason when a certificate is outside its validity at {@code at}
     */
    public static Path build(List<X509Certificate> certs, List<PublicKey> anchors, Instant at, Reason brokenReason,
            Reason expiredReason, String what) {
        X509Certificate leaf = uniqueLeaf(certs, brokenReason, what);
        List<X509Certificate> path = new ArrayList<>();
        X509Certificate cur = leaf;
        for (int depth = 0; depth <= MAX_CERTS; depth++) {
            path.add(cur);
            checkValidity(cur, at, expiredReason, what);
            if (depth > 0 && cur.getBasicConstraints() < 0) {
                throw new AttestationException(brokenReason, what + ": issuer '" + cur.getSubjectX500Principal().getName()
                        + "' is not a CA certificate");
            }
            if (cur.getSubjectX500Principal().equals(cur.getIssuerX500Principal())) {
                // Self-signed: it is the root. Trust it only because its key is pinned, never for its bytes.
                PublicKey anchor = matchAnchor(cur.getPublicKey(), anchors);
                if (anchor == null) {
                    throw new AttestationException(Reason.UNTRUSTED_ROOT, what + ": root '"
                            + cur.getSubjectX500Principal().getName() + "' is not a configured trust root");
                }
                requireSignedBy(cur, anchor, brokenReason, what);
                return new Path(List.copyOf(path), anchor);
            }
            X509Certificate issuer = findIssuer(cur, certs);
            if (issuer == null) {
                for (PublicKey anchor : anchors) {
                    if (signedBy(cur, anchor)) {
                        return new Path(List.copyOf(path), anchor);
                    }
                }
                throw new AttestationException(Reason.UNTRUSTED_ROOT, what + ": '"
                        + cur.getIssuerX500Principal().getName() + "' is neither in the chain nor a configured trust root");
            }
            requireSignedBy(cur, issuer.getPublicKey(), brokenReason, what);
            cur = issuer;
        }
        throw new AttestationException(brokenReason, what + ": chain too long");
    }

    /** Whether {@code key} equals one of the anchors (by encoded SubjectPublicKeyInfo). */
    public static PublicKey matchAnchor(PublicKey key, List<PublicKey> anchors) {
        byte[] enc = key.getEncoded();
        for (PublicKey a : anchors) {
            if (Arrays.equals(a.getEncoded(), enc)) {
                return a;
            }
        }
        return null;
    }

    private static X509Certificate uniqueLeaf(List<X509Certificate> certs, Reason brokenReason, String what) {
        List<X509Certificate> leaves = new ArrayList<>();
        for (X509Certificate c : certs) {
            boolean issuesOther = false;
            for (X509Certificate o : certs) {
                if (o != c && o.getIssuerX500Principal().equals(c.getSubjectX500Principal())
                        && !o.getSubjectX500Principal().equals(c.getSubjectX500Principal())) {
                    issuesOther = true;
                    break;
                }
            }
            if (!issuesOther) {
                leaves.add(c);
            }
        }
        if (leaves.size() != 1) {
            throw new AttestationException(brokenReason, what + ": expected one leaf certificate, found " + leaves.size());
        }
        return leaves.get(0);
    }

    private static X509Certificate findIssuer(X509Certificate cert, List<X509Certificate> certs) {
        for (X509Certificate c : certs) {
            if (c != cert && c.getSubjectX500Principal().equals(cert.getIssuerX500Principal())) {
                return c;
            }
        }
        return null;
    }

    private static void checkValidity(X509Certificate c, Instant at, Reason reason, String what) {
        Date d = Date.from(at);
        if (d.before(c.getNotBefore()) || d.after(c.getNotAfter())) {
            throw new AttestationException(reason, what + ": certificate '" + c.getSubjectX500Principal().getName()
                    + "' is not valid at " + at + " (valid " + c.getNotBefore().toInstant() + " to "
                    + c.getNotAfter().toInstant() + ")");
        }
    }

    static boolean signedBy(X509Certificate c, PublicKey key) {
        try {
            c.verify(key);
            return true;
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private static void requireSignedBy(X509Certificate c, PublicKey key, Reason reason, String what) {
        if (!signedBy(c, key)) {
            throw new AttestationException(reason, what + ": signature of '" + c.getSubjectX500Principal().getName()
                    + "' does not verify");
        }
    }

    /** Verifies a CRL's signature and validity window at {@code at}. */
    public static void checkCrl(X509CRL crl, PublicKey issuerKey, Instant at, String what) {
        try {
            crl.verify(issuerKey);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new AttestationException(Reason.COLLATERAL_INVALID, what + ": CRL signature does not verify");
        }
        Date d = Date.from(at);
        if (d.before(crl.getThisUpdate()) || (crl.getNextUpdate() != null && d.after(crl.getNextUpdate()))) {
            throw new AttestationException(Reason.COLLATERAL_EXPIRED, what + ": CRL is not current at " + at
                    + " (" + crl.getThisUpdate().toInstant() + " to "
                    + (crl.getNextUpdate() == null ? "open" : crl.getNextUpdate().toInstant()) + ")");
        }
    }
}
