package org.sesemi.attestation;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/** Access to the real attestation evidence under {@code ${sesemi.shared}/testdata/attestation}; skips when absent. */
public final class SharedVectors {
    private SharedVectors() {}

    public static Path dir() {
        String shared = System.getProperty("sesemi.shared");
        assumeTrue(shared != null, "sesemi.shared not set");
        Path d = Path.of(shared, "testdata", "attestation");
        assumeTrue(Files.isDirectory(d), "shared attestation test data absent: " + d);
        return d;
    }

    public static byte[] read(String relative) {
        Path p = dir().resolve(relative);
        assumeTrue(Files.isRegularFile(p), "missing " + p);
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Clock at(String instant) {
        return Clock.fixed(Instant.parse(instant), ZoneOffset.UTC);
    }
}
