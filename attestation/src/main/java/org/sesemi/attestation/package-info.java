/**
 * Remote attestation for SeSeMI: verifying Intel DCAP quotes (SGX v3, TDX v4/v5) under a {@link
 * org.sesemi.attestation.VerificationPolicy}, and producing evidence through {@link org.sesemi.attestation.TeeProvider}s
 * (a loudly labelled simulated TEE, Gramine-SGX and TDX).
 */
package org.sesemi.attestation;
