package org.sesemi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every bench's chart is drawn from JSON shaped as that bench writes it, and is a real, non-blank PNG. */
class BenchChartsTest {
    @TempDir Path dir;
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void drawsEveryBenchsChartsFromItsJson() throws Exception {
        JsonNode overheadA = json.readTree("{\"model\":\"mobilenet-v2.onnx\",\"plain_p50_ms\":10,\"plain_p99_ms\":14,\"secure_p50_ms\":10.4,\"secure_p99_ms\":15}");
        JsonNode overheadB = json.readTree("{\"model\":\"bert-mini.onnx\",\"plain_p50_ms\":3,\"plain_p99_ms\":4,\"secure_p50_ms\":3.2,\"secure_p99_ms\":4.5}");
        assertPngs(BenchCharts.overhead(dir, List.of(overheadA, overheadB)), "overhead.png");
        assertPngs(BenchCharts.concurrency(dir, json.readTree("""
                {"model":"m.onnx","results":[{"streams":1,"shared_session_rps":90,"session_per_stream_rps":88},
                 {"streams":2,"shared_session_rps":170,"session_per_stream_rps":150}]}""")), "concurrency.png");
        assertPngs(BenchCharts.platform(dir, json.readTree("""
                {"cold_starts":[{"wait_ms":400,"init_ms":800,"key_fetch_ms":30,"model_fetch_ms":5,"decrypt_ms":40,"session_ms":200,
                  "inference_ms":20,"round_trip_ms":1600}],
                 "warm_platform_samples_ms":[5,6,7,30],"warm_direct_samples_ms":[3,3.5,4,9]}""")),
                "platform-cold-start.png", "platform-warm-cdf.png");
        assertPngs(BenchCharts.packer(dir, json.readTree("""
                {"results":[{"policy":"paper","measured":{"cold_starts":2,"model_loads":9,"gb_s_billed":30,"p50_ms":40,"p99_ms":900},
                  "simulated":{"cold_starts":2,"model_loads":8,"gb_s_billed":28,"p50_ms":35,"p99_ms":800}},
                 {"policy":"affinity","measured":{"cold_starts":2,"model_loads":5,"gb_s_billed":25,"p50_ms":30,"p99_ms":700},
                  "simulated":{"cold_starts":2,"model_loads":4,"gb_s_billed":24,"p50_ms":28,"p99_ms":600}}]}""")), "packer.png");
        assertPngs(BenchCharts.keyService(dir, json.readTree("""
                {"results":[{"runtimes":1,"releases_per_s":1500,"p50_ms":0.4,"p99_ms":5},
                 {"runtimes":8,"releases_per_s":4000,"p50_ms":1.5,"p99_ms":13}]}""")), "keyservice.png");
    }

    @Test
    void aPlatformResultWithoutSamplesHasNoCdf() throws Exception {
        List<Path> out = BenchCharts.platform(dir, json.readTree("{\"cold_starts\":[{\"wait_ms\":1,\"round_trip_ms\":2}]}"));
        assertThat(out).extracting(p -> p.getFileName().toString()).containsExactly("platform-cold-start.png");
    }

    private static void assertPngs(List<Path> files, String... names) throws Exception {
        assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly(names);
        for (Path f : files) {
            BufferedImage img = ImageIO.read(f.toFile());
            assertThat(img).as(f.toString()).isNotNull();
            assertThat(img.getWidth()).isGreaterThanOrEqualTo(800);
            // Not blank: some pixel differs from the white background (bars, lines, text).
            boolean drawn = false;
            for (int x = 0; x < img.getWidth() && !drawn; x += 3) {
                for (int y = 0; y < img.getHeight() && !drawn; y += 3) {
                    drawn = (img.getRGB(x, y) & 0xffffff) != 0xffffff;
                }
            }
            assertThat(drawn).as(f + " has content").isTrue();
        }
    }
}
