package org.sesemi.cli;

import org.sesemi.attestation.collateral.CollateralSetting;
import org.sesemi.attestation.collateral.PeerVerification;
import picocli.CommandLine.Option;

/** {@code --collateral} and {@code --accept-tcb} of {@code keyservice serve} (flags win over the environment). */
final class CollateralOptions {
    @Option(names = "--collateral", paramLabel = "SOURCE", description = {
        "Collateral for runtimes' quotes (env SESEMI_COLLATERAL): intel (Intel PCS), pccs:URL (a PCCS, API v4),",
        "dir:PATH (<tee>-<fmspc>.json files), simulated[:STATUS[:ADVISORIES]] (the simulated TEE rates its platform",
        "STATUS, e.g. simulated:OutOfDate) or none (signatures only; warning). Default: simulated in the simulated TEE,",
        "else intel. Every source but none is required: no current collateral = quote rejected (fail closed)."})
    String collateral;

    @Option(names = "--accept-tcb", paramLabel = "STATUSES", description = {
        "TCB statuses accepted, comma-separated (env SESEMI_ACCEPT_TCB; default",
        "UpToDate,SWHardeningNeeded,ConfigurationNeeded,ConfigurationAndSWHardeningNeeded)."})
    String acceptTcb;

    PeerVerification verification() {
        PeerVerification v = PeerVerification.defaults();
        String c = collateral != null ? collateral : System.getenv("SESEMI_COLLATERAL");
        if (c != null && !c.isBlank()) {
            v = v.withCollateral(CollateralSetting.parse(c));
        }
        String t = acceptTcb != null ? acceptTcb : System.getenv("SESEMI_ACCEPT_TCB");
        if (t != null && !t.isBlank()) {
            v = v.withAcceptedTcb(PeerVerification.parseTcbStatuses(t));
        }
        return v;
    }
}
