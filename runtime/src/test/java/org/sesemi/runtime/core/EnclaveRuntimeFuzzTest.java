package org.sesemi.runtime.core;

import org.sesemi.protocol.envelope.FastEnvelopeJson;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import org.sesemi.crypto.CryptoException;
import org.sesemi.protocol.envelope.EnvelopeJson;
import org.sesemi.runtime.testing.Fixture;
import org.sesemi.runtime.testing.TestModels;

/**
 * Fuzzes the trusted core's entry point with arbitrary bytes (JSON and binary envelope forms): it must always answer
 * with an {@link Outcome}, never throw, and the fast JSON path must agree with the reference envelope parser.
 * Regression mode replays the seeds in {@code src/test/resources/org/sesemi/runtime/core/EnclaveRuntimeFuzzTestInputs/}.
 */
class EnclaveRuntimeFuzzTest {
    private static final Fixture FIXTURE;

    static {
        try {
            FIXTURE = new Fixture(Files.createTempDirectory("sesemi-fuzz"), CoreConfig.defaults());
            FIXTURE.addModel("affine", TestModels.affine(1, 0));
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @FuzzTest(maxDuration = "5m")
    void handleNeverThrows(byte[] data) {
        Outcome o = FIXTURE.core.handle(data);
        if (o == null) {
            throw new AssertionError("null outcome");
        }
        Object fast, ref;
        try {
            fast = FastEnvelopeJson.parse(data, 1 << 20);
        } catch (CryptoException e) {
            fast = "rejected";
        }
        try {
            ref = EnvelopeJson.parse(data, 1 << 20);
        } catch (CryptoException e) {
            ref = "rejected";
        }
        if (!fast.equals(ref)) {
            throw new AssertionError("fast and reference envelope parsers disagree");
        }
    }
}
