package org.sesemi.attestation;

import java.security.PublicKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.sesemi.attestation.AttestationException.Reason;
import org.sesemi.attestation.dcap.CertChains;
import org.sesemi.attestation.dcap.Ecdsa;
import org.sesemi.attestation.dcap.PckExtension;
import org.sesemi.attestation.dcap.QeIdentity;
import org.sesemi.attestation.dcap.Quote;
import org.sesemi.attestation.dcap.SgxReportBody;
import org.sesemi.attestation.dcap.TcbInfo;
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
 * <p>Thread-safe. Verified PCK chains and collateral signatures are cached (bounded, keyed by content and anchor),
 * and every cached result remembers the time window in which it holds, so time checks are redone on each call.
 */
public final class QuoteVerifier {
    private static final int CACHE_SIZE = 128;
    /** MRSIGNER of Intel's SGX quoting enclave (ISVPRODID 1), as in Intel's QE identity. */
    public static final String INTEL_QE_MRSIGNER = "8c4f5775d796503e96137f77c68a829a0056ac8ded70140b081b094490c57bff";
    /** MRSIGNER of Intel's TDX quoting enclave (ISVPRODID 2), as in Intel's TD_QE identity. */
    public static final String INTEL_TD_QE_MRSIGNER = "dc9e2a7c6f948f17474e34a7fc43ed030f7c1563f1babddf6340c82e0e54a8c5";
    private final Map<String, Window> chainCache = lru();
    private final Map<String, CollateralResult> collateralCache = lru();

    /** A time window [notBefore, notAfter] in which a cached check stays valid. */
    private record Window(Instant notBefore, Instant notAfter, CertChains.Path path) {
        boolean contains(Instant t) {
            return !t.isBefore(notBefore) && !t.isAfter(notAfter);
        }
    }

    private record CollateralResult(Instant notBefore, Instant notAfter, X509CRL rootCrl, X509CRL pckCrl) {
        boolean contains(Instant t) {
            return !t.isBefore(notBefore) && !t.isAfter(notAfter);
        }
    }

    /** TCB evaluation outcome. */
    private record Tcb(String status, List<String> advisories) {}

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
        Optional<Tcb> tcb = coll.map(c -> evaluate(q, pck, pckExt, c, now));
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
        Window cached;
        synchronized (chainCache) {
            cached = chainCache.get(k);
        }
        if (cached != null && cached.contains(now)) {
            return cached.path();
        }
        List<X509Certificate> certs = CertChains.parsePem(certData, Reason.CHAIN_INVALID, "PCK certificate chain");
        CertChains.Path path = CertChains.build(certs, anchors, now, Reason.CHAIN_INVALID, Reason.CHAIN_INVALID,
                "PCK certificate chain");
        Window w = window(path.path(), List.of());
        synchronized (chainCache) {
            chainCache.put(k, new Window(w.notBefore(), w.notAfter(), path));
        }
        return path;
    }

    // ---- collateral ----------------------------------------------------------------------------------------------

    private Tcb evaluate(Quote q, CertChains.Path pck, PckExtension pckExt, Collateral c, Instant now) {
        CollateralResult checked = checkCollateral(pck, c, now);
        X509Certificate leaf = pck.leaf();
        for (X509Certificate cert : pck.path()) {
            if (isRevoked(checked.rootCrl(), cert)) {
                throw new AttestationException(Reason.REVOKED, "'" + cert.getSubjectX500Principal().getName()
                        + "' is revoked by the root CA CRL");
            }
        }
        if (checked.pckCrl().isRevoked(leaf)) {
            throw new AttestationException(Reason.REVOKED, "PCK certificate is revoked by the PCK CRL");
        }

        TcbInfo info = c.tcbInfo();
        QeIdentity qeId = c.qeIdentity();
        String expectedId = q.tee() == TeeType.SGX ? "SGX" : "TDX";
        if (!info.id().equals(expectedId)) {
            throw new AttestationException(Reason.COLLATERAL_INVALID, "TCB info is for " + info.id() + ", quote is " + expectedId);
        }
        if (!info.fmspc().equalsIgnoreCase(pckExt.fmspcHex())) {
            throw new AttestationException(Reason.COLLATERAL_INVALID, "TCB info is for FMSPC " + info.fmspc()
                    + ", the PCK certificate says " + pckExt.fmspcHex());
        }
        if (!info.pceId().equalsIgnoreCase(pckExt.pceIdHex())) {
            throw new AttestationException(Reason.COLLATERAL_INVALID, "TCB info PCE-ID does not match the PCK certificate");
        }
        String expectedQe = q.tee() == TeeType.SGX ? "QE" : "TD_QE";
        if (!qeId.id().equals(expectedQe)) {
            throw new AttestationException(Reason.COLLATERAL_INVALID, "QE identity is '" + qeId.id() + "', expected '"
                    + expectedQe + "'");
        }

        // QE identity: the quoting enclave must be Intel's, with a known ISVSVN.
        SgxReportBody qe = q.qeReport();
        if (!Arrays.equals(qe.mrSigner(), qeId.mrSigner()) || qe.isvProdId() != qeId.isvProdId()
                || (qe.miscSelect() & qeId.miscSelectMask()) != (qeId.miscSelect() & qeId.miscSelectMask())
                || !maskedEqual(qe.attributes(), qeId.attributes(), qeId.attributesMask())) {
            throw new AttestationException(Reason.TCB_REJECTED, "quoting enclave does not match the QE identity");
        }
        QeIdentity.IsvLevel qeLevel = qeId.tcbLevels().stream().filter(l -> l.isvSvn() <= qe.isvSvn()).findFirst()
                .orElseThrow(() -> new AttestationException(Reason.TCB_NO_MATCH,
                        "no QE identity TCB level matches QE ISVSVN " + qe.isvSvn()));

        // Platform TCB level: first level (Intel order) that the PCK's SVNs (and TEE TCB SVN for TDX) reach.
        byte[] teeTcbSvn = q.body() instanceof TdReportBody td ? td.teeTcbSvn() : null;
        int tdxStart = teeTcbSvn != null && (teeTcbSvn[1] & 0xFF) > 0 ? 2 : 0;
        TcbInfo.TcbLevel platform = null;
        for (TcbInfo.TcbLevel level : info.tcbLevels()) {
            boolean ok = pckExt.pceSvn() >= level.pceSvn();
            for (int i = 0; ok && i < 16; i++) {
                ok = pckExt.cpuSvnComponents()[i] >= level.sgxComponents()[i];
            }
            if (ok && teeTcbSvn != null) {
                int[] tdx = level.tdxComponents().orElse(new int[16]);
                for (int i = tdxStart; ok && i < 16; i++) {
                    ok = (teeTcbSvn[i] & 0xFF) >= tdx[i];
                }
            }
            if (ok) {
                platform = level;
                break;
            }
        }
        if (platform == null) {
            throw new AttestationException(Reason.TCB_NO_MATCH, "no TCB level of the TCB info (FMSPC " + info.fmspc()
                    + ") matches this platform");
        }
        String status = platform.status();
        Set<String> advisories = new LinkedHashSet<>(platform.advisoryIds());

        if (q.body() instanceof TdReportBody td) {
            Optional<QeIdentity.IsvLevel> module = tdxModule(td, info);
            if (module.isPresent()) {
                status = converge(status, module.get().status());
                advisories.addAll(module.get().advisoryIds());
            }
        }
        status = converge(status, qeLevel.status());
        advisories.addAll(qeLevel.advisoryIds());
        return new Tcb(status, List.copyOf(advisories));
    }

    private static Optional<QeIdentity.IsvLevel> tdxModule(TdReportBody td, TcbInfo info) {
        byte[] svn = td.teeTcbSvn();
        int major = svn[1] & 0xFF;
        if (major == 0 || info.tdxModuleIdentities().isEmpty()) {
            info.tdxModule().ifPresent(m -> {
                if (!Arrays.equals(m.mrSigner(), td.mrSignerSeam())
                        || !maskedEqual(td.seamAttributes(), m.attributes(), m.attributesMask())) {
                    throw new AttestationException(Reason.TCB_REJECTED, "TDX module does not match the TCB info tdxModule");
                }
            });
            return Optional.empty();
        }
        String id = String.format("TDX_%02X", major);
        TcbInfo.TdxModuleIdentity ident = info.tdxModuleIdentities().stream().filter(m -> m.id().equalsIgnoreCase(id))
                .findFirst().orElseThrow(() -> new AttestationException(Reason.TCB_NO_MATCH,
                        "TCB info has no TDX module identity " + id));
        if (!Arrays.equals(ident.mrSigner(), td.mrSignerSeam())
                || !maskedEqual(td.seamAttributes(), ident.attributes(), ident.attributesMask())) {
            throw new AttestationException(Reason.TCB_REJECTED, "TDX module does not match identity " + id);
        }
        int minor = svn[0] & 0xFF;
        return Optional.of(ident.levels().stream().filter(l -> l.isvSvn() <= minor).findFirst()
                .orElseThrow(() -> new AttestationException(Reason.TCB_NO_MATCH,
                        "no TCB level of TDX module " + id + " matches module SVN " + minor)));
    }

    /**
     * Combines the platform status with the status of another component (QE or TDX module), following Intel QVL:
     * an out-of-date or revoked component makes the whole platform so; otherwise the platform status stands.
     */
    static String converge(String platform, String component) {
        return switch (component) {
            case "Revoked" -> "Revoked";
            case "OutOfDate", "OutOfDateConfigurationNeeded" -> switch (platform) {
                case "Revoked" -> "Revoked";
                case "ConfigurationNeeded", "ConfigurationAndSWHardeningNeeded", "OutOfDateConfigurationNeeded",
                        "TDRelaunchAdvisedConfigurationNeeded" -> "OutOfDateConfigurationNeeded";
                default -> "OutOfDate";
            };
            default -> platform;
        };
    }

    private CollateralResult checkCollateral(CertChains.Path pck, Collateral c, Instant now) {
        PublicKey pckIssuerKey = pck.path().size() > 1 ? pck.path().get(1).getPublicKey() : pck.anchor();
        String k = c.fingerprint() + ":" + Hashes.sha256Hex(pck.anchor().getEncoded()) + ":"
                + Hashes.sha256Hex(pckIssuerKey.getEncoded());
        CollateralResult cached;
        synchronized (collateralCache) {
            cached = collateralCache.get(k);
        }
        if (cached != null && cached.contains(now)) {
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
        Window w = window(certs, List.of(rootCrl, pckCrl));
        Instant nb = max(w.notBefore(), max(info.issueDate(), qe.issueDate()));
        Instant na = min(w.notAfter(), min(info.nextUpdate(), qe.nextUpdate()));
        CollateralResult r = new CollateralResult(nb, na, rootCrl, pckCrl);
        synchronized (collateralCache) {
            collateralCache.put(k, r);
        }
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

    private static Window window(List<X509Certificate> certs, List<X509CRL> crls) {
        Instant nb = Instant.MIN;
        Instant na = Instant.MAX;
        for (X509Certificate c : certs) {
            nb = max(nb, c.getNotBefore().toInstant());
            na = min(na, c.getNotAfter().toInstant());
        }
        for (X509CRL crl : crls) {
            nb = max(nb, crl.getThisUpdate().toInstant());
            if (crl.getNextUpdate() != null) {
                na = min(na, crl.getNextUpdate().toInstant());
            }
        }
        return new Window(nb, na, null);
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static boolean maskedEqual(byte[] actual, byte[] expected, byte[] mask) {
        if (actual.length != expected.length || mask.length != expected.length) {
            return false;
        }
        for (int i = 0; i < mask.length; i++) {
            if ((actual[i] & mask[i]) != (expected[i] & mask[i])) {
                return false;
            }
        }
        return true;
    }

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

    private static <K, V> Map<K, V> lru() {
        return new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > CACHE_SIZE;
            }
        };
    }
}
