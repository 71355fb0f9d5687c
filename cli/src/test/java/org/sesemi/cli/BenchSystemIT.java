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
        var r = SesemiProcess.run("bench", "platform", "--cold-starts", "2", "--requests", "5", "--warmup", "5", "--naive-requests", "2",
                "--variant-jvm-options=-Dsesemi.runtime.preload=false -XX:MaxRAM={memory}m", "--out", dir.toString());
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
        // Issue 13's side-by-side fields: the secure cold start against the INSECURE plaintext baseline and the bare JVM.
        assertThat(n.path("plain_cold_starts")).hasSize(2);
        assertThat(n.path("cold_starts")).hasSize(2);
        assertThat(n.path("jvm_floor_samples_ms")).hasSize(2);
        double secure = n.path("secure_cold_ms").asDouble(), plain = n.path("plain_cold_ms").asDouble(), floor = n.path("jvm_floor_ms").asDouble();
        assertThat(floor).isPositive().isLessThan(plain); // a JVM that only prints its version is cheaper than one that serves a model
        assertThat(plain).isLessThan(secure * 10).isGreaterThan(n.path("plain_cold_start_median_ms").path("init_ms").asDouble());
        assertThat(secure).isEqualTo(cold.path("round_trip_ms").asDouble());
        assertThat(n.path("cold_ratio").asDouble()).isCloseTo(secure / plain, org.assertj.core.data.Offset.offset(0.01));
        assertThat(n.path("plain_cold_start_median_ms").path("session_ms").asDouble()).isPositive();
        assertThat(n.path("warm_gateway_p50_ms").asDouble()).isPositive();
        for (String f : new String[] {"platform_added_p50_ms", "gateway_added_p50_ms"}) {
            assertThat(n.path(f).isNumber()).as(f).isTrue(); // a difference of medians: may be slightly negative under load
        }
        // The runtime serving MiniLM holds at least the model (23 MB) and a JVM; its peak is at least what it holds now.
        assertThat(n.path("rss_after_init_mb").asDouble()).isBetween(60.0, 4096.0);
        assertThat(n.path("rss_peak_mb").asDouble()).isGreaterThanOrEqualTo(n.path("rss_after_warm_mb").asDouble()).isLessThan(8192.0);
        assertThat(n.path("function_memory_mb").asInt()).isEqualTo(256);
        // The runtime processes' JVM is sized like the image's in a 256 MB container (issue 13, memory).
        assertThat(n.path("runtime_jvm").asText()).contains("-XX:MaxRAM=256m", "-XX:MaxRAMPercentage=50", "-XX:+UseSerialGC");
        // A lever's other side, measured in the same run: its own cold starts, with the platform's {memory} filled in.
        JsonNode variant = n.path("variants").get(0);
        assertThat(variant.path("jvm_options").asText()).isEqualTo("-Dsesemi.runtime.preload=false -XX:MaxRAM={memory}m");
        assertThat(variant.path("cold_starts")).hasSize(2);
        assertThat(variant.path("cold_ms").asDouble()).isPositive();
        assertThat(variant.path("ratio_to_default").asDouble()).isCloseTo(variant.path("cold_ms").asDouble() / secure,
                org.assertj.core.data.Offset.offset(0.01));
        BenchChartsTest.assertPng(dir.resolve("platform-cold-profile.png"), BenchCharts.W, BenchCharts.H);
        assertThat(r.stdout()).contains("cold start (median of 2)", "INSECURE plaintext baseline", "cold_ratio", "jvm_floor_ms",
                "rss_after_init_mb", "rss_peak_mb", "gateway_added_p50_ms", "wrote");
        assertThat(r.stderr()).contains("cold start 2/2", "warm: 5 measured requests per path", "naive: a cold start, then 2 requests");
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
