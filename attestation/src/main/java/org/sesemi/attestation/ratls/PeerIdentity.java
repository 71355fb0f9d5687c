package org.sesemi.attestation.ratls;

import java.security.PublicKey;
import org.sesemi.attestation.VerifiedQuote;
import org.sesemi.crypto.PrincipalId;

/** Who the peer of a TLS connection is, as established during the handshake. */
public sealed interface PeerIdentity {
    /** A principal (owner/user) authenticated by a plain self-signed certificate: the id is its key. */
    record Principal(PrincipalId id) implements PeerIdentity {}

    /** A TEE whose RA-TLS evidence verified under the policy; {@code key} is the certificate (TLS) key it bound. */
    record AttestedTee(VerifiedQuote quote, PublicKey key) implements PeerIdentity {}
}
