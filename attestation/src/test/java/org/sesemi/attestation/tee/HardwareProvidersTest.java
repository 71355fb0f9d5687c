package org.sesemi.attestation.tee;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.attestation.AttestationException;
import org.sesemi.attestation.AttestationException.Reason;
import org.sesemi.attestation.QuoteVerifier;
import org.sesemi.attestation.AttestationVectors;
import org.sesemi.attestation.TeeConfig;
import org.sesemi.attestation.TeeProvider;
import org.sesemi.attestation.TeeProviders;
import org.sesemi.attestation.VerificationPolicy;
import org.sesemi.attestation.dcap.Quote;
import org.sesemi.crypto.SealingKey;

/**
 * The Gramine-SGX and TDX providers against prepared folders shaped like {@code /dev/attestation} and configfs-tsm,
 * holding real quotes: the provider must write the report data where the device expects it and hand back a quote
 * that verifies, refusing quotes over other report data.
 */
class HardwareProvidersTest {
    @TempDir
    Path dir;

    private static Reason reason(Runnable r) {
        try {
            r.run();
        } catch (AttestationException e) {
            return e.reason();
        }
        throw new AssertionError("expected failure");
    }

    private Path gramine(byte[] quote, String type) throws Exception {
        Path att = dir.resolve("attestation");
        Files.createDirectories(att.resolve("keys"));
        Files.writeString(att.resolve("attestation_type"), type + "\n");
        Files.write(att.resolve("user_report_data"), new byte[64]);
        Files.write(att.resolve("quote"), quote);
        Files.write(att.resolve("keys").resolve("_sgx_mrenclave"), "0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
        return att;
    }

    @Test
    void gramineWritesReportDataAndReturnsAVerifiableQuote() throws Exception {
        byte[] real = AttestationVectors.read("sgx-v3-prod/quote.bin");
        Path att = gramine(real, "dcap");
        TeeProvider p = TeeProviders.create(TeeConfig.of("gramine-sgx", "runtime").withGramineAttestationDir(att));
        assertThat(p.name()).isEqualTo("gramine-sgx");
        assertThat(p.isSimulated()).isFalse();
        byte[] rd = Quote.parse(real).body().reportData();
        byte[] q = p.quote(rd);
        assertThat(Files.readAllBytes(att.resolve("user_report_data"))).isEqualTo(rd);
        new QuoteVerifier().verify(q, Optional.empty(),
                VerificationPolicy.builder().clock(AttestationVectors.at("2025-07-01T00:00:00Z")).build());
        byte[] other = rd.clone();
        other[0] ^= 1;
        assertThat(reason(() -> p.quote(other))).isEqualTo(Reason.BINDING_MISMATCH);
        assertThat(reason(() -> p.quote(new byte[63]))).isEqualTo(Reason.MALFORMED);
    }

    @Test
    void gramineSealingKeyIsBoundToTheMrenclaveKey() throws Exception {
        Path att = gramine(AttestationVectors.read("sgx-v3-prod/quote.bin"), "dcap");
        SealingKey k = new GramineSgxProvider(att).sealingKey();
        byte[] sealed = k.seal("state".getBytes(StandardCharsets.UTF_8), "row".getBytes(StandardCharsets.UTF_8));
        assertThat(new GramineSgxProvider(att).sealingKey().unseal(sealed, "row".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("state".getBytes(StandardCharsets.UTF_8));
        Files.write(att.resolve("keys").resolve("_sgx_mrenclave"), "fedcba9876543210".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> new GramineSgxProvider(att).sealingKey().unseal(sealed, "row".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(org.sesemi.crypto.CryptoException.class);
    }

    @Test
    void gramineRequiresDcapAndTheDevice() throws Exception {
        Path att = gramine(AttestationVectors.read("sgx-v3-prod/quote.bin"), "none");
        assertThat(reason(() -> new GramineSgxProvider(att))).isEqualTo(Reason.TEE_UNAVAILABLE);
        assertThat(reason(() -> new GramineSgxProvider(dir.resolve("missing")))).isEqualTo(Reason.TEE_UNAVAILABLE);
        Path broken = gramine(new byte[] {1, 2, 3}, "dcap");
        assertThat(reason(() -> new GramineSgxProvider(broken).quote(new byte[64]))).isEqualTo(Reason.MALFORMED);
    }

    private Path tsm(String entry, byte[] outblob, Optional<String> generation) throws Exception {
        Path tsm = dir.resolve("tsm");
        Path e = tsm.resolve(entry);
        Files.createDirectories(e);
        Files.writeString(e.resolve("provider"), "tdx_guest\n");
        Files.write(e.resolve("outblob"), outblob);
        if (generation.isPresent()) {
            Files.writeString(e.resolve("generation"), generation.get() + "\n");
        }
        return tsm;
    }

    @Test
    void tdxWritesInblobAndReturnsTheQuoteWithoutPadding() throws Exception {
        byte[] real = AttestationVectors.read("tdx-v4-prod/quote.bin");
        Path tsm = tsm("report0", real, Optional.empty());
        TeeProvider p = TeeProviders.create(TeeConfig.of("tdx", "runtime").withTsmReportDir(tsm)
                .withEnclaveConfig(Map.of("tdx.entry", "report0")));
        byte[] rd = Quote.parse(real).body().reportData();
        byte[] q = p.quote(rd);
        assertThat(Files.readAllBytes(tsm.resolve("report0").resolve("inblob"))).isEqualTo(rd);
        assertThat(q.length).isEqualTo(Quote.parse(real).length()).isLessThan(real.length);
        assertThat(Arrays.copyOf(real, q.length)).isEqualTo(q);
        new QuoteVerifier().verify(q, Optional.empty(),
                VerificationPolicy.builder().clock(AttestationVectors.at("2025-07-01T00:00:00Z")).build());
        byte[] other = rd.clone();
        other[5] ^= 1;
        assertThat(reason(() -> p.quote(other))).isEqualTo(Reason.BINDING_MISMATCH);
    }

    @Test
    void tdxDetectsARacingWriterThroughGeneration() throws Exception {
        byte[] real = AttestationVectors.read("tdx-v4-prod/quote.bin");
        Path tsm = tsm("report0", real, Optional.of("7"));
        TeeProvider p = new TdxProvider(tsm, Map.of("tdx.entry", "report0"));
        // A static generation means our write was not the one that produced outblob.
        assertThat(reason(() -> p.quote(Quote.parse(real).body().reportData()))).isEqualTo(Reason.TEE_UNAVAILABLE);
    }

    @Test
    void tdxFreshEntryWithoutKernelFailsCleanlyAndCleansUp() throws Exception {
        Path tsm = Files.createDirectories(dir.resolve("plain"));
        TeeProvider p = new TdxProvider(tsm, Map.of());
        assertThat(reason(() -> p.quote(new byte[64]))).isEqualTo(Reason.TEE_UNAVAILABLE);
        try (var s = Files.list(tsm)) {
            assertThat(s).isEmpty();
        }
        assertThat(reason(() -> new TdxProvider(dir.resolve("nope"), Map.of()))).isEqualTo(Reason.TEE_UNAVAILABLE);
        assertThat(reason(() -> p.sealingKey())).isEqualTo(Reason.UNSUPPORTED);
        assertThat(reason(() -> new TdxProvider(tsm, Map.of("tdx.entry", "../escape")).quote(new byte[64])))
                .isEqualTo(Reason.UNSUPPORTED);
    }

    @Test
    void tdxSealingKeyFromConfiguredFile() throws Exception {
        Path key = dir.resolve("seal.key");
        Files.write(key, new byte[32]);
        Path tsm = Files.createDirectories(dir.resolve("t"));
        SealingKey k = new TdxProvider(tsm, Map.of("tdx.sealingKeyFile", key.toString())).sealingKey();
        byte[] s = k.seal(new byte[] {1}, new byte[0]);
        assertThat(k.unseal(s, new byte[0])).containsExactly(1);
        Files.write(key, new byte[31]);
        assertThat(reason(() -> new TdxProvider(tsm, Map.of("tdx.sealingKeyFile", key.toString())).sealingKey()))
                .isEqualTo(Reason.TEE_UNAVAILABLE);
    }

    @Test
    void unknownKind() {
        assertThat(reason(() -> TeeProviders.create(TeeConfig.of("sev-snp", "runtime")))).isEqualTo(Reason.UNSUPPORTED);
    }
}
