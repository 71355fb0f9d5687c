/** JMH benchmarks of the attestation module: DCAP quote verification and RA-TLS handshakes. */
package org.sesemi.bench.attestation;
