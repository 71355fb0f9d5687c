package org.sesemi.keyservice.core;

import java.util.Objects;
import org.sesemi.attestation.Measurement;
import org.sesemi.crypto.PrincipalId;

/** The authenticated party behind a request, as established by the TLS handshake (never by the request body). */
public sealed interface Caller permits Caller.Principal, Caller.Runtime {

    /** How the caller appears in the audit log and in rate-limit keys. */
    String auditName();

    /**
     * An owner or user, authenticated by a plain client certificate.
     *
     * @param subjectPublicKeyInfo DER SPKI of the certificate key; {@code id} is its SHA-256
     */
    record Principal(PrincipalId id, byte[] subjectPublicKeyInfo) implements Caller {
        public Principal {
            Objects.requireNonNull(id, "id");
            subjectPublicKeyInfo = subjectPublicKeyInfo.clone();
        }

        @Override
        public String auditName() {
            return id.hex();
        }

        @Override
        public byte[] subjectPublicKeyInfo() {
            return subjectPublicKeyInfo.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Principal p && p.id.equals(id);
        }

        @Override
        public int hashCode() {
            return id.hashCode();
        }

        @Override
        public String toString() {
            return "Principal[" + id + "]";
        }
    }

    /**
     * An attested runtime, identified by the measurement in its verified quote.
     *
     * @param instance SHA-256 hex of its certificate key (one per runtime instance; for rate limiting and logs)
     * @param claims the verified quote's identity fields ({@link org.sesemi.attestation.VerifiedQuote#claims()}:
     *     MRSIGNER, ISVPRODID, ISVSVN; MRTD, RTMRs) that signer and register grants are decided on
     */
    record Runtime(Measurement measurement, String instance, java.util.Map<String, String> claims) implements Caller {
        public Runtime {
            Objects.requireNonNull(measurement, "measurement");
            Objects.requireNonNull(instance, "instance");
            claims = java.util.Map.copyOf(claims);
        }

        /** A runtime known by its measurement only: only exact-measurement grants can admit it. */
        public Runtime(Measurement measurement, String instance) {
            this(measurement, instance, java.util.Map.of());
        }

        @Override
        public String auditName() {
            return "runtime:" + measurement.value();
        }
    }
}
