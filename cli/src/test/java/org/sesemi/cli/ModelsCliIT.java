package org.sesemi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.models.zoo.ZooModel;
import org.sesemi.models.zoo.ZooOptions;

/** {@code sesemi models ...} through the real assembled command. */
class ModelsCliIT {
    @TempDir Path dir;

    @Test
    void listDescribesEveryModelAndSaysTheWeightsAreUntrained() {
        var r = SesemiProcess.run("models", "list");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        for (ZooModel m : ZooModel.values()) {
            assertThat(r.stdout()).containsPattern("(?m)^" + m.cliName() + " .* untrained ");
        }
        assertThat(r.stdout()).contains("UNTRAINED", "25,557,032", "109,482,240", "input float[1,3,224,224]",
                "minilm", "trained", "classpath");
        assertThat(SesemiProcess.run("--help").stdout()).contains("models", "model ");
    }

    @Test
    void generateWorksForEveryNameAndWritesThePredictedSize() throws Exception {
        for (ZooModel m : ZooModel.values()) {
            Path out = dir.resolve(m.cliName() + ".onnx");
            var r = SesemiProcess.run("models", "generate", m.cliName(), "--out", out.toString());
            assertThat(r.exitCode()).as(m.cliName() + ": " + r.stderr()).isZero();
            assertThat(r.stdout()).contains("UNTRAINED", String.format("%,d parameters", m.referenceParameters()));
            assertThat(Files.size(out)).isEqualTo(m.build(ZooOptions.defaults()).fileSize());
            assertThat(dir.resolve(m.cliName() + ".onnx.partial")).doesNotExist();
            Files.delete(out); // 900 MB in all: keep the disk footprint at one model
        }
    }

    @Test
    void sameSeedSameBytesAndTheFileRunsInOnnxRuntime() throws Exception {
        Path a = dir.resolve("a.onnx");
        Path b = dir.resolve("b.onnx");
        Path c = dir.resolve("c.onnx");
        for (Path p : List.of(a, b)) {
            assertThat(SesemiProcess.run("models", "generate", "bert-mini", "--out", p.toString(), "--seed", "5",
                    "--seq-len", "16", "--batch", "2").exitCode()).isZero();
        }
        assertThat(SesemiProcess.run("models", "generate", "BERT-MINI", "--out", c.toString(), "--seed", "6",
                "--seq-len", "16", "--batch", "2").exitCode()).isZero();
        assertThat(Files.mismatch(a, b)).isEqualTo(-1L);
        assertThat(Files.mismatch(a, c)).isNotEqualTo(-1L);
        try (OrtSession s = OrtEnvironment.getEnvironment().createSession(a.toString(), new OrtSession.SessionOptions())) {
            assertThat(s.getMetadata().getCustomMetadata()).containsEntry("sesemi.trained", "false")
                    .containsEntry("sesemi.zoo.seed", "5");
            assertThat(s.getInputNames()).containsExactlyInAnyOrder("input_ids", "attention_mask", "token_type_ids");
        }
    }

    @Test
    void extractWritesTheRealModel() throws Exception {
        var r = SesemiProcess.run("models", "extract", "minilm", "--dir", dir.toString());
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        Path p = Path.of(r.stdout().strip());
        assertThat(p).isEqualTo(dir.resolve("all-minilm-l6-v2-q.onnx"));
        assertThat(Files.size(p)).isEqualTo(22_972_370L);
        var other = SesemiProcess.run("models", "extract", "resnet-50", "--dir", dir.toString());
        assertThat(other.exitCode()).isEqualTo(1);
        assertThat(other.stderr()).contains("only 'minilm'");
    }

    @Test
    void badArgumentsGiveOneLineErrors() {
        var unknown = SesemiProcess.run("models", "generate", "resnet-52", "--out", dir.resolve("x").toString());
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.stderr().strip()).doesNotContain("\n").contains("unknown model 'resnet-52'", "resnet-50");
        var batch = SesemiProcess.run("models", "generate", "resnet-50", "--batch", "0", "--out", dir.resolve("x").toString());
        assertThat(batch.exitCode()).isEqualTo(1);
        assertThat(batch.stderr()).contains("batch must be in 1..1024");
        assertThat(SesemiProcess.run("models", "generate", "resnet-50").exitCode()).isEqualTo(2);
        var noDir = SesemiProcess.run("models", "generate", "bert-mini", "--out", dir.resolve("no/such/dir/x.onnx").toString());
        assertThat(noDir.exitCode()).isEqualTo(1);
        assertThat(noDir.stderr()).contains("no such file").doesNotContain("\tat ");
        assertThat(dir.resolve("x")).doesNotExist();
        var shape = SesemiProcess.run("models", "bench", "bert-mini", "--shape", "x=1,,2");
        assertThat(shape.exitCode()).isEqualTo(1);
        assertThat(shape.stderr()).contains("--shape wants");
    }

    @Test
    void benchMeasuresGeneratedAndRealModels() {
        var r = SesemiProcess.run("models", "bench", "bert-mini", "minilm", "--runs", "2", "--warmup", "1", "--seq-len", "16");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).contains("| bert-mini (generated) | untrained |", "| minilm (all-MiniLM-L6-v2-q) | trained |",
                "input_ids[1, 16]");
    }

    @Test
    void workloadsAreDeterministicCsv() throws Exception {
        var z1 = SesemiProcess.run("models", "workload", "zipf", "--model-count", "5", "--rate", "200", "--seconds", "2",
                "--seed", "3");
        var z2 = SesemiProcess.run("models", "workload", "zipf", "--model-count", "5", "--rate", "200", "--seconds", "2",
                "--seed", "3");
        assertThat(z1.exitCode()).as(z1.stderr()).isZero();
        assertThat(z1.stdout()).startsWith("at_ns,model,source\n").contains(",model-00000,zipf").isEqualTo(z2.stdout());
        assertThat(z1.stderr()).contains("arrivals for 5 models");

        Path trace = Files.createDirectories(dir.resolve("trace"));
        Files.writeString(trace.resolve("invocation.csv"), "HashFunction,Trigger,1,2\nf1,http,3,1\nf2,timer,0,2\n");
        Path out = dir.resolve("arrivals.csv");
        var t = SesemiProcess.run("models", "workload", "trace", "--trace", trace.toString(), "--compression", "60",
                "--models", "resnet-50,bert-base", "--out", out.toString());
        assertThat(t.exitCode()).as(t.stderr()).isZero();
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).hasSize(1 + 6);
        assertThat(lines.subList(1, 7)).allSatisfy(l -> assertThat(l).matches("\\d+,(resnet-50|bert-base),f[12]"));
        assertThat(Long.parseLong(lines.get(6).split(",")[0])).isLessThan(2_000_000_000L);

        var b = SesemiProcess.run("models", "workload", "bursty", "--models", "a,b", "--on-rate", "20", "--seconds", "30");
        assertThat(b.exitCode()).as(b.stderr()).isZero();
        assertThat(b.stdout()).startsWith("at_ns,model,source\n");

        Files.writeString(trace.resolve("invocation.csv"), "HashFunction,Trigger,1,2\nf1,http,3\n");
        var bad = SesemiProcess.run("models", "workload", "trace", "--trace", trace.toString());
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.stderr().strip()).doesNotContain("\n").contains("invocation.csv:2", "expected 4 columns");
        var badRate = SesemiProcess.run("models", "workload", "zipf", "--model-count", "2", "--rate", "-1", "--seconds", "1");
        assertThat(badRate.exitCode()).isEqualTo(1);
    }
}
