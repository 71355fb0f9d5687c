/**
 * Intel DCAP building blocks: byte-exact quote parsing (v3/v4/v5), report bodies, PCK certificate chains and their
 * SGX extension, collateral documents (TCB info, QE identity) and TCB-level evaluation, plus a quote writer used by
 * the simulated TEE. {@link org.sesemi.attestation.QuoteVerifier} composes them; most callers need nothing here.
 */
package org.sesemi.attestation.dcap;
