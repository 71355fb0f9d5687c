package org.sesemi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole-system benchmarks run by the real command at a tiny size, and their reports hold what the docs quote:
 * {@code bench platform} (cold-start breakdown, warm through the platform vs straight, naive) and {@code bench packer}
 * (a policy measured on the real system next to the simulator), each with its charts.
 */
class BenchSystemIT {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path dir;

    @Test
    void platformBenchmarkReportsColdStartPhasesAndWarmPaths() throws Exception {
        var r = SesemiProcess.run("bench", "platform", "--cold-starts", "1", "--requests", "5", "--warmup", "5", "--naive-requests", "2",
                "--out", dir.toString());
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        JsonNode n = JSON.readTree(dir.resolve("platform.json").toFile());
        JsonNode cold = n.path("cold_start_median_ms");
        for (String f : new String[] {"wait_ms", "init_ms", "key_fetch_ms", "session_ms", "inference_ms", "round_trip_ms"}) {
            assertThat(cold.path(f).asDouble()).as(f).isPositive();
        }
        assertThat(cold.path("round_trip_ms").asDouble()).isGreaterThan(cold.path("init_ms").asDouble());
        assertThat(n.path("warm_platform_p50_ms").asDouble()).isPositive();
        assertThat(n.path("warm_direct_p50_ms").asDouble()).isPositive();
        assertThat(n.path("naive_platform_p50_ms").asDouble()).isGreaterThan(n.path("warm_direct_p50_ms").asDouble());
        assertThat(r.stdout()).contains("cold start (median of 1)", "wrote");
        assertThat(r.stderr()).contains("cold start 1/1", "warm: 5 measured requests per path", "naive: a cold start, then 2 requests");
        BenchChartsTest.assertPng(dir.resolve("platform-cold-start.png"), BenchCharts.W, BenchCharts.H);
        BenchChartsTest.assertPng(dir.resolve("platform-warm-cdf.png"), BenchCharts.W, BenchCharts.H);
    }

    @Test
    void packerBenchmarkMeasuresAPolicyNextToTheSimulator() throws Exception {
        var r = SesemiProcess.run("bench", "packer", "--models", "2", "--rate", "2", "--seconds", "3", "--policies", "affinity", "--out",
                dir.toString());
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        JsonNode row = JSON.readTree(dir.resolve("packer.json").toFile()).path("results").get(0);
        assertThat(row.path("policy").asText()).isEqualTo("affinity");
        JsonNode measured = row.path("measured"), simulated = row.path("simulated");
        long requests = measured.path("completed").asLong() + measured.path("rejected").asLong();
        assertThat(requests).isPositive().isEqualTo(simulated.path("completed").asLong() + simulated.path("rejected").asLong());
        assertThat(measured.path("rejected").asLong()).isZero();
        assertThat(measured.path("cold_starts").asLong()).isBetween(1L, 2L);
        assertThat(measured.path("model_loads").asLong()).isGreaterThanOrEqualTo(2); // each model loaded at least once
        BenchChartsTest.assertPng(dir.resolve("packer.png"), 2 * BenchCharts.W, 2 * BenchCharts.H);
        var bad = SesemiProcess.run("bench", "packer", "--policies", "fastest", "--out", dir.toString());
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.stderr()).contains("unknown policy fastest");
    }
}
