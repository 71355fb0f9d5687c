package org.sesemi.attestation.dcap;

/** The attested body of a quote: an SGX enclave report or a TD report. */
public sealed interface ReportBody permits SgxReportBody, TdReportBody {
    /** The 64 bytes of report data (copy). */
    byte[] reportData();

    /** Whether the enclave / TD runs with debug enabled. */
    boolean debug();

    /** The raw body bytes (copy), as signed. */
    byte[] raw();
}
