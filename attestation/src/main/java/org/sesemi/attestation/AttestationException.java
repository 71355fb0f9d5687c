package org.sesemi.attestation;

/**
 * Why evidence was not accepted (or could not be produced). Messages describe the failed check and never contain
 * key material; they may contain public values such as measurements or FMSPCs.
 */
public final class AttestationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Failure classes, stable for callers (KeyService maps them to denial reasons, the CLI prints them). */
    public enum Reason {
        /** The bytes are not a well-formed quote / collateral / certificate extension. */
        MALFORMED,
        /** Well-formed but a version, key type or certification data type this verifier does not handle. */
        UNSUPPORTED,
        /** An ECDSA signature (quote, QE report, collateral) or the QE report binding does not verify. */
        SIGNATURE_INVALID,
        /** The PCK (or collateral issuer) certificate chain is broken, expired or malformed. */
        CHAIN_INVALID,
        /** The chain is intact but does not end at a configured trust root. */
        UNTRUSTED_ROOT,
        /** A certificate of the chain is listed in a CRL. */
        REVOKED,
        /** Collateral does not belong to this quote or its own signatures/chains fail. */
        COLLATERAL_INVALID,
        /** Collateral (TCB info, QE identity, CRLs) is outside its validity window at the verification instant. */
        COLLATERAL_EXPIRED,
        /** No current collateral could be obtained for the platform (source unreachable, 404, refused refresh). */
        COLLATERAL_UNAVAILABLE,
        /** The resulting TCB status (platform, QE or TDX module) is not accepted by the policy. */
        TCB_REJECTED,
        /** No TCB level of the TCB info matches this platform. */
        TCB_NO_MATCH,
        /** A debug enclave / debug TD, rejected unless the policy allows debug. */
        DEBUG_REJECTED,
        /** The measurement is not one the policy expects. */
        MEASUREMENT_MISMATCH,
        /** Report data does not bind the presented key (RA-TLS) or the requested report data. */
        BINDING_MISMATCH,
        /** An RA-TLS certificate that is expired, not yet valid, or older than the policy's maximum evidence age. */
        EVIDENCE_EXPIRED,
        /** The TEE device/interface is missing or does not behave as expected. */
        TEE_UNAVAILABLE
    }

    private final Reason reason;
    private final java.util.Optional<String> tcbStatus;
    private final java.util.List<String> advisoryIds;

    public AttestationException(Reason reason, String message) {
        super(message);
        this.reason = reason;
        this.tcbStatus = java.util.Optional.empty();
        this.advisoryIds = java.util.List.of();
    }

    public AttestationException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.tcbStatus = java.util.Optional.empty();
        this.advisoryIds = java.util.List.of();
    }

    private AttestationException(AttestationException e, String tcbStatus, java.util.List<String> advisoryIds) {
        super(e.getMessage(), e.getCause());
        this.reason = e.reason;
        this.tcbStatus = java.util.Optional.of(tcbStatus);
        this.advisoryIds = java.util.List.copyOf(advisoryIds);
        setStackTrace(e.getStackTrace());
    }

    /** The same failure, also carrying the TCB status and advisories evaluated before the failing check. */
    public AttestationException withTcb(String status, java.util.List<String> advisories) {
        return new AttestationException(this, status, advisories);
    }

    /**
     * The TCB status evaluated from collateral before the quote was rejected (e.g. {@code OutOfDate} for a
     * {@code tcb_rejected}); empty when the rejection came before TCB evaluation or without collateral.
     */
    public java.util.Optional<String> tcbStatus() {
        return tcbStatus;
    }

    /** Intel advisories of the evaluated TCB levels (empty when {@link #tcbStatus()} is). */
    public java.util.List<String> advisoryIds() {
        return advisoryIds;
    }

    public Reason reason() {
        return reason;
    }

    /** Lowercase reason code for JSON/CLI output, e.g. {@code debug_rejected}. */
    public String code() {
        return reason.name().toLowerCase(java.util.Locale.ROOT);
    }
}
