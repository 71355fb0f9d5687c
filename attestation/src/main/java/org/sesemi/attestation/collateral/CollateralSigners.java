package org.sesemi.attestation.collateral;

import java.security.PublicKey;
import java.time.Instant;
import java.util.List;
import org.sesemi.attestation.AttestationException;
import org.sesemi.attestation.AttestationException.Reason;
import org.sesemi.attestation.Collateral;
import org.sesemi.attestation.dcap.CertChains;
import org.sesemi.attestation.dcap.Ecdsa;

/**
 * Checks that collateral is signed by a trust root's hierarchy and current, before a cache accepts it: so a PCCS that
 * serves documents of a wrong signer, or stale ones, cannot replace good cached collateral. The verifier repeats these
 * checks per quote (against the quote's own PCK chain); this is the admission check of the cache.
 */
public final class CollateralSigners {
    private CollateralSigners() {}

    /**
     * @throws AttestationException UNTRUSTED_ROOT, COLLATERAL_INVALID (chain or signature) or COLLATERAL_EXPIRED
     *     (outside a validity window at {@code now})
     */
    public static void check(Collateral c, List<PublicKey> anchors, Instant now) {
        CertChains.Path tcb = CertChains.build(c.tcbInfoIssuerChain(), anchors, now, Reason.COLLATERAL_INVALID,
                Reason.COLLATERAL_EXPIRED, "TCB info issuer chain");
        if (!Ecdsa.verify(tcb.leaf().getPublicKey(), c.tcbInfoJson(), c.tcbInfoSignature())) {
            throw new AttestationException(Reason.COLLATERAL_INVALID, "TCB info signature does not verify with '"
                    + tcb.leaf().getSubjectX500Principal().getName() + "'");
        }
        CertChains.Path qe = CertChains.build(c.qeIdentityIssuerChain(), anchors, now, Reason.COLLATERAL_INVALID,
                Reason.COLLATERAL_EXPIRED, "QE identity issuer chain");
        if (!Ecdsa.verify(qe.leaf().getPublicKey(), c.qeIdentityJson(), c.qeIdentitySignature())) {
            throw new AttestationException(Reason.COLLATERAL_INVALID, "QE identity signature does not verify with '"
                    + qe.leaf().getSubjectX500Principal().getName() + "'");
        }
        CertChains.Path pckCa = CertChains.build(c.pckCrlIssuerChain(), anchors, now, Reason.COLLATERAL_INVALID,
                Reason.COLLATERAL_EXPIRED, "PCK CRL issuer chain");
        CertChains.checkCrl(c.rootCaCrl(), tcb.anchor(), now, "root CA CRL");
        CertChains.checkCrl(c.pckCrl(), pckCa.leaf().getPublicKey(), now, "PCK CRL");
        if (now.isBefore(c.tcbInfo().issueDate()) || now.isAfter(c.tcbInfo().nextUpdate())
                || now.isBefore(c.qeIdentity().issueDate()) || now.isAfter(c.qeIdentity().nextUpdate())) {
            throw new AttestationException(Reason.COLLATERAL_EXPIRED, "TCB info or QE identity is not current at " + now
                    + " (TCB info next update " + c.tcbInfo().nextUpdate() + ", QE identity next update "
                    + c.qeIdentity().nextUpdate() + ")");
        }
    }
}
