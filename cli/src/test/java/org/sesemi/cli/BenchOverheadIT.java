package org.sesemi.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sesemi bench overhead|concurrency} as a user runs them; timing is recorded, never asserted. */
class BenchOverheadIT {
    @TempDir Path dir;

    @Test
    void overheadOnAModelWithSeveralIntegerInputsWritesTheDocumentedFields() throws Exception {
        Path model = dir.resolve("bert-mini.onnx");
        assertThat(SesemiProcess.run("models", "generate", "bert-mini", "--out", model.toString()).exitCode()).isZero();
        var r = SesemiProcess.run("bench", "overhead", "--model", model.toString(), "--requests", "6", "--warmup", "1", "--concurrency", "2",
                "--out", dir.resolve("out").toString());
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        JsonNode n = new ObjectMapper().readTree(dir.resolve("out/overhead.json").toFile());
        for (String f : new String[] {"plain_p50_ms", "plain_p99_ms", "secure_p50_ms", "secure_p99_ms", "ratio_p50", "ratio_p99"}) {
            assertThat(n.get(f).asDouble()).as(f).isPositive();
        }
        assertThat(n.get("model").asText()).isEqualTo("bert-mini.onnx");
        assertThat(n.get("requests").asInt()).isEqualTo(6);
        assertThat(n.get("concurrency").asInt()).isEqualTo(2);
        assertThat(n.get("inputs").toString()).contains("INT64");
    }

    @Test
    void concurrencyOnTheSharedClassifier() throws Exception {
        Path cls = Path.of(System.getProperty("sesemi.shared", "../../shared"), "models/ppocr/ppocr-cls-mobile-v2.onnx");
        assumeTrue(Files.isRegularFile(cls), "pretrained PP-OCR weights (5 MB, kept out of the repository; see docs/models.md) are only in the optional ../shared/models folder: " + cls + " is absent");
        var r = SesemiProcess.run("bench", "concurrency", "--model", cls.toString(), "--shape", "x=1,3,48,192", "--streams", "1,2",
                "--requests-per-stream", "5",
                "--crypto-warmup-mib", "64", "--out", dir.toString()); // a functional check: the full 2 GiB warm-up took 300 s at load 30
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        JsonNode n = new ObjectMapper().readTree(dir.resolve("concurrency.json").toFile());
        assertThat(n.get("results")).hasSize(2);
        assertThat(n.get("results").get(1).get("shared_session_rps").asDouble()).isPositive();
    }

    @Test
    void badArgumentsAreOneLineErrors() {
        var missing = SesemiProcess.run("bench", "overhead", "--model", dir.resolve("nope.onnx").toString(), "--out", dir.toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.stderr()).contains("no such file");
        Path model = dir.resolve("bert-mini.onnx");
        assertThat(SesemiProcess.run("models", "generate", "bert-mini", "--out", model.toString()).exitCode()).isZero();
        var fixed = SesemiProcess.run("bench", "overhead", "--model", model.toString(), "--shape", "input_ids=1,16", "--out", dir.toString());
        assertThat(fixed.exitCode()).isEqualTo(1);
        assertThat(fixed.stderr()).contains("does not match the model's fixed dimensions");
        var shape = SesemiProcess.run("bench", "overhead", "--model", dir.resolve("nope.onnx").toString(), "--shape", "x=a,b", "--out", dir.toString());
        assertThat(shape.exitCode()).isEqualTo(1);
    }
}
