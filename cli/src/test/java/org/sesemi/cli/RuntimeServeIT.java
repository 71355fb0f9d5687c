package org.sesemi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sesemi runtime serve} as a real child process speaking the OpenWhisk action protocol on loopback. */
class RuntimeServeIT {
    @TempDir Path dir;

    @Test
    void servesTheActionProtocolAndReportsInitErrorsClearly() throws Exception {
        int port = SesemiProcess.freePort();
        Path out = dir.resolve("out.txt"), err = dir.resolve("err.txt");
        Process p = SesemiProcess.start(out, err, "runtime", "serve", "--bind", "127.0.0.1", "--port", Integer.toString(port), "--platform",
                "openwhisk", "--model-store", dir.resolve("models").toString(), "--tee-dir", dir.resolve("tee").toString());
        try {
            HttpClient http = HttpClient.newHttpClient();
            URI base = URI.create("http://127.0.0.1:" + port);
            HttpResponse<String> health = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (health == null) {
                try {
                    health = http.send(HttpRequest.newBuilder(base.resolve("/health")).timeout(Duration.ofSeconds(5)).GET().build(),
                            HttpResponse.BodyHandlers.ofString());
                } catch (IOException e) {
                    assertThat(System.nanoTime()).as("server did not start: " + Files.readString(err)).isLessThan(deadline);
                    assertThat(p.isAlive()).as(Files.readString(err)).isTrue();
                    Thread.onSpinWait();
                }
            }
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"initialized\":false");
            HttpResponse<String> run = http.send(HttpRequest.newBuilder(base.resolve("/run")).POST(HttpRequest.BodyPublishers.ofString("{\"value\":{}}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(run.statusCode()).isEqualTo(403);
            HttpResponse<String> init = http.send(HttpRequest.newBuilder(base.resolve("/init")).POST(HttpRequest.BodyPublishers.ofString("{\"value\":{}}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(init.statusCode()).isEqualTo(502);
            assertThat(init.body()).contains("SESEMI_KS_URL");
            assertThat(init.headers().firstValue("content-length")).isPresent();
            assertThat(Files.readString(err, StandardCharsets.UTF_8)).contains("SIMULATED: no hardware protection");
            assertThat(Files.readString(out, StandardCharsets.UTF_8)).contains("XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX");
        } finally {
            p.destroy();
            p.waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void invalidSettingsFailBeforeListening() {
        var r = SesemiProcess.run("runtime", "serve", "--budget", "lots", "--port", "0");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr()).contains("SESEMI_MODEL_BUDGET");
    }
}
