package org.sesemi.attestation.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Optional;
import org.sesemi.attestation.AttestationException;
import org.sesemi.attestation.QuoteVerifier;
import org.sesemi.attestation.VerificationPolicy;
import org.sesemi.attestation.dcap.Quote;

/**
 * Fuzzes the DCAP quote parser and the verifier on untrusted bytes: the only acceptable failure is a typed
 * {@link AttestationException}. Regression mode (plain {@code mvn verify}) replays the seeds in
 * {@code src/test/resources/org/sesemi/attestation/fuzz/QuoteParserFuzzTestInputs/}; see docs/benchmarks.md for
 * fuzzing runs.
 */
class QuoteParserFuzzTest {
    private static final QuoteVerifier VERIFIER = new QuoteVerifier();
    private static final VerificationPolicy POLICY = VerificationPolicy.defaults();

    @FuzzTest(maxDuration = "10m")
    void parseAndVerify(byte[] data) {
        try {
            Quote q = Quote.parse(data);
            // Accessors must be consistent with the declared lengths.
            if (q.length() > data.length || q.body().reportData().length != 64) {
                throw new AssertionError("inconsistent parse");
            }
        } catch (AttestationException expected) {
            return;
        }
        try {
            VERIFIER.verify(data, Optional.empty(), POLICY);
        } catch (AttestationException expected) {
            // Fuzzed quotes never chain to Intel's root; the point is that nothing else escapes.
        }
    }
}
