package org.sesemi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sesemi attestation ...} and {@code sesemi measure} through the real assembled command. */
class AttestationCliIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path dir;

    /** The real vectors vendored in the attestation module's test resources (always in the checkout). */
    private static Path vectors() {
        Path d = Path.of(System.getProperty("sesemi.attestation.vectors",
                "../attestation/src/test/resources/org/sesemi/attestation/vectors"));
        assertThat(d.resolve("sgx-v3-prod/quote.bin")).as("vendored attestation vectors").isRegularFile();
        return d;
    }

    private static JsonNode json(SesemiProcess.Result r) throws Exception {
        assertThat(r.stdout().lines().count()).as(r.stdout() + r.stderr()).isEqualTo(1);
        return JSON.readTree(r.stdout());
    }

    @Test
    void everyRealVectorGetsItsVerdict() throws Exception {
        Path v = vectors();
        var sgx = SesemiProcess.run("attestation", "verify", "--quote", v.resolve("sgx-v3-prod/quote.bin").toString(),
                "--collateral", v.resolve("sgx-v3-prod/collateral.json").toString(), "--at", "2025-07-01T00:00:00Z");
        assertThat(sgx.exitCode()).as(sgx.stderr()).isZero();
        JsonNode s = json(sgx);
        assertThat(s.get("verified").asBoolean()).isTrue();
        assertThat(s.get("tee").asText()).isEqualTo("sgx");
        assertThat(s.get("quoteVersion").asInt()).isEqualTo(3);
        assertThat(s.get("debug").asBoolean()).isFalse();
        assertThat(s.get("tcbStatus").asText()).isEqualTo("ConfigurationAndSWHardeningNeeded");
        assertThat(s.get("advisoryIds").toString()).contains("INTEL-SA-00289", "INTEL-SA-00615");
        assertThat(s.get("reportData").asText()).startsWith(HexFormat.of().formatHex("Hello, world!".getBytes()));
        assertThat(s.get("measurement").get("mrEnclave").asText()).isEqualTo("33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb");
        assertThat(s.get("measurement").get("mrSigner").asText()).isEqualTo("815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6");
        assertThat(s.get("measurement").get("isvProdId").asInt()).isZero();
        assertThat(s.get("measurement").get("isvSvn").asInt()).isZero();
        assertThat(s.has("reason")).isFalse();

        var tdx = SesemiProcess.run("attestation", "verify", "--quote", v.resolve("tdx-v4-prod/quote.bin").toString(),
                "--collateral", v.resolve("tdx-v4-prod/collateral.json").toString(), "--at", "2025-07-01T00:00:00Z");
        assertThat(tdx.exitCode()).isZero();
        JsonNode t = json(tdx);
        assertThat(t.get("tcbStatus").asText()).isEqualTo("UpToDate");
        assertThat(t.get("advisoryIds")).isEmpty();
        assertThat(t.get("measurement").get("mrTd").asText()).startsWith("91eb2b44d141d4ec");
        assertThat(t.get("measurement").get("tdAttributes").asText()).isEqualTo("0000001000000000");
        assertThat(t.get("reportData").asText()).startsWith("9a9d48e7f6799642d3d1b34e1e5e1742d4bb02dd");

        var v5 = SesemiProcess.run("attestation", "verify", "--quote", v.resolve("tdx-v5/quote.bin").toString(),
                "--collateral", v.resolve("tdx-v5/collateral.json").toString(), "--at", "2026-03-01T00:00:00Z");
        assertThat(v5.exitCode()).isEqualTo(1);
        assertThat(json(v5).get("reason").asText()).isEqualTo("tcb_no_match");
        assertThat(json(v5).get("quoteVersion").asInt()).isEqualTo(5);

        var v5sig = SesemiProcess.run("attestation", "verify", "--quote", v.resolve("tdx-v5/quote.bin").toString(),
                "--at", "2026-03-01T00:00:00Z");
        assertThat(v5sig.exitCode()).isZero();
        assertThat(json(v5sig).get("tcbStatus").isNull()).isTrue();

        var trailing = SesemiProcess.run("attestation", "verify", "--quote", v.resolve("tdx-v4-trailing/quote.bin").toString(),
                "--at", "2025-07-01T00:00:00Z");
        assertThat(trailing.exitCode()).isZero();
        assertThat(json(trailing).get("tcbStatus").isNull()).isTrue();
    }

    @Test
    void hexInputPolicyOptionsAndRejections() throws Exception {
        Path v = vectors();
        byte[] quote = Files.readAllBytes(v.resolve("sgx-v3-prod/quote.bin"));
        Path hex = dir.resolve("quote.hex");
        Files.writeString(hex, HexFormat.of().formatHex(quote) + "\n");
        var ok = SesemiProcess.run("attestation", "verify", "--quote", hex.toString(), "--at", "2025-07-01T00:00:00Z");
        assertThat(ok.exitCode()).isZero();
        assertThat(json(ok).get("tcbStatus").isNull()).isTrue();

        var strict = SesemiProcess.run("attestation", "verify", "--quote", hex.toString(), "--collateral",
                v.resolve("sgx-v3-prod/collateral.json").toString(), "--at", "2025-07-01T00:00:00Z", "--accept-tcb", "UpToDate,SWHardeningNeeded");
        assertThat(strict.exitCode()).isEqualTo(1);
        assertThat(json(strict).get("reason").asText()).isEqualTo("tcb_rejected");
        // The rejection still says what the TCB evaluation found.
        assertThat(json(strict).get("tcbStatus").asText()).isEqualTo("ConfigurationAndSWHardeningNeeded");
        assertThat(json(strict).get("advisoryIds").toString()).contains("INTEL-SA-00289", "INTEL-SA-00615");

        var expired = SesemiProcess.run("attestation", "verify", "--quote", hex.toString(), "--collateral",
                v.resolve("sgx-v3-prod/collateral.json").toString(), "--at", "2025-09-01T00:00:00Z");
        assertThat(expired.exitCode()).isEqualTo(1);
        assertThat(json(expired).get("reason").asText()).isEqualTo("collateral_expired");

        quote[120] ^= 1;
        Path tampered = dir.resolve("tampered.bin");
        Files.write(tampered, quote);
        var bad = SesemiProcess.run("attestation", "verify", "--quote", tampered.toString(), "--at", "2025-07-01T00:00:00Z");
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(json(bad).get("reason").asText()).isEqualTo("signature_invalid");
        assertThat(json(bad).get("verified").asBoolean()).isFalse();

        var wrongRoot = SesemiProcess.run("attestation", "verify", "--quote", v.resolve("sgx-v3-prod/quote.bin").toString(),
                "--at", "2025-07-01T00:00:00Z", "--trust-root", v.resolve("ra-tls/rats-tls-cert.pem").toString());
        assertThat(wrongRoot.exitCode()).isEqualTo(1);
        assertThat(json(wrongRoot).get("reason").asText()).isEqualTo("untrusted_root");

        var explicitIntel = SesemiProcess.run("attestation", "verify", "--quote", v.resolve("sgx-v3-prod/quote.bin").toString(),
                "--at", "2025-07-01T00:00:00Z", "--trust-root", v.resolve("intel-sgx-root-ca.der").toString());
        assertThat(explicitIntel.exitCode()).isZero();

        Path garbage = dir.resolve("garbage.bin");
        Files.write(garbage, new byte[] {3, 0, 2, 0, 1, 2, 3});
        var unusable = SesemiProcess.run("attestation", "verify", "--quote", garbage.toString());
        assertThat(unusable.exitCode()).isEqualTo(2);
        assertThat(json(unusable).get("reason").asText()).isEqualTo("malformed");
        assertThat(SesemiProcess.run("attestation", "verify", "--quote", dir.resolve("missing").toString()).exitCode()).isEqualTo(2);
        assertThat(SesemiProcess.run("attestation", "verify", "--quote", hex.toString(), "--at", "yesterday").exitCode()).isEqualTo(2);
        assertThat(SesemiProcess.run("attestation", "verify").exitCode()).isEqualTo(2);
    }

    @Test
    void simulatedQuoteVerifiesOnlyWithItsRootAndSaysSo() throws Exception {
        Path quote = dir.resolve("sim.quote");
        Path root = dir.resolve("sim-root.pem");
        var sim = SesemiProcess.run("attestation", "simulate", "--report-data", "00112233", "--out", quote.toString(),
                "--root-out", root.toString(), "--simulated-dir", dir.resolve("tee").toString());
        assertThat(sim.exitCode()).as(sim.stderr()).isZero();
        assertThat(sim.stderr()).contains("SIMULATED");
        assertThat(json(sim).get("simulated").asBoolean()).isTrue();

        var ok = SesemiProcess.run("attestation", "verify", "--quote", quote.toString(), "--trust-root", root.toString());
        assertThat(ok.exitCode()).as(ok.stdout() + ok.stderr()).isZero();
        JsonNode j = json(ok);
        assertThat(j.get("simulated").asBoolean()).isTrue();
        assertThat(j.get("warning").asText()).contains("no hardware protection");
        assertThat(j.get("reportData").asText()).startsWith("0011223300");
        assertThat(ok.stderr()).contains("SIMULATED");

        var untrusted = SesemiProcess.run("attestation", "verify", "--quote", quote.toString());
        assertThat(untrusted.exitCode()).isEqualTo(1);
        assertThat(json(untrusted).get("reason").asText()).isEqualTo("untrusted_root");
    }

    @Test
    void inspectRealRaTlsCertificates() throws Exception {
        Path v = vectors();
        String[][] certs = {
            {"gramine-cert.pem", "2024-01-01T00:00:00Z"},
            {"intel-sgxsdk-cert.pem", "2024-06-01T00:00:00Z"},
            {"rats-tls-cert.pem", "2023-06-01T00:00:00Z"},
        };
        for (String[] c : certs) {
            var strict = SesemiProcess.run("attestation", "inspect-cert", "--cert", v.resolve("ra-tls").resolve(c[0]).toString(), "--at", c[1]);
            assertThat(strict.exitCode()).as(c[0] + strict.stderr()).isEqualTo(1);
            JsonNode j = json(strict);
            assertThat(j.get("binding").asBoolean()).isTrue();
            assertThat(j.get("reason").asText()).isEqualTo("debug_rejected");
            assertThat(j.get("debug").asBoolean()).isTrue();
            var lenient = SesemiProcess.run("attestation", "inspect-cert", "--cert", v.resolve("ra-tls").resolve(c[0]).toString(),
                    "--at", c[1], "--allow-debug");
            assertThat(lenient.exitCode()).as(c[0]).isZero();
            assertThat(json(lenient).get("verified").asBoolean()).isTrue();
        }
        assertThat(SesemiProcess.run("attestation", "inspect-cert", "--cert", v.resolve("sgx-v3-prod/quote.bin").toString()).exitCode())
                .isEqualTo(2);
    }

    @Test
    void measurePrintsRuntimeAndKeyServiceMeasurements() throws Exception {
        var r = SesemiProcess.run("measure");
        assertThat(r.exitCode()).isZero();
        JsonNode j = json(r);
        assertThat(j.get("simulated").asBoolean()).isTrue();
        assertThat(j.get("measurements").get("runtime").asText()).matches("sgx:[0-9a-f]{64}");
        assertThat(j.get("measurements").get("keyservice").asText()).matches("sgx:[0-9a-f]{64}")
                .isNotEqualTo(j.get("measurements").get("runtime").asText());
        // Deterministic for the same build and configuration, different for another configuration.
        assertThat(json(SesemiProcess.run("measure")).get("measurements")).isEqualTo(j.get("measurements"));
        assertThat(json(SesemiProcess.run("measure", "--role", "runtime", "--config", "slots=2")).get("measurements").get("runtime"))
                .isNotEqualTo(j.get("measurements").get("runtime"));
        // The signer identity a signer-rule grant names, from the enclave configuration.
        JsonNode signed = json(SesemiProcess.run("measure", "--role", "runtime", "--config", "sgx.mrsigner=" + "5e".repeat(32),
                "--config", "sgx.isvprodid=7", "--config", "sgx.isvsvn=3"));
        assertThat(signed.get("signer").get("rule").asText()).isEqualTo("sgx-signer:" + "5e".repeat(32) + ":7:3");
        assertThat(j.get("signer").get("isvSvn").asInt()).isZero();
        var bad = SesemiProcess.run("measure", "--config", "sgx.isvsvn=70000");
        assertThat(bad.exitCode()).isNotZero();
        assertThat(bad.stderr()).contains("sgx.isvsvn");
    }
}
