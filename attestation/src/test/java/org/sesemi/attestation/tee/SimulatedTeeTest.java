package org.sesemi.attestation.tee;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.attestation.AttestationException;
import org.sesemi.attestation.AttestationException.Reason;
import org.sesemi.attestation.Collateral;
import org.sesemi.attestation.QuoteVerifier;
import org.sesemi.attestation.TeeType;
import org.sesemi.attestation.VerificationPolicy;
import org.sesemi.attestation.VerifiedQuote;

class SimulatedTeeTest {
    @TempDir
    Path dir;
    private final QuoteVerifier verifier = new QuoteVerifier();

    @Test
    void quotesVerifyOnlyUnderItsExplicitlyTrustedRoot() {
        SimulatedTee tee = SimulatedTee.open(dir, "runtime");
        byte[] rd = new byte[64];
        rd[0] = 42;
        byte[] quote = tee.quote(rd);
        VerifiedQuote v = verifier.verify(quote, Optional.empty(), VerificationPolicy.simulated(tee));
        assertThat(v.simulated()).isTrue();
        assertThat(v.tee()).isEqualTo(TeeType.SGX);
        assertThat(v.quoteVersion()).isEqualTo(3);
        assertThat(v.debug()).isFalse();
        assertThat(v.measurement()).isEqualTo(tee.measurement());
        assertThat(v.reportData()).isEqualTo(rd);
        assertThat(reasonOf(() -> verifier.verify(quote, Optional.empty(), VerificationPolicy.defaults())))
                .isEqualTo(Reason.UNTRUSTED_ROOT);
    }

    @Test
    void simulatedCollateralEvaluatesUpToDate() {
        SimulatedTee tee = SimulatedTee.open(dir, "keyservice");
        Collateral c = tee.collateral(Instant.now().minusSeconds(60), Duration.ofDays(30));
        VerifiedQuote v = verifier.verify(tee.quote(new byte[64]), Optional.of(c),
                VerificationPolicy.builder().trustSimulated(tee).collateralRequired(true).build());
        assertThat(v.tcbStatus()).contains("UpToDate");
        assertThat(Collateral.parseJson(c.toJson()).fingerprint()).isEqualTo(c.fingerprint());
    }

    @Test
    void stateIsCreatedOnceOwnerOnlyAndSharedByConcurrentOpens() throws Exception {
        var pool = Executors.newFixedThreadPool(4);
        try {
            Callable<SimulatedTee> open = () -> SimulatedTee.open(dir, "runtime");
            var a = pool.submit(open);
            var b = pool.submit(open);
            assertThat(a.get().rootPublicKey()).isEqualTo(b.get().rootPublicKey());
        } finally {
            pool.shutdown();
        }
        assertThat(Files.getPosixFilePermissions(dir.resolve("simulated-tee.json")))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    }

    @Test
    void measurementDependsOnRoleAndConfigAndSealingKeyOnMeasurement() {
        SimulatedTee runtime = SimulatedTee.open(dir, "runtime");
        SimulatedTee ks = SimulatedTee.open(dir, "keyservice");
        SimulatedTee runtime2 = SimulatedTee.open(dir, "runtime", Map.of("slots", "2"));
        assertThat(runtime.measurement()).isNotEqualTo(ks.measurement()).isNotEqualTo(runtime2.measurement());
        assertThat(runtime.measurement()).isEqualTo(SimulatedTee.measurementFor("runtime", Map.of()));
        byte[] aad = "k".getBytes(StandardCharsets.UTF_8);
        byte[] sealed = runtime.sealingKey().seal(new byte[] {7}, aad);
        assertThat(SimulatedTee.open(dir, "runtime").sealingKey().unseal(sealed, aad)).containsExactly(7);
        assertThatThrownBy(() -> ks.sealingKey().unseal(sealed, aad)).isInstanceOf(org.sesemi.crypto.CryptoException.class);
    }

    @Test
    void codeDigestCoversFileContentsNotPaths(@TempDir Path a, @TempDir Path b) throws Exception {
        Files.writeString(a.resolve("x.class"), "one");
        Files.writeString(b.resolve("x.class"), "one");
        String sep = java.io.File.pathSeparator;
        assertThat(ClassPathDigest.computeWithoutManifest(a.toString())).isEqualTo(ClassPathDigest.computeWithoutManifest(b.toString()));
        Files.writeString(b.resolve("x.class"), "two");
        assertThat(ClassPathDigest.computeWithoutManifest(a.toString())).isNotEqualTo(ClassPathDigest.computeWithoutManifest(b.toString()));
        assertThat(ClassPathDigest.computeWithoutManifest(a + sep + b)).isNotEqualTo(ClassPathDigest.computeWithoutManifest(b + sep + a));
    }

    @Test
    void reportDataMustBe64Bytes() {
        SimulatedTee tee = SimulatedTee.open(dir, "runtime");
        assertThat(reasonOf(() -> tee.quote(new byte[32]))).isEqualTo(Reason.MALFORMED);
        assertThat(tee.toString()).contains("SIMULATED");
    }

    @Test
    void corruptStateIsReportedNotSilentlyReplaced() throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("simulated-tee.json"), "{\"format\":\"x\"}");
        assertThat(reasonOf(() -> SimulatedTee.open(dir, "runtime"))).isEqualTo(Reason.TEE_UNAVAILABLE);
    }

    private static Reason reasonOf(Runnable r) {
        try {
            r.run();
        } catch (AttestationException e) {
            return e.reason();
        }
        throw new AssertionError("no AttestationException");
    }
}
