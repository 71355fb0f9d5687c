package org.sesemi.bench.attestation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.sesemi.attestation.Collateral;
import org.sesemi.attestation.QuoteVerifier;
import org.sesemi.attestation.tee.SimulatedTee;
import org.sesemi.attestation.VerificationPolicy;
import org.sesemi.attestation.VerifiedQuote;
import org.sesemi.attestation.dcap.Quote;

/**
 * DCAP quote verification on one thread.
 *
 * <p>{@code source=intel-sgx}: the real SGX v3 quote and Intel collateral from the shared folder (pass
 * {@code -Dsesemi.shared=...}; falls back to simulated when absent). {@code source=intel-tdx}: the real TDX v4 quote.
 * {@code source=simulated}: a simulated-TEE quote with simulated collateral. Benchmarks:
 * <ul>
 *   <li>{@code parseOnly}: structure only;
 *   <li>{@code noCollateral}: signatures and PCK chain (chain verification cached by the verifier, as in a server
 *       that sees the same platforms again);
 *   <li>{@code cachedCollateral}: plus TCB evaluation with collateral whose signatures the verifier has checked
 *       before (the target: ≤ 2 ms);
 *   <li>{@code coldVerifier}: a fresh verifier each time: every certificate, CRL and collateral signature checked;
 *   <li>{@code ecdsaBaseline}: one JDK ECDSA P-256 verification of the quote signature, the unit the others are
 *       made of (useful to normalise figures measured on a busy machine).
 * </ul>
 */
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
public class QuoteVerifyBenchmark {
    @Param({"intel-sgx", "intel-tdx", "simulated"})
    public String source;

    byte[] quote;
    Collateral collateral;
    VerificationPolicy policy;
    final QuoteVerifier verifier = new QuoteVerifier();
    java.security.PublicKey attestationKey;
    byte[] signed;
    byte[] isvSignature;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Path shared = Path.of(System.getProperty("sesemi.shared", "../shared"), "testdata", "attestation");
        String dir = source.equals("intel-tdx") ? "tdx-v4-prod" : "sgx-v3-prod";
        if (!source.equals("simulated") && Files.isDirectory(shared.resolve(dir))) {
            quote = Files.readAllBytes(shared.resolve(dir).resolve("quote.bin"));
            collateral = Collateral.parseJson(Files.readAllBytes(shared.resolve(dir).resolve("collateral.json")));
            policy = VerificationPolicy.builder()
                    .clock(Clock.fixed(Instant.parse("2025-07-01T00:00:00Z"), ZoneOffset.UTC)).build();
        } else {
            SimulatedTee tee = SimulatedTee.open(Files.createTempDirectory("bench-tee"), "bench");
            quote = tee.quote(new byte[64]);
            collateral = tee.collateral(Instant.now().minusSeconds(60), Duration.ofDays(1));
            policy = VerificationPolicy.simulated(tee);
            System.err.println("QuoteVerifyBenchmark: using a SIMULATED quote for source=" + source);
        }
        Quote q = Quote.parse(quote);
        attestationKey = org.sesemi.attestation.dcap.Ecdsa.publicKey(q.attestationKey());
        signed = q.signedBytes();
        isvSignature = q.isvSignature();
        VerifiedQuote v = verifier.verify(quote, Optional.of(collateral), policy);
        System.err.println("QuoteVerifyBenchmark " + source + ": " + v);
    }

    @Benchmark
    public boolean ecdsaBaseline() {
        return org.sesemi.attestation.dcap.Ecdsa.verify(attestationKey, signed, isvSignature);
    }

    @Benchmark
    public Object parseOnly() {
        return Quote.parse(quote);
    }

    @Benchmark
    public VerifiedQuote noCollateral() {
        return verifier.verify(quote, Optional.empty(), policy);
    }

    @Benchmark
    public VerifiedQuote cachedCollateral() {
        return verifier.verify(quote, Optional.of(collateral), policy);
    }

    @Benchmark
    public VerifiedQuote coldVerifier() {
        return new QuoteVerifier().verify(quote, Optional.of(collateral), policy);
    }
}
