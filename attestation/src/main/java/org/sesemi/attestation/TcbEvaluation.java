package org.sesemi.attestation;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.sesemi.attestation.AttestationException.Reason;
import org.sesemi.attestation.dcap.PckExtension;
import org.sesemi.attestation.dcap.QeIdentity;
import org.sesemi.attestation.dcap.Quote;
import org.sesemi.attestation.dcap.SgxReportBody;
import org.sesemi.attestation.dcap.TcbInfo;
import org.sesemi.attestation.dcap.TdReportBody;

/**
 * Rates a quote's platform against collateral whose signatures and validity were checked already
 * ({@link CollateralCheck}): the collateral must be for this TEE type, FMSPC and PCE; the quoting enclave must match
 * the QE identity; the TCB level is the first (Intel's order) that the PCK's SVNs (and, for TDX, the TEE TCB SVN and
 * the TDX module) reach; the statuses of QE and TDX module converge into it as Intel's QVL does. Pure and stateless.
 */
final class TcbEvaluation {
    private TcbEvaluation() {}

    /** TCB evaluation outcome. */
    record Tcb(String status, List<String> advisories) {}

    static Tcb evaluate(Quote q, PckExtension pckExt, TcbInfo info, QeIdentity qeId) {
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
}
