package org.sesemi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every bench's chart is drawn from JSON shaped as that bench writes it, and is a real, non-blank PNG of the size the
 * docs embed; {@code bench keyservice}, which needs no model and no platform, is run for real at a tiny size.
 */
class BenchChartsTest {
    private static final int W = BenchCharts.W, H = BenchCharts.H;
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    @TempDir Path dir;
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void drawsEveryBenchsChartsFromItsJson() throws Exception {
        JsonNode overheadA = json.readTree("{\"model\":\"mobilenet-v2.onnx\",\"plain_p50_ms\":10,\"plain_p99_ms\":14,\"secure_p50_ms\":10.4,\"secure_p99_ms\":15}");
        JsonNode overheadB = json.readTree("{\"model\":\"bert-mini.onnx\",\"plain_p50_ms\":3,\"plain_p99_ms\":4,\"secure_p50_ms\":3.2,\"secure_p99_ms\":4.5}");
        assertPngs(BenchCharts.overhead(dir, List.of(overheadA, overheadB)), 2 * W, H, "overhead.png");
        assertPngs(BenchCharts.concurrency(dir, json.readTree("""
                {"model":"m.onnx","results":[{"streams":1,"shared_session_rps":90,"session_per_stream_rps":88},
                 {"streams":2,"shared_session_rps":170,"session_per_stream_rps":150}]}""")), W, H, "concurrency.png");
        assertPngs(BenchCharts.platform(dir, json.readTree("""
                {"cold_starts":[{"wait_ms":400,"init_ms":800,"key_fetch_ms":30,"model_fetch_ms":5,"decrypt_ms":40,"session_ms":200,
                  "inference_ms":20,"round_trip_ms":1600}],
                 "warm_platform_samples_ms":[5,6,7,30],"warm_direct_samples_ms":[3,3.5,4,9]}""")), W, H,
                "platform-cold-start.png", "platform-warm-cdf.png");
        assertPngs(BenchCharts.packer(dir, json.readTree("""
                {"results":[{"policy":"paper","measured":{"cold_starts":2,"model_loads":9,"gb_s_billed":30,"p50_ms":40,"p99_ms":900},
                  "simulated":{"cold_starts":2,"model_loads":8,"gb_s_billed":28,"p50_ms":35,"p99_ms":800}},
                 {"policy":"affinity","measured":{"cold_starts":2,"model_loads":5,"gb_s_billed":25,"p50_ms":30,"p99_ms":700},
                  "simulated":{"cold_starts":2,"model_loads":4,"gb_s_billed":24,"p50_ms":28,"p99_ms":600}}]}""")), 2 * W, 2 * H, "packer.png");
        assertPngs(BenchCharts.keyService(dir, json.readTree("""
                {"results":[{"runtimes":1,"releases_per_s":1500,"p50_ms":0.4,"p99_ms":5},
                 {"runtimes":8,"releases_per_s":4000,"p50_ms":1.5,"p99_ms":13}]}""")), 2 * W, H, "keyservice.png");
    }

    @Test
    void aPlatformResultWithoutSamplesHasNoCdf() throws Exception {
        List<Path> out = BenchCharts.platform(dir, json.readTree("{\"cold_starts\":[{\"wait_ms\":1,\"round_trip_ms\":2}]}"));
        assertThat(out).extracting(p -> p.getFileName().toString()).containsExactly("platform-cold-start.png");
    }

    /**
     * {@code bench charts} redraws every chart of a {@code bench all} tree from its JSON alone, adds the models' side by
     * side overhead chart, and copies the figures the docs embed; an empty folder or a tree missing a bench is refused.
     */
    @Test
    void benchChartsRedrawsATreeAndCopiesTheDocsFigures() throws Exception {
        Path tree = dir.resolve("all");
        write(tree.resolve("overhead/mobilenet-v2/overhead.json"), "{\"model\":\"mobilenet-v2.onnx\",\"plain_p50_ms\":10,\"plain_p99_ms\":14,\"secure_p50_ms\":10.4,\"secure_p99_ms\":15}");
        write(tree.resolve("overhead/bert-mini/overhead.json"), "{\"model\":\"bert-mini.onnx\",\"plain_p50_ms\":3,\"plain_p99_ms\":4,\"secure_p50_ms\":3.2,\"secure_p99_ms\":4.5}");
        write(tree.resolve("concurrency/concurrency.json"), "{\"model\":\"m.onnx\",\"results\":[{\"streams\":1,\"shared_session_rps\":90,\"session_per_stream_rps\":88}]}");
        write(tree.resolve("platform/platform.json"), "{\"cold_starts\":[{\"wait_ms\":400,\"init_ms\":800,\"round_trip_ms\":1600}],"
                + "\"warm_platform_samples_ms\":[5,6,7,30],\"warm_direct_samples_ms\":[3,3.5,4,9]}");
        write(tree.resolve("packer/packer.json"), "{\"results\":[{\"policy\":\"paper\",\"measured\":{\"cold_starts\":2},\"simulated\":{\"cold_starts\":2}}]}");
        Path figures = dir.resolve("figures");

        var missing = run("bench", "charts", tree.toString(), "--figures", figures.toString());
        assertThat(missing.rc()).isEqualTo(1);
        assertThat(missing.err()).contains("keyservice/keyservice.png");

        write(tree.resolve("keyservice/keyservice.json"), "{\"results\":[{\"runtimes\":1,\"releases_per_s\":1500,\"p50_ms\":0.4,\"p99_ms\":5}]}");
        var ok = run("bench", "charts", tree.toString(), "--figures", figures.toString());
        assertThat(ok.rc()).as(ok.err()).isZero();
        assertPng(tree.resolve("overhead/mobilenet-v2/overhead.png"), 2 * W, H);
        assertPng(figures.resolve("overhead.png"), 2 * W, H); // the two models side by side
        assertPng(figures.resolve("concurrency.png"), W, H);
        assertPng(figures.resolve("platform-cold-start.png"), W, H);
        assertPng(figures.resolve("platform-warm-cdf.png"), W, H);
        assertPng(figures.resolve("packer.png"), 2 * W, 2 * H);
        assertPng(figures.resolve("keyservice.png"), 2 * W, H);
        try (var files = Files.list(figures)) {
            assertThat(files).hasSize(BenchRedraw.FIGURES.size());
        }

        var empty = run("bench", "charts", Files.createDirectories(dir.resolve("empty")).toString());
        assertThat(empty.rc()).isEqualTo(1);
        assertThat(empty.err()).contains("no bench results");
    }

    /** docs/benchmarks.md embeds every figure {@code bench all --figures} copies, and each is in docs/figures as a PNG. */
    @Test
    void theBenchmarksPageEmbedsEveryFigureBenchAllCopies() throws Exception {
        Path docs = Path.of(System.getProperty("sesemi.docs", "../docs"));
        String page = Files.readString(docs.resolve("benchmarks.md"));
        for (String f : BenchRedraw.FIGURES) {
            String name = Path.of(f).getFileName().toString();
            assertThat(page).as("docs/benchmarks.md embeds " + name).contains("](figures/" + name + ")");
            int w = name.equals("overhead.png") || name.equals("keyservice.png") || name.equals("packer.png") ? 2 * W : W;
            assertPng(docs.resolve("figures").resolve(name), w, name.equals("packer.png") ? 2 * H : H);
        }
    }

    /** The real bench (KeyService in the simulated TEE, RA-TLS, audited releases) at a tiny size writes its JSON and chart. */
    @Test
    void benchKeyServiceWritesItsResultAndChart() throws Exception {
        var r = run("bench", "keyservice", "--runtimes", "1,2", "--seconds", "0.5", "--out", dir.toString());
        assertThat(r.rc()).as(r.err()).isZero();
        JsonNode n = json.readTree(dir.resolve("keyservice.json").toFile());
        assertThat(n.path("results")).hasSize(2);
        for (JsonNode row : n.path("results")) {
            assertThat(row.path("releases").asLong()).as(row.toString()).isPositive();
            assertThat(row.path("errors").asLong()).as(row.toString()).isZero();
            assertThat(row.path("p99_ms").asDouble()).as(row.toString()).isGreaterThanOrEqualTo(row.path("p50_ms").asDouble()).isPositive();
        }
        assertThat(n.path("load_average").isNumber()).isTrue();
        assertThat(r.out()).contains("wrote " + dir.resolve("keyservice.json"), "wrote " + dir.resolve("keyservice.png"));
        assertPng(dir.resolve("keyservice.png"), 2 * W, H);
    }

    private record Run(int rc, String out, String err) {}

    /** Runs the command in this JVM, as {@code bench all} runs its steps. */
    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        var cl = SesemiCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int rc = cl.execute(args);
        return new Run(rc, out.toString(), err.toString());
    }

    private static void write(Path file, String json) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, json);
    }

    private static void assertPngs(List<Path> files, int width, int height, String... names) throws Exception {
        assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly(names);
        for (Path f : files) {
            assertPng(f, width, height);
        }
    }

    /** {@code f} is a PNG file (signature, decodable) of exactly this size with something drawn on it. */
    static void assertPng(Path f, int width, int height) throws Exception {
        assertThat(f).isRegularFile();
        byte[] bytes = Files.readAllBytes(f);
        assertThat(bytes.length).as(f + " size").isGreaterThan(PNG_SIGNATURE.length);
        assertThat(Arrays.copyOf(bytes, PNG_SIGNATURE.length)).as(f + " PNG signature").isEqualTo(PNG_SIGNATURE);
        BufferedImage img = ImageIO.read(f.toFile());
        assertThat(img).as(f.toString()).isNotNull();
        assertThat(img.getWidth()).as(f + " width").isEqualTo(width);
        assertThat(img.getHeight()).as(f + " height").isEqualTo(height);
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
