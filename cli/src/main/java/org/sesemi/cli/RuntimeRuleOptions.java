package org.sesemi.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.sesemi.attestation.AttestationException;
import org.sesemi.attestation.RuntimeRule;
import picocli.CommandLine.Option;

/**
 * Which runtimes a grant or request key is for: one measurement ({@code --measurement}, default
 * SESEMI_RUNTIME_MEASUREMENT), an SGX signer rule ({@code --signer --prod-id --min-svn}) or a TDX register rule
 * ({@code --tdx-mrtd [--tdx-rtmr i=HEX]...}). {@code --measurement} also takes a rule's canonical text.
 */
final class RuntimeRuleOptions {
    @Option(names = "--measurement", paramLabel = "MEASUREMENT", description = "Runtime measurement (sgx:<hex> or tdx:<hex>; see "
            + "'sesemi measure'), or a rule's text (sgx-signer:…, tdx-regs:…; see 'grant list'); default SESEMI_RUNTIME_MEASUREMENT, "
            + "which 'sesemi up' writes.")
    String measurement;

    @Option(names = "--signer", paramLabel = "HEX", description = "SGX signer rule: MRSIGNER (64 hex) of the runtime builds admitted; "
            + "needs --prod-id and --min-svn.")
    String signer;

    @Option(names = "--prod-id", paramLabel = "N", description = "SGX signer rule: ISVPRODID (0..65535).")
    Integer prodId;

    @Option(names = "--min-svn", paramLabel = "N", description = "SGX signer rule: the lowest ISVSVN admitted (0..65535); raise it to "
            + "shut out older builds.")
    Integer minSvn;

    @Option(names = "--tdx-mrtd", paramLabel = "HEX", description = "TDX register rule: MRTD (96 hex) of the TDs admitted.")
    String tdxMrtd;

    @Option(names = "--tdx-rtmr", paramLabel = "I=HEX", description = "TDX register rule: RTMR I (0..3) must hold HEX (96 hex); "
            + "repeatable; RTMRs not given may hold anything.")
    Map<Integer, String> tdxRtmr = new LinkedHashMap<>();

    /** The rule these options name. */
    RuntimeRule rule() {
        boolean sgx = signer != null || prodId != null || minSvn != null;
        boolean tdx = tdxMrtd != null || !tdxRtmr.isEmpty();
        if (sgx && tdx || (sgx || tdx) && measurement != null) {
            throw new CliErrors.UserException("give one of --measurement, --signer/--prod-id/--min-svn, --tdx-mrtd/--tdx-rtmr");
        }
        if (sgx) {
            if (signer == null || prodId == null || minSvn == null) {
                throw new CliErrors.UserException("an SGX signer rule needs all of --signer HEX --prod-id N --min-svn N");
            }
            return parse("sgx-signer:" + signer + ":" + prodId + ":" + minSvn, "--signer/--prod-id/--min-svn");
        }
        if (tdx) {
            if (tdxMrtd == null) {
                throw new CliErrors.UserException("a TDX register rule needs --tdx-mrtd HEX");
            }
            List<String> regs = new ArrayList<>(List.of("any", "any", "any", "any"));
            for (Map.Entry<Integer, String> e : tdxRtmr.entrySet()) {
                if (e.getKey() < 0 || e.getKey() > 3) {
                    throw new CliErrors.UserException("--tdx-rtmr: the RTMR index is 0..3, got " + e.getKey());
                }
                regs.set(e.getKey(), e.getValue());
            }
            return parse("tdx-regs:" + tdxMrtd + ":" + String.join(":", regs), "--tdx-mrtd/--tdx-rtmr");
        }
        String m = SesemiEnv.get(measurement, SesemiEnv.RUNTIME_MEASUREMENT).orElseThrow(() -> new CliErrors.UserException(
                "no runtime measurement: pass --measurement (see 'sesemi measure'), a signer or TDX register rule, or set "
                        + "SESEMI_RUNTIME_MEASUREMENT ('sesemi up' writes it)"));
        return parse(m, measurement != null ? "--measurement" : SesemiEnv.RUNTIME_MEASUREMENT);
    }

    /** The rule if any option was given (for checks against a key file), else empty. */
    Optional<RuntimeRule> given() {
        boolean any = measurement != null || signer != null || prodId != null || minSvn != null || tdxMrtd != null || !tdxRtmr.isEmpty();
        return any ? Optional.of(rule()) : Optional.empty();
    }

    static RuntimeRule parse(String text, String option) {
        try {
            return RuntimeRule.parse(text);
        } catch (AttestationException e) {
            throw new CliErrors.UserException(option + ": " + e.getMessage());
        }
    }
}
