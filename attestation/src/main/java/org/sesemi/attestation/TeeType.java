package org.sesemi.attestation;

/** The kind of trusted execution environment a quote comes from. The simulated TEE produces {@link #SGX} quotes. */
public enum TeeType {
    SGX,
    TDX;

    /** Lowercase name as used in JSON and CLI output ({@code sgx}, {@code tdx}). */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
