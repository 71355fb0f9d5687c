package org.sesemi.platform.invoker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The test workload itself must follow the action protocol, or the pool tests would prove nothing. */
class TestActionProtocolTest {
    private ProcessContainer container;

    @BeforeEach
    void start() throws Exception {
        container = ProcessContainer.start(TestActions.testActionImage(), Map.of(), Duration.ofSeconds(20), 1 << 20);
    }

    @AfterEach
    void stop() {
        container.close();
    }

    private ProcessContainer.Response post(String path, String body) throws Exception {
        return container.post(path, body.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10), 1 << 20);
    }

    private static String text(ProcessContainer.Response response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    @Test
    void initOnceThenRunWithContentLengthAndSentinels() throws Exception {
        ProcessContainer.Response early = post("/run", "{\"value\":{}}");
        assertThat(early.status()).isEqualTo(502);
        assertThat(text(early)).contains("Cannot invoke an uninitialized action.");
        assertThat(container.logs().collect(5000, 1 << 20)).isEmpty(); // one sentinel pair, nothing else

        ProcessContainer.Response init = post("/init", "{\"value\":{\"code\":\"x\",\"main\":\"main\",\"env\":null}}");
        assertThat(init.status()).isEqualTo(200);
        assertThat(init.contentLength()).hasValue(init.body().length);
        ProcessContainer.Response again = post("/init", "{\"value\":{\"code\":\"x\"}}");
        assertThat(again.status()).isEqualTo(403);
        assertThat(text(again)).contains("Cannot initialize the action more than once.");

        ProcessContainer.Response run = post("/run", "{\"value\":{\"log\":[\"hello\"]},\"activation_id\":\"a1\"}");
        assertThat(run.status()).isEqualTo(200);
        assertThat(run.contentLength()).hasValue(run.body().length);
        assertThat(text(run)).contains("\"activation_id\":\"a1\"");
        List<String> logs = container.logs().collect(5000, 1 << 20);
        // the rejected re-init printed its message on both streams without a sentinel, so it lands here
        assertThat(logs).anyMatch(l -> l.endsWith("stdout: hello"))
                .anyMatch(l -> l.endsWith("stdout: Cannot initialize the action more than once."))
                .anyMatch(l -> l.endsWith("stderr: Cannot initialize the action more than once."))
                .noneMatch(l -> l.contains(LogCollector.SENTINEL));
    }

    @Test
    void malformedBodiesGetAClearError() throws Exception {
        ProcessContainer.Response response = post("/init", "{not json");
        assertThat(response.status()).isEqualTo(400);
        assertThat(text(response)).startsWith("{\"error\":\"Bad request");
        assertThat(post("/init", "[1,2]").status()).isEqualTo(400);
    }

    @Test
    void overlappingRunsAreRefusedWithoutAllowConcurrent() throws Exception {
        assertThat(post("/init", "{\"value\":{\"code\":\"x\"}}").status()).isEqualTo(200);
        List<CompletableFuture<ProcessContainer.Response>> runs = List.of(slowRun(), slowRun());
        List<Integer> statuses = runs.stream().map(CompletableFuture::join).map(ProcessContainer.Response::status).sorted().toList();
        assertThat(statuses).containsExactly(200, 403);
        assertThat(runs.stream().map(CompletableFuture::join).map(TestActionProtocolTest::text))
                .anyMatch(body -> body.contains("System not ready, status is running."));
    }

    private CompletableFuture<ProcessContainer.Response> slowRun() {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return post("/run", "{\"value\":{\"sleepMs\":2000}}");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, r -> Thread.ofVirtual().start(r)); // two really overlapping requests, whatever the common pool's size
    }
}
