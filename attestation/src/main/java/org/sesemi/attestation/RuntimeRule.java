package org.sesemi.attestation;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which attested runtimes a KeyService grant (or a user's request key) admits, decided on the fields of a verified
 * quote only ({@link VerifiedQuote#measurement()} and {@link VerifiedQuote#claims()}), never on anything the host says.
 *
 * <ul>
 *   <li>{@link Measurement}: exactly one build ({@code sgx:<MRENCLAVE>} or {@code tdx:<digest of MRTD and RTMR0..3>}).
 *   <li>{@link SgxSigner}: {@code sgx-signer:<MRSIGNER hex>:<ISVPRODID>:<minimum ISVSVN>} — every SGX enclave signed by
 *       that key with that product id and a security version at least the minimum, so a new build from the same signer
 *       needs no new grant, and raising the minimum shuts out older (e.g. vulnerable) builds.
 *   <li>{@link TdxRegisters}: {@code tdx-regs:<MRTD hex>:<RTMR0>:<RTMR1>:<RTMR2>:<RTMR3>}, each RTMR 96 hex digits or
 *       {@code any} — a TD with exactly this MRTD (its firmware/initial memory) and these values in the pinned RTMRs;
 *       unpinned RTMRs may hold anything (pin every register that carries code the grant must trust).
 * </ul>
 * Canonical text is lowercase; {@link #value()} round-trips through {@link #parse(String)}.
 */
public sealed interface RuntimeRule permits Measurement, RuntimeRule.SgxSigner, RuntimeRule.TdxRegisters {
    /** Longest canonical text ({@code tdx-regs} with every RTMR pinned is 493 characters). */
    int MAX_LENGTH = 600;

    /** The canonical text (stored in grants, used in KeyService paths). */
    String value();

    /**
     * Does a runtime whose verified quote has this measurement and these claims (see {@link VerifiedQuote#claims()})
     * satisfy the rule? Claims missing or unparsable never match.
     */
    boolean matches(Measurement measurement, Map<String, String> claims);

    /** Parses untrusted text: a measurement, an SGX signer rule or a TDX register rule. */
    static RuntimeRule parse(String text) {
        if (text == null || text.length() > MAX_LENGTH) {
            throw malformed("not a runtime rule");
        }
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.startsWith("sgx-signer:")) {
            String[] p = t.substring("sgx-signer:".length()).split(":", -1);
            if (p.length != 3) {
                throw malformed("an SGX signer rule is sgx-signer:<64 hex MRSIGNER>:<ISVPRODID>:<minimum ISVSVN>");
            }
            return new SgxSigner(p[0], u16(p[1], "ISVPRODID"), u16(p[2], "minimum ISVSVN"));
        }
        if (t.startsWith("tdx-regs:")) {
            String[] p = t.substring("tdx-regs:".length()).split(":", -1);
            if (p.length != 5) {
                throw malformed("a TDX register rule is tdx-regs:<96 hex MRTD>:<RTMR0>:<RTMR1>:<RTMR2>:<RTMR3>, each RTMR 96 hex or 'any'");
            }
            List<Optional<String>> rtmrs = new ArrayList<>();
            for (int i = 1; i <= 4; i++) {
                rtmrs.add(p[i].equals("any") ? Optional.empty() : Optional.of(p[i]));
            }
            return new TdxRegisters(p[0], rtmrs);
        }
        return Measurement.parse(t);
    }

    /** Every SGX enclave signed with MRSIGNER {@code mrSigner}, product {@code prodId}, ISVSVN ≥ {@code minSvn}. */
    record SgxSigner(String mrSigner, int prodId, int minSvn) implements RuntimeRule {
        private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

        public SgxSigner {
            if (mrSigner == null || !HEX64.matcher(mrSigner).matches()) {
                throw malformed("MRSIGNER is 64 lowercase hex characters");
            }
            if (prodId < 0 || prodId > 0xffff || minSvn < 0 || minSvn > 0xffff) {
                throw malformed("ISVPRODID and ISVSVN are 0..65535");
            }
        }

        @Override
        public String value() {
            return "sgx-signer:" + mrSigner + ":" + prodId + ":" + minSvn;
        }

        @Override
        public boolean matches(Measurement measurement, Map<String, String> claims) {
            if (measurement.tee() != TeeType.SGX) {
                return false;
            }
            int prod = number(claims.get("isvProdId"));
            int svn = number(claims.get("isvSvn"));
            return mrSigner.equals(claims.get("mrSigner")) && prod >= 0 && prod == prodId && svn >= 0 && svn >= minSvn;
        }

        @Override
        public String toString() {
            return value();
        }
    }

    /** A TD with MRTD {@code mrTd} and, for each present entry of {@code rtmrs} (index 0..3), that RTMR value. */
    record TdxRegisters(String mrTd, List<Optional<String>> rtmrs) implements RuntimeRule {
        private static final Pattern HEX96 = Pattern.compile("[0-9a-f]{96}");

        public TdxRegisters {
            if (mrTd == null || !HEX96.matcher(mrTd).matches()) {
                throw malformed("MRTD is 96 lowercase hex characters");
            }
            if (rtmrs == null || rtmrs.size() != 4) {
                throw malformed("a TDX register rule names RTMR0..RTMR3 (a value or 'any' each)");
            }
            for (Optional<String> r : rtmrs) {
                if (r.isPresent() && !HEX96.matcher(r.get()).matches()) {
                    throw malformed("an RTMR is 96 lowercase hex characters (or 'any')");
                }
            }
            rtmrs = List.copyOf(rtmrs);
        }

        @Override
        public String value() {
            StringBuilder b = new StringBuilder("tdx-regs:").append(mrTd);
            for (Optional<String> r : rtmrs) {
                b.append(':').append(r.orElse("any"));
            }
            return b.toString();
        }

        @Override
        public boolean matches(Measurement measurement, Map<String, String> claims) {
            if (measurement.tee() != TeeType.TDX || !mrTd.equals(claims.get("mrTd"))) {
                return false;
            }
            for (int i = 0; i < 4; i++) {
                if (rtmrs.get(i).isPresent() && !rtmrs.get(i).get().equals(claims.get("rtmr" + i))) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public String toString() {
            return value();
        }
    }

    /** A decimal claim, or -1 when absent or not a number. */
    private static int number(String claim) {
        return claim != null && claim.matches("[0-9]{1,5}") ? Integer.parseInt(claim) : -1;
    }

    private static int u16(String s, String what) {
        if (!s.matches("[0-9]{1,5}")) {
            throw malformed(what + " must be a decimal number 0..65535");
        }
        return Integer.parseInt(s);
    }

    private static AttestationException malformed(String message) {
        return new AttestationException(AttestationException.Reason.MALFORMED, message);
    }
}
