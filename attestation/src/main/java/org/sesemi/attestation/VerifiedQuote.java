package org.sesemi.attestation;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The result of a successful verification: who produced the quote and what it says.
 *
 * @param tee SGX or TDX
 * @param quoteVersion 3, 4 or 5
 * @param debug whether the enclave/TD runs in debug mode (only present when the policy allowed it)
 * @param tcbStatus Intel TCB status after TCB-level evaluation; empty when verified without collateral
 * @param advisoryIds Intel security advisories of the matched TCB levels (empty without collateral)
 * @param reportData the 64 bytes of report data (copy)
 * @param measurement canonical measurement (see {@link Measurement})
 * @param claims SGX: mrEnclave, mrSigner, isvProdId, isvSvn; TDX: mrTd, rtmr0..rtmr3, mrSeam, teeTcbSvn,
 *     tdAttributes (lowercase hex or decimal); also fmspc when the PCK certificate carries one
 * @param simulated true when the quote chains to a simulated root (no hardware protection)
 */
public record VerifiedQuote(
        TeeType tee,
        int quoteVersion,
        boolean debug,
        Optional<String> tcbStatus,
        List<String> advisoryIds,
        byte[] reportData,
        Measurement measurement,
        Map<String, String> claims,
        boolean simulated) {

    public VerifiedQuote {
        reportData = reportData.clone();
        advisoryIds = List.copyOf(advisoryIds);
        claims = Map.copyOf(claims);
    }

    @Override
    public byte[] reportData() {
        return reportData.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VerifiedQuote v && tee == v.tee && quoteVersion == v.quoteVersion && debug == v.debug
                && tcbStatus.equals(v.tcbStatus) && advisoryIds.equals(v.advisoryIds)
                && java.util.Arrays.equals(reportData, v.reportData) && measurement.equals(v.measurement)
                && claims.equals(v.claims) && simulated == v.simulated;
    }

    @Override
    public int hashCode() {
        return measurement.hashCode() * 31 + java.util.Arrays.hashCode(reportData);
    }

    @Override
    public String toString() {
        return "VerifiedQuote[" + tee.label() + " v" + quoteVersion + " " + measurement
                + (debug ? " DEBUG" : "") + (simulated ? " SIMULATED" : "")
                + " tcb=" + tcbStatus.orElse("unevaluated") + "]";
    }
}
