package org.sesemi.packer.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.models.workload.AzureTrace;
import org.sesemi.models.workload.FunctionMapping;
import org.sesemi.models.workload.TraceLimits;
import org.sesemi.models.workload.TraceWorkload;
import org.sesemi.models.workload.ZipfWorkload;
import org.sesemi.packer.policy.AffinityPolicy;
import org.sesemi.packer.policy.DedicatedPolicy;
import org.sesemi.packer.policy.PaperPolicy;

/** The three policies on the same workloads: a Zipf mix of many models and the real Azure Functions trace sample. */
class PackingExperimentTest {
    @TempDir
    Path out;

    @Test
    void onAZipfMixAffinitySwitchesLessWithoutMoreRejectionsAndDedicatedCostsMore() throws IOException {
        List<String> models = IntStream.range(0, 200).mapToObj(i -> "model-" + i).toList();
        ZipfWorkload zipf = new ZipfWorkload(models, 1.0, 10, Duration.ofMinutes(2), 1);
        PackingExperiment.Report report = PackingExperiment.run(zipf, 5, CostModel.defaults(), out);
        System.out.println(Files.readString(out.resolve(PackingExperiment.TEXT_FILE)));

        SimulationResult paper = report.result(PaperPolicy.NAME);
        SimulationResult affinity = report.result(AffinityPolicy.NAME);
        SimulationResult dedicated = report.result(DedicatedPolicy.NAME);
        assertThat(paper.requests()).isEqualTo(affinity.requests()).isEqualTo(dedicated.requests()).isPositive();
        assertThat(affinity.modelSwitches()).isLessThan(paper.modelSwitches());
        assertThat(affinity.rejected()).isLessThanOrEqualTo(paper.rejected());
        assertThat(dedicated.gbSecondsAlive()).isGreaterThan(paper.gbSecondsAlive())
                .isGreaterThan(affinity.gbSecondsAlive());
        assertThat(dedicated.instancesUsed()).isGreaterThan(5);

        JsonNode json = PackingExperiment.mapper().readTree(out.resolve(PackingExperiment.JSON_FILE).toFile());
        assertThat(json.get("poolSize").asInt()).isEqualTo(5);
        assertThat(json.get("cost").get("coldStart").asText()).isEqualTo("PT1.6S");
        assertThat(json.get("results")).hasSize(3);
        assertThat(json.get("results").get(1).get("policy").asText()).isEqualTo(AffinityPolicy.NAME);
        assertThat(json.get("results").get(1).get("modelSwitches").asLong()).isEqualTo(affinity.modelSwitches());
    }

    @Test
    void onTheAzureTraceSampleCompressedAffinitySwitchesLessWithoutMoreRejections() throws IOException {
        // Vendored in models' test resources (provenance and licence in the README.md there); the build passes its path.
        Path dir = Path.of(System.getProperty("sesemi.azure.sample", "../models/src/test/resources/org/sesemi/models/workload/azure2019-1000fn-60min"));
        assertThat(dir.resolve(AzureTrace.INVOCATIONS)).as("the vendored Azure trace sample").isRegularFile();
        AzureTrace trace = AzureTrace.readDirectory(dir, TraceLimits.defaults());
        // Every function its own model (1,000 models), 60 trace minutes replayed in 10 (~140 requests/s) on a pool of
        // 40: busy (paper's switch-heavy service needs ~10 s of instance time per second) but not overloaded.
        TraceWorkload workload = new TraceWorkload(trace, new FunctionMapping.PerFunction("fn-"),
                new TraceWorkload.Config(1, 6.0, TraceWorkload.MinuteArrivals.EXACT_COUNT));
        PackingExperiment.Report report = PackingExperiment.run("azure2019-1000fn-60min, compressed 6x",
                workload::arrivals, 40, CostModel.defaults(), out);
        System.out.println(Files.readString(out.resolve(PackingExperiment.TEXT_FILE)));

        SimulationResult paper = report.result(PaperPolicy.NAME);
        SimulationResult affinity = report.result(AffinityPolicy.NAME);
        SimulationResult dedicated = report.result(DedicatedPolicy.NAME);
        assertThat(paper.requests()).isEqualTo(trace.totalInvocations());
        assertThat(affinity.modelSwitches()).isLessThan(paper.modelSwitches());
        assertThat(affinity.rejected()).isLessThanOrEqualTo(paper.rejected());
        assertThat(dedicated.gbSecondsAlive()).isGreaterThan(affinity.gbSecondsAlive());
    }
}
