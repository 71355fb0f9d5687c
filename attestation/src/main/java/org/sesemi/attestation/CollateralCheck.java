package org.sesemi.attestation;

import java.security.PublicKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.sesemi.attestation.AttestationException.Reason;
import org.sesemi.attestation.dcap.CertChains;
import org.sesemi.attestation.dcap.Ecdsa;
import org.sesemi.attestation.dcap.QeIdentity;
import org.sesemi.attestation.dcap.TcbInfo;
import org.sesemi.crypto.Hashes;

/**
 * Checks collateral for a verified PCK chain: both CRLs are signed by the right issuers and current, the TCB info and
 * QE identity are signed by chains to the same trust anchor, no certificate involved is revoked, and both documents
 * are current. What it proves about the platform is {@link TcbEvaluation}'s part.
 *
 * <p>Thread-safe. Signature checks are cached (bounded, keyed by the collateral's fingerprint and the anchor and PCK
 * issuer keys) with the window in which they hold; revocation and time are checked on every call.
 */
final class CollateralCheck {
    private final LruCache<String, Checked> cache;

    /** Signatures checked, and the instants in which the result holds. */
    private record Checked(ValidityWindow window, X509CRL rootCrl, X509CRL pckCrl) {}

    CollateralCheck(int cacheSize) {
        this.cache = new LruCache<>(cacheSize);
    }

    /**
     * Checks {@code c} for the PCK chain {@code pck} at {@code now}.
     *
     * @throws AttestationException COLLATERAL_INVALID, COLLATERAL_EXPIRED or REVOKED
     */
    void check(CertChains.Path pck, Collateral c, Instant now) {
        Checked checked = checkSigned(pck, c, now);
        for (X509Certificate cert : pck.path()) {
            if (isRevoked(checked.rootCrl(), cert)) {
                throw new AttestationException(Reason.REVOKED, "'" + cert.getSubjectX500Principal().getName()
                        + "' is revoked by the root CA CRL");
            }
        }
        if (checked.pckCrl().isRevoked(pck.leaf())) {
            throw new AttestationException(Reason.REVOKED, "PCK certificate is revoked by the PCK CRL");
        }
    }

    private Checked checkSigned(CertChains.Path pck, Collateral c, Instant now) {
        PublicKey pckIssuerKey = pck.path().size() > 1 ? pck.path().get(1).getPublicKey() : pck.anchor();
        String k = c.fingerprint() + ":" + Hashes.sha256Hex(pck.anchor().getEncoded()) + ":"
                + Hashes.sha256Hex(pckIssuerKey.getEncoded());
        Checked cached = cache.get(k);
        if (cached != null && cached.window().contains(now)) {
            return cached;
        }
        List<PublicKey> anchor = List.of(pck.anchor());
        X509CRL rootCrl = c.rootCaCrl();
        CertChains.checkCrl(rootCrl, pck.anchor(), now, "root CA CRL");
        X509CRL pckCrl = c.pckCrl();
        if (!pckCrl.getIssuerX500Principal().equals(pck.leaf().getIssuerX500Principal())) {
            throw new AttestationException(Reason.COLLATERAL_INVALID, "PCK CRL is issued by '"
                    + pckCrl.getIssuerX500Principal().getName() + "', not by the PCK certificate's issuer");
        }
        CertChains.checkCrl(pckCrl, pckIssuerKey, now, "PCK CRL");

        CertChains.Path tcbChain = CertChains.build(c.tcbInfoIssuerChain(), anchor, now, Reason.COLLATERAL_INVALID,
                Reason.COLLATERAL_EXPIRED, "TCB info issuer chain");
        CertChains.Path qeChain = CertChains.build(c.qeIdentityIssuerChain(), anchor, now, Reason.COLLATERAL_INVALID,
                Reason.COLLATERAL_EXPIRED, "QE identity issuer chain");
        for (CertChains.Path p : List.of(tcbChain, qeChain)) {
            for (X509Certificate cert : p.path()) {
                if (isRevoked(rootCrl, cert)) {
                    throw new AttestationException(Reason.REVOKED, "collateral signer '"
                            + cert.getSubjectX500Principal().getName() + "' is revoked by the root CA CRL");
                }
            }
        }
        if (!Ecdsa.verify(tcbChain.leaf().getPublicKey(), c.tcbInfoJson(), c.tcbInfoSignature())) {
            throw new AttestationException(Reason.COLLATERAL_INVALID, "TCB info signature does not verify");
        }
        if (!Ecdsa.verify(qeChain.leaf().getPublicKey(), c.qeIdentityJson(), c.qeIdentitySignature())) {
            throw new AttestationException(Reason.COLLATERAL_INVALID, "QE identity signature does not verify");
        }
        TcbInfo info = c.tcbInfo();
        QeIdentity qe = c.qeIdentity();
        checkWindow("TCB info", info.issueDate(), info.nextUpdate(), now);
        checkWindow("QE identity", qe.issueDate(), qe.nextUpdate(), now);

        List<X509Certificate> certs = new ArrayList<>(tcbChain.path());
        certs.addAll(qeChain.path());
        ValidityWindow w = ValidityWindow.of(certs, List.of(rootCrl, pckCrl))
                .within(info.issueDate(), info.nextUpdate()).within(qe.issueDate(), qe.nextUpdate());
        Checked r = new Checked(w, rootCrl, pckCrl);
        cache.put(k, r);
        return r;
    }

    private static void checkWindow(String what, Instant issue, Instant next, Instant now) {
        if (now.isBefore(issue) || now.isAfter(next)) {
            throw new AttestationException(Reason.COLLATERAL_EXPIRED, what + " is not current at " + now + " (issued "
                    + issue + ", next update " + next + ")");
        }
    }

    private static boolean isRevoked(X509CRL crl, X509Certificate cert) {
        return crl.getIssuerX500Principal().equals(cert.getIssuerX500Principal()) && crl.isRevoked(cert);
    }
}
