/**
 * RA-TLS for JSSE: self-signed certificates carrying a DCAP quote that binds the certificate key (Gramine legacy OID
 * and TCG DICE tagged evidence), key/trust managers that verify peers under a {@link
 * org.sesemi.attestation.VerificationPolicy}, and {@link org.sesemi.attestation.ratls.PeerIdentity} to learn after the
 * handshake who the peer is.
 */
package org.sesemi.attestation.ratls;
