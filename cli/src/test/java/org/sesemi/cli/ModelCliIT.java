package org.sesemi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Owners' encryption verbs, driven through the real command. */
class ModelCliIT {
    @TempDir Path dir;

    @Test
    void helpAndVersion() {
        var r = SesemiProcess.run("--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).contains("identity", "model", "demo");
        assertThat(SesemiProcess.run("--version").stdout()).startsWith("sesemi ");
        assertThat(SesemiProcess.run("model", "encrypt", "--help").stdout()).contains("--model-id", "--key-out");
        var bad = SesemiProcess.run("model", "encrypt", "--bogus");
        assertThat(bad.exitCode()).isEqualTo(2);
    }

    @Test
    void identityEncryptDecryptRoundTripsByteForByte() throws Exception {
        var created = SesemiProcess.run("identity", "create", "--out", dir.resolve("owner.pem").toString());
        assertThat(created.exitCode()).isZero();
        String owner = created.stdout().trim();
        assertThat(owner).matches("[0-9a-f]{64}");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("owner.pem")))).isEqualTo("rw-------");
        assertThat(SesemiProcess.run("identity", "show", "--identity", dir.resolve("owner.pem").toString()).stdout().trim()).isEqualTo(owner);

        Path model = realOrGeneratedModel();
        String id = owner + "/net";
        var enc = SesemiProcess.run("model", "encrypt", "--in", model.toString(), "--model-id", id,
                "--key-out", dir.resolve("net.key").toString(), "--out", dir.resolve("net.sesemi").toString());
        assertThat(enc.exitCode()).as(enc.stderr()).isZero();
        assertThat(enc.stderr()).contains("encrypting"); // progress bar for files > 4 MB
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("net.key")))).isEqualTo("rw-------");

        var dec = SesemiProcess.run("model", "decrypt", "--in", dir.resolve("net.sesemi").toString(), "--model-id", id,
                "--key", dir.resolve("net.key").toString(), "--out", dir.resolve("back.onnx").toString());
        assertThat(dec.exitCode()).as(dec.stderr()).isZero();
        assertThat(Files.mismatch(model, dir.resolve("back.onnx"))).isEqualTo(-1L);

        var inspect = SesemiProcess.run("model", "inspect", "--in", dir.resolve("net.sesemi").toString());
        assertThat(inspect.stdout()).contains("\"modelId\":\"" + id + "\"", "\"keyVersion\":1");
    }

    @Test
    void badInputGivesOneLineAndWritesNothing() throws Exception {
        String owner = SesemiProcess.run("identity", "create", "--out", dir.resolve("o.pem").toString()).stdout().trim();
        Path plain = dir.resolve("m.bin");
        byte[] bytes = new byte[50_000];
        new Random(1).nextBytes(bytes);
        Files.write(plain, bytes);
        String id = owner + "/m";
        assertThat(SesemiProcess.run("model", "encrypt", "--in", plain.toString(), "--model-id", id,
                "--key-out", dir.resolve("m.key").toString(), "--out", dir.resolve("m.sesemi").toString()).exitCode()).isZero();

        // wrong model id
        var wrongId = SesemiProcess.run("model", "decrypt", "--in", dir.resolve("m.sesemi").toString(), "--model-id", owner + "/other",
                "--key", dir.resolve("m.key").toString(), "--out", dir.resolve("x.bin").toString());
        assertThat(wrongId.exitCode()).isEqualTo(1);
        assertThat(wrongId.stderr().strip()).doesNotContain("\n").contains("model_id_mismatch");
        assertThat(dir.resolve("x.bin")).doesNotExist();

        // a flipped bit
        byte[] ct = Files.readAllBytes(dir.resolve("m.sesemi"));
        ct[ct.length - 100] ^= 1;
        Files.write(dir.resolve("t.sesemi"), ct);
        var tampered = SesemiProcess.run("model", "decrypt", "--in", dir.resolve("t.sesemi").toString(), "--model-id", id,
                "--key", dir.resolve("m.key").toString(), "--out", dir.resolve("x.bin").toString());
        assertThat(tampered.exitCode()).isEqualTo(1);
        assertThat(tampered.stderr()).contains("segment_corrupted").doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(dir.resolve("x.bin")).doesNotExist();

        // truncated file, missing file, garbage key, existing key file
        Files.write(dir.resolve("short.sesemi"), java.util.Arrays.copyOf(Files.readAllBytes(dir.resolve("m.sesemi")), 300));
        assertThat(SesemiProcess.run("model", "decrypt", "--in", dir.resolve("short.sesemi").toString(), "--model-id", id,
                "--key", dir.resolve("m.key").toString(), "--out", dir.resolve("x.bin").toString()).stderr()).contains("truncated");
        assertThat(SesemiProcess.run("model", "decrypt", "--in", dir.resolve("nope").toString(), "--model-id", id,
                "--key", dir.resolve("m.key").toString(), "--out", dir.resolve("x.bin").toString()).stderr()).contains("no such file");
        Files.writeString(dir.resolve("garbage.key"), "hello");
        var garbageKey = SesemiProcess.run("model", "decrypt", "--in", dir.resolve("m.sesemi").toString(), "--model-id", id,
                "--key", dir.resolve("garbage.key").toString(), "--out", dir.resolve("x.bin").toString());
        assertThat(garbageKey.exitCode()).isEqualTo(1);
        assertThat(garbageKey.stderr()).contains("not JSON");
        var exists = SesemiProcess.run("model", "encrypt", "--in", plain.toString(), "--model-id", id,
                "--key-out", dir.resolve("m.key").toString(), "--out", dir.resolve("m2.sesemi").toString());
        assertThat(exists.exitCode()).isEqualTo(1);
        assertThat(exists.stderr()).contains("refusing to overwrite");
        assertThat(dir.resolve("m2.sesemi")).doesNotExist();
        var badId = SesemiProcess.run("model", "encrypt", "--in", plain.toString(), "--model-id", "alice/m",
                "--key-out", dir.resolve("k2.key").toString(), "--out", dir.resolve("m3.sesemi").toString());
        assertThat(badId.exitCode()).isEqualTo(1);
        assertThat(badId.stderr()).contains("principal id");
        assertThat(dir.resolve("x.bin")).doesNotExist();
    }

    @Test
    void demoRuns() {
        var r = SesemiProcess.run("demo");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).contains("SIMULATED", "cold", "warm", "is refused", "demo finished");
        // The first-ranked document is one of the two about card misuse: the real model ran on the real inputs.
        String ranking = r.stdout().substring(r.stdout().indexOf("predictions"));
        assertThat(ranking.lines().skip(1).findFirst().orElseThrow()).containsAnyOf("stolen or misused", "did not make");
    }

    @Test
    void demoRunsUnderAStockOpenWhisksLimits() {
        var r = SesemiProcess.run("demo", "--limits", "openwhisk");
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
        assertThat(r.stdout()).contains("limits: a stock OpenWhisk's", "action memory up to 512 MB, concurrency up to 1",
                        "each sesemi/semirt, 512 MB, one request at a time", "is refused", "demo finished")
                .containsPattern("request 10 -> fp-demo-\\d, activation [0-9a-f]{32}, warm container, application error")
                .containsPattern("FnPacker sent to fp-demo-\\d: .*minilm-legal ×2");
        String ranking = r.stdout().substring(r.stdout().indexOf("predictions"));
        assertThat(ranking.lines().skip(1).findFirst().orElseThrow()).containsAnyOf("stolen or misused", "did not make");
    }

    private Path realOrGeneratedModel() throws Exception {
        Path shared = Path.of(System.getProperty("sesemi.shared", "../../shared"), "models/ppocr/ppocr-det-v4.onnx");
        if (Files.isRegularFile(shared)) {
            return shared;
        }
        Path p = dir.resolve("generated.bin");
        byte[] b = new byte[5 << 20];
        new Random(7).nextBytes(b);
        Files.write(p, b);
        return p;
    }
}
