package org.sesemi.attestation;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * The real attestation evidence vendored under {@code org/sesemi/attestation/vectors} in the test resources (real
 * SGX/TDX quotes with their collateral, RA-TLS certificates, the Intel root; provenance in the README there). They
 * ship with the project, so a missing file is a test failure, never a skip.
 */
public final class AttestationVectors {
    /** Class-path folder of the vectors. */
    public static final String ROOT = "org/sesemi/attestation/vectors/";

    private AttestationVectors() {}

    /** The bytes of a vector, e.g. {@code read("sgx-v3-prod/quote.bin")}. */
    public static byte[] read(String relative) {
        String name = ROOT + relative;
        try (InputStream in = AttestationVectors.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("attestation test vector missing from the test class path: " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Clock at(String instant) {
        return Clock.fixed(Instant.parse(instant), ZoneOffset.UTC);
    }
}
