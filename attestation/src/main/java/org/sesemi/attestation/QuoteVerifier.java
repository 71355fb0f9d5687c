package org.sesemi.attestation;

import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.sesemi.attestation.AttestationException.Reason;
import org.sesemi.attestation.TcbEvaluation.Tcb;
import org.sesemi.attestation.dcap.CertChains;
import org.sesemi.attestation.dcap.Ecdsa;
import org.sesemi.attestation.dcap.PckExtension;
import org.sesemi.attestation.dcap.Quote;
import org.sesemi.attestation.dcap.SgxReportBody;
import org.sesemi.attestation.dcap.TdReportBody;
import org.sesemi.crypto.Hashes;

/**
 * Verifies Intel DCAP quotes (SGX v3; TDX v4/v5; SGX in v4/v5) in pure Java.
 *
 * <p>Order of checks: structure → QE vendor → PCK chain to a key-pinned trust root (valid at the policy instant) →
 * QE report signature by the PCK key → QE report data = SHA-256(attestation key ‖ QE auth data) → quote signature by
 * the attestation key → QE not in debug mode → (without collateral, hardware roots) QE is Intel's by MRSIGNER and
 * ISVPRODID → (with collateral) CRLs, TCB info and QE identity signatures, chains and validity windows, QE
 * identity match, TCB level match (SGX components + PCE SVN; TDX also TEE TCB SVN and the TDX module identity) and TCB
 * status → debug → expected measurements → accepted TCB status. The first failing check decides the {@link
 * AttestationException.Reason}.
 *
 * <p>This class checks the evidence itself and the policy; collateral's signatures and validity are checked by
 * {@link CollateralCheck}, the platform's TCB rating by {@link TcbEvaluation}.
 *
 * <p>Thread-safe. Verified PCK chains and collateral signatures are cached (bounded, keyed by content and anchor),
 * and every cached result remembers the time window in which it holds, so time checks are redone on each call.
 */
public final class QuoteVerifier {
    private static final int CACHE_SIZE = 128;
    /** MRSIGNER of Intel's SGX quoting enclave (ISVPRODID 1), as in Intel's QE identity. */
    public static final String INTEL_QE_MRSIGNER = "8c4f5775d796503e96137f77c68a829a0056ac8ded70140b081b094490c57bff";
    /** MRSIGNER of Intel's TDX quoting enclave (ISVPRODID 2), as in Intel's TD_QE identity. */
    public static final String INTEL_TD_QE_MRSIGNER = "dc9e2a7c6f948f17474e34a7fc43ed030f7c1563f1babddf6340c82e0e54a8c5";
    private final LruCache<String, CachedChain> chainCache = new LruCache<>(CACHE_SIZE);
    private final CollateralCheck collateralCheck = new CollateralCheck(CACHE_SIZE);

    /** A verified PCK chain and the instants in which it stays valid. */
    private record CachedChain(ValidityWindow window, CertChains.Path path) {}

    public QuoteVerifier() {}

    /**
     * Verifies {@code quote} under {@code policy} at the policy clock's instant.
     *
     * @param collateral TCB info, QE identity and CRLs for the quote's platform; when empty, the policy's collateral
     *     source is asked; without any collateral only signatures and the chain are checked (no TCB status)
     * @throws AttestationException with the reason of the first failed check
     */
    public VerifiedQuote verify(byte[] quote, Optional<Collateral> collateral, VerificationPolicy policy) {
        Instant now = policy.clock().instant();
        Quote q = Quote.parse(quote);
        if (!Arrays.equals(q.qeVendorId(), Quote.INTEL_QE_VENDOR_ID)) {
            throw new AttestationException(Reason.UNSUPPORTED, "QE vendor id "
                    + HexFormat.of().formatHex(q.qeVendorId()) + " is not Intel's");
        }
        List<PublicKey> anchors = new ArrayList<>(policy.trustRoots());
        anchors.addAll(policy.simulatedRoots());
        CertChains.Path pck = pckChain(q, anchors, now);
        boolean simulated = CertChains.matchAnchor(pck.anchor(), policy.simulatedRoots()) != null
                && CertChains.matchAnchor(pck.anchor(), policy.trustRoots()) == null;
        PckExtension pckExt = PckExtension.of(pck.leaf());

        SgxReportBody qe = q.qeReport();
        if (!Ecdsa.verify(pck.leaf().getPublicKey(), qe.raw(), q.qeReportSignature())) {
            throw new AttestationException(Reason.SIGNATURE_INVALID, "QE report signature does not verify with the PCK key");
        }
        byte[] expectedQeData = Hashes.sha256(q.attestationKey(), q.qeAuthData());
        byte[] qeData = qe.reportData();
        if (!Arrays.equals(Arrays.copyOfRange(qeData, 0, 32), expectedQeData)
                || !allZero(Arrays.copyOfRange(qeData, 32, 64))) {
            throw new AttestationException(Reason.SIGNATURE_INVALID,
                    "QE report data does not bind the attestation key (SHA-256(key || auth data) mismatch)");
        }
        if (!Ecdsa.verify(Ecdsa.publicKey(q.attestationKey()), q.signedBytes(), q.isvSignature())) {
            throw new AttestationException(Reason.SIGNATURE_INVALID, "quote signature does not verify with the attestation key");
        }

        if (qe.debug()) {
            throw new AttestationException(Reason.DEBUG_REJECTED, "the quoting enclave is a debug enclave");
        }

        Optional<Collateral> coll = collateral.isPresent() ? collateral
                : policy.collateralSource().collateralFor(q.tee(), pckExt.fmspcHex(), pckCa(pck.leaf()));
        if (coll.isEmpty() && policy.collateralRequired()) {
            throw new AttestationException(Reason.COLLATERAL_INVALID, "the policy requires collateral and none was supplied");
        }
        if (coll.isEmpty() && !simulated) {
            // Without a QE identity document, still insist on Intel's quoting enclave: on flexible-launch platforms
            // the host can run its own enclave with PROVISIONKEY and have the PCE certify an attestation key for it.
            String signer = HexFormat.of().formatHex(qe.mrSigner());
            int expectedProdId = q.tee() == TeeType.SGX ? 1 : 2;
            String expectedSigner = q.tee() == TeeType.SGX ? INTEL_QE_MRSIGNER : INTEL_TD_QE_MRSIGNER;
            if (!signer.equals(expectedSigner) || qe.isvProdId() != expectedProdId) {
                throw new AttestationException(Reason.TCB_REJECTED, "the quoting enclave is not Intel's "
                        + (q.tee() == TeeType.SGX ? "QE" : "TD QE") + " (MRSIGNER " + signer + ", ISVPRODID "
                        + qe.isvProdId() + ")");
            }
        }
        Optional<Tcb> tcb = coll.map(c -> {
            collateralCheck.check(pck, c, now);
            return TcbEvaluation.evaluate(q, pckExt, c.tcbInfo(), c.qeIdentity());
        });
        try {
            return checkPolicy(q, pckExt, tcb, simulated, policy);
        } catch (AttestationException e) {
            // Say what the TCB evaluation found even when a later check rejects: it is often the reason why.
            throw tcb.isPresent() ? e.withTcb(tcb.get().status(), tcb.get().advisories()) : e;
        }
    }

    private VerifiedQuote checkPolicy(Quote q, PckExtension pckExt, Optional<Tcb> tcb, boolean simulated,
            VerificationPolicy policy) {
        if (q.body().debug() && !policy.allowDebug()) {
            throw new AttestationException(Reason.DEBUG_REJECTED, (q.tee() == TeeType.SGX ? "debug enclave" : "debug TD")
                    + " rejected by policy");
        }
        Map<String, String> claims = new LinkedHashMap<>();
        Measurement measurement;
        switch (q.body()) {
            case SgxReportBody b -> {
                measurement = Measurement.sgx(b.mrEnclave());
                claims.put("mrEnclave", hex(b.mrEnclave()));
                claims.put("mrSigner", hex(b.mrSigner()));
                claims.put("isvProdId", Integer.toString(b.isvProdId()));
                claims.put("isvSvn", Integer.toString(b.isvSvn()));
            }
            case TdReportBody b -> {
                if (policy.requireTdxSeptVeDisable() && (b.tdAttributes()[3] & 0x10) == 0) {
                    throw new AttestationException(Reason.MEASUREMENT_MISMATCH,
                            "TD runs without SEPT_VE_DISABLE, which the policy requires");
                }
                if (!allZero(b.mrServiceTd())) {
                    throw new AttestationException(Reason.MEASUREMENT_MISMATCH, "TD has a service TD bound (MRSERVICETD non-zero)");
                }
                measurement = Measurement.tdx(b.mrTd(), b.rtmr(0), b.rtmr(1), b.rtmr(2), b.rtmr(3));
                claims.put("mrTd", hex(b.mrTd()));
                for (int i = 0; i < 4; i++) {
                    claims.put("rtmr" + i, hex(b.rtmr(i)));
                }
                claims.put("mrSeam", hex(b.mrSeam()));
                claims.put("teeTcbSvn", hex(b.teeTcbSvn()));
                claims.put("tdAttributes", hex(b.tdAttributes()));
            }
        }
        claims.put("fmspc", pckExt.fmspcHex());
        checkMeasurement(q, measurement, policy);
        if (tcb.isPresent() && !policy.acceptedTcbStatuses().contains(tcb.get().status())) {
            throw new AttestationException(Reason.TCB_REJECTED, "TCB status " + tcb.get().status()
                    + " is not accepted (accepted: " + policy.acceptedTcbStatuses() + ")");
        }
        return new VerifiedQuote(q.tee(), q.version(), q.body().debug(), tcb.map(Tcb::status),
                tcb.map(Tcb::advisories).orElse(List.of()), q.body().reportData(), measurement, claims, simulated);
    }

    /** {@code platform} when the PCK certificate was issued by Intel's PCK Platform CA, else {@code processor}. */
    static String pckCa(X509Certificate pckLeaf) {
        return pckLeaf.getIssuerX500Principal().getName().contains("Platform CA") ? "platform" : "processor";
    }

    private CertChains.Path pckChain(Quote q, List<PublicKey> anchors, Instant now) {
        byte[] certData = q.certData();
        StringBuilder key = new StringBuilder(Hashes.sha256Hex(certData));
        for (PublicKey a : anchors) {
            key.append(':').append(Hashes.sha256Hex(a.getEncoded()));
        }
        String k = key.toString();
        CachedChain cached = chainCache.get(k);
        if (cached != null && cached.window().contains(now)) {
            return cached.path();
        }
        List<X509Certificate> certs = CertChains.parsePem(certData, Reason.CHAIN_INVALID, "PCK certificate chain");
        CertChains.Path path = CertChains.build(certs, anchors, now, Reason.CHAIN_INVALID, Reason.CHAIN_INVALID,
                "PCK certificate chain");
        chainCache.put(k, new CachedChain(ValidityWindow.of(path.path(), List.of()), path));
        return path;
    }

    // ---- policy --------------------------------------------------------------------------------------------------

    private static void checkMeasurement(Quote q, Measurement m, VerificationPolicy policy) {
        if (!policy.restrictsMeasurement() || policy.expectedMeasurements().contains(m)) {
            return;
        }
        if (q.body() instanceof SgxReportBody b) {
            for (VerificationPolicy.SgxSignerRule r : policy.sgxSignerRules()) {
                if (hex(b.mrSigner()).equals(r.mrSigner()) && b.isvProdId() == r.isvProdId() && b.isvSvn() >= r.minIsvSvn()) {
                    return;
                }
            }
        }
        if (q.body() instanceof TdReportBody b) {
            for (VerificationPolicy.TdxRule r : policy.tdxRules()) {
                boolean ok = hex(b.mrTd()).equals(r.mrTd());
                for (Map.Entry<Integer, String> e : r.rtmrs().entrySet()) {
                    ok &= hex(b.rtmr(e.getKey())).equals(e.getValue());
                }
                if (ok) {
                    return;
                }
            }
        }
        throw new AttestationException(Reason.MEASUREMENT_MISMATCH, "measurement " + m + " is not expected by the policy");
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
