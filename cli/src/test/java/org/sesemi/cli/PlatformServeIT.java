package org.sesemi.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.client.platform.OpenWhiskClient;
import org.sesemi.client.platform.OpenWhiskException;

/**
 * {@code sesemi platform serve} as a real child process: the REST API answers with the standalone guest key, a blackbox
 * action of image {@code sesemi/semirt} runs this build's runtime in its own process (here without a KeyService, so
 * its /init fails as a developer error with the runtime's reason), unknown images fail like a failed pull, and stopping
 * the platform stops every runtime process it started (here a prewarmed one).
 */
class PlatformServeIT {
    static final String GUEST = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP";
    @TempDir Path dir;

    @Test
    void servesTheRestApiAndRunsRuntimeProcessesAsContainers() throws Exception {
        int port = SesemiProcess.freePort();
        Path err = dir.resolve("err.txt");
        Process p = SesemiProcess.start(dir.resolve("out.txt"), err, "platform", "serve", "--port", Integer.toString(port),
                "--data", dir.resolve("data").toString(), "--user-memory", "1024", "--prewarm", "sesemi/semirt:256:1");
        try {
            URI host = URI.create("http://127.0.0.1:" + port);
            ServerProcesses.awaitHttp(host.resolve("/api/v1"), p, err, Duration.ofSeconds(60));
            assertThat(Files.readString(err)).contains("/api/v1", "guest API key");
            OpenWhiskClient ow = new OpenWhiskClient(host, GUEST, "_");

            ow.putAction("semirt", OpenWhiskClient.BlackboxAction.of("sesemi/semirt").withMemoryMb(256).withTimeoutMs(60_000), false);
            OpenWhiskClient.Invoked noKs = ow.invoke("semirt", null, true, 60_000);
            assertThat(noKs.status()).isEqualTo(502);
            assertThat(noKs.body().path("response").path("status").asText()).isEqualTo("action developer error");
            assertThat(noKs.result().path("error").asText()).contains("SESEMI_KS_URL");
            assertThat(noKs.annotation("initTime")).isPresent();
            assertThat(ow.activationLogs(noKs.activationId())).anyMatch(l -> l.contains("initialization failed"));

            ow.putAction("elsewhere", OpenWhiskClient.BlackboxAction.of("docker.io/someone/else:1"), false);
            OpenWhiskClient.Invoked unknown = ow.invoke("elsewhere", null, true, 10_000);
            assertThat(unknown.status()).isEqualTo(502);
            assertThat(unknown.result().path("error").asText()).contains("not available");
            assertThatThrownBy(() -> new OpenWhiskClient(host, GUEST.replace("123z", "999z"), "_").listActions(0, 10))
                    .isInstanceOfSatisfying(OpenWhiskException.class, e -> assertThat(e.status()).isEqualTo(401));

            // A prewarmed runtime process is alive; stopping the platform stops it too.
            List<ProcessHandle> children = p.descendants().filter(ProcessHandle::isAlive).toList();
            assertThat(children).as("the prewarmed runtime process").isNotEmpty();
            p.destroy();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (children.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(children).noneMatch(ProcessHandle::isAlive);
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(20, TimeUnit.SECONDS);
        }
    }
}
