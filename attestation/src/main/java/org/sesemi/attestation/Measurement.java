package org.sesemi.attestation;

import java.util.HexFormat;
import java.util.regex.Pattern;
import org.sesemi.crypto.Hashes;

/**
 * The canonical, printable identity of the code running in a TEE, as used in KeyService grants.
 *
 * <p>{@code sgx:<64 lowercase hex MRENCLAVE>} for SGX enclaves (and the simulated TEE, whose quotes use the SGX v3
 * layout); {@code tdx:<64 lowercase hex SHA-256(MRTD ‖ RTMR0 ‖ RTMR1 ‖ RTMR2 ‖ RTMR3)>} for TDX trust domains, so one
 * fixed-size value covers the firmware/kernel/application measurements a TD accumulates.
 *
 * @param value the canonical form; the constructor rejects anything else, so a {@code Measurement} is always valid
 */
public record Measurement(String value) implements RuntimeRule {
    private static final Pattern FORM = Pattern.compile("(sgx|tdx):[0-9a-f]{64}");

    public Measurement {
        if (value == null || !FORM.matcher(value).matches()) {
            throw new AttestationException(AttestationException.Reason.MALFORMED,
                    "a measurement is 'sgx:' or 'tdx:' followed by 64 lowercase hex characters");
        }
    }

    /** Parses untrusted text (surrounding whitespace and uppercase hex are tolerated). */
    public static Measurement parse(String text) {
        if (text == null || text.length() > 200) {
            throw new AttestationException(AttestationException.Reason.MALFORMED, "not a measurement");
        }
        return new Measurement(text.strip().toLowerCase(java.util.Locale.ROOT));
    }

    /** The measurement of an SGX enclave with this 32-byte MRENCLAVE. */
    public static Measurement sgx(byte[] mrEnclave) {
        if (mrEnclave.length != 32) {
            throw new IllegalArgumentException("MRENCLAVE is 32 bytes");
        }
        return new Measurement("sgx:" + HexFormat.of().formatHex(mrEnclave));
    }

    /** The measurement of a TD: SHA-256 over MRTD and RTMR0..3 (48 bytes each). */
    public static Measurement tdx(byte[] mrTd, byte[] rtmr0, byte[] rtmr1, byte[] rtmr2, byte[] rtmr3) {
        for (byte[] r : new byte[][] {mrTd, rtmr0, rtmr1, rtmr2, rtmr3}) {
            if (r.length != 48) {
                throw new IllegalArgumentException("MRTD and RTMRs are 48 bytes");
            }
        }
        return new Measurement("tdx:" + Hashes.sha256Hex(mrTd, rtmr0, rtmr1, rtmr2, rtmr3));
    }

    /** A measurement admits exactly the runtimes with this measurement. */
    @Override
    public boolean matches(Measurement measurement, java.util.Map<String, String> claims) {
        return equals(measurement);
    }

    public TeeType tee() {
        return value.startsWith("sgx:") ? TeeType.SGX : TeeType.TDX;
    }

    /** The 64 hex digits after the prefix. */
    public String hex() {
        return value.substring(4);
    }

    @Override
    public String toString() {
        return value;
    }
}
