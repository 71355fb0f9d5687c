/**
 * TEE providers that produce DCAP evidence: Gramine-SGX ({@code /dev/attestation}) and TDX (Linux configfs-tsm), plus
 * the X.509 helpers the simulated TEE and tests use to build DCAP-shaped PKIs. Device paths are configurable so the
 * hardware providers can be exercised against prepared folders.
 */
package org.sesemi.attestation.tee;
