package org.sesemi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.client.inference.InferenceClient;
import org.sesemi.client.inference.RuntimeRejectedException;
import org.sesemi.crypto.ModelId;

/**
 * Issue 16, the FnPacker gateway: two {@code sesemi packer serve} child processes, with the virtual-thread scheduler's
 * parallelism at 1 and at 2, each in front of the same {@code sesemi platform serve} child process (SeMIRT runtime
 * processes serving MiniLM under two model keys through a real KeyService), with a caller token. Each gateway gets a
 * warm-up, then concurrent load beyond its function's capacity (requests queue in the gateway), then an idle gap
 * longer than every timer of the gateway and of the platform's containers behind it, then requests that must be
 * answered within bounds: {@code /health}, {@code /v1/stats} and {@code /metrics} within {@link #QUICK}, and a burst of
 * inferences, which need new containers, within {@link #COLD}, each decrypting to the model's embedding.
 *
 * <p>The timers, and how this test covers them:
 * <ul>
 *   <li>the JDK HTTP server closes connections idle for 30 s ({@code sun.net.httpserver.idleInterval}), checked every
 *       10 s; a request must arrive within 30 s ({@code maxReqTime}): exceeded by the gap;
 *   <li>the virtual-thread scheduler ends spare carrier threads after 30 s without work: exceeded;
 *   <li>the gateway's {@code HttpClient} to the platform drops pooled connections idle for 30 s
 *       ({@code jdk.httpclient.keepalive.timeout}): exceeded, so the first invoke after the gap opens a new connection;
 *   <li>the platform destroys containers idle for {@code --idle-timeout} (default 10 min), swept every quarter of it:
 *       set to {@link #CONTAINER_IDLE} here and exceeded, so the requests after the gap are cold starts through the
 *       gateway (checked: the platform has no runtime process left before them);
 *   <li>the runtime's cached key releases expire with the KeyService's release TTL (60 s in this stack): gone with the
 *       containers, the new ones fetch keys again;
 *   <li>the gateway's queue deadline ({@code --queue-timeout}) and its 60 s blocking wait per invoke bound single
 *       requests, not idle time; a request answered 504 or refused busy on this loaded machine is sent again
 *       (counted), within the bound;
 *   <li>the packing policy's keep-alive (600 s) is its estimate of which functions are warm, computed when asked (no
 *       timer): the gap makes that estimate wrong (the platform evicted the containers), which must only cost a cold
 *       start;
 *   <li>{@code maxRspTime} (330 s) and the 5-minute wait for an activation answered 504 bound single requests: not
 *       waited out.
 * </ul>
 *
 * <p>{@code -Dsesemi.gateway.idle.seconds} sets the gap (default {@value #DEFAULT_IDLE_S}).
 */
class GatewayIdleIT {
    static final long DEFAULT_IDLE_S = 40;
    static final long IDLE_SECONDS = Long.getLong("sesemi.gateway.idle.seconds", DEFAULT_IDLE_S);
    static final Duration CONTAINER_IDLE = Duration.ofSeconds(15);
    static final Duration QUICK = Duration.ofSeconds(20);
    /** A cold start of a runtime process on a loaded 2-CPU machine, behind queued requests: generous. */
    static final Duration COLD = Duration.ofMinutes(4);
    static final String SENTENCE = "Your card was charged for a purchase you did not make";
    static final int LOAD = 8;
    static final int BURST = 6;
    @TempDir Path dir;

    private record Gateway(String name, Process process, URI uri) {}

    @Test
    void answersWithinBoundsAfterLoadAndAnIdleGapLongerThanEveryTimerAtParallelismOneAndTwo() throws Exception {
        int platformPort = SesemiProcess.freePort();
        Process platform = SesemiProcess.start(dir.resolve("platform.out"), dir.resolve("platform.err"), "platform", "serve", "--port",
                Integer.toString(platformPort), "--data", dir.resolve("platform").toString(), "--user-memory", "2048",
                "--idle-timeout", CONTAINER_IDLE.toString());
        URI host = URI.create("http://127.0.0.1:" + platformPort);
        List<Gateway> gateways = new ArrayList<>();
        AtomicInteger resent = new AtomicInteger();
        try (LocalStack stack = LocalStack.start("sesemi-gateway-idle-it-", 512, false);
                ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor()) {
            stack.trustRuntime(SesemiProcess.jarRuntimeMeasurement()); // runtimes started from sesemi.jar
            List<ModelId> models = List.of(stack.model, stack.publish("idle-b"));
            ServerProcesses.awaitHttp(host.resolve("/api/v1"), platform, dir.resolve("platform.err"), Duration.ofSeconds(60));
            String token = "idle-token-" + java.util.UUID.randomUUID();
            Path tokenFile = Files.writeString(dir.resolve("token"), token);
            for (int parallelism : new int[] {1, 2}) {
                String name = "parallelism-" + parallelism;
                int port = SesemiProcess.freePort();
                List<String> args = new ArrayList<>(List.of("packer", "serve", "--port", Integer.toString(port), "--apihost", host.toString(),
                        "--group", "idle" + parallelism, "--policy", "affinity", "--pool-size", "1", "--memory", "512", "--concurrency", "2",
                        "--cache-models", "2", "--queue-timeout", "PT120S", "--auth-token-file", tokenFile.toString()));
                stack.initParameters(Map.of()).forEach((k, v) -> args.addAll(List.of("--init", k + "=" + v)));
                Process p = SesemiProcess.start(List.of("-Djdk.virtualThreadScheduler.parallelism=" + parallelism), dir.resolve(name + ".out"),
                        dir.resolve(name + ".err"), args.toArray(String[]::new));
                gateways.add(new Gateway(name, p, URI.create("http://127.0.0.1:" + port)));
            }
            for (Gateway g : gateways) {
                ServerProcesses.awaitHttp(g.uri().resolve("/health"), g.process(), dir.resolve(g.name() + ".err"), Duration.ofSeconds(90));
            }
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

            // Warm-up (a cold start per gateway, both models), then concurrent load beyond one function's 2 slots.
            float[] expected = embed(stack, http, gateways.getFirst(), models.getFirst(), token, resent);
            List<Future<float[]>> answers = new ArrayList<>();
            for (Gateway g : gateways) {
                for (int i = 0; i < LOAD; i++) {
                    ModelId m = models.get(i % models.size());
                    answers.add(calls.submit(() -> embed(stack, http, g, m, token, resent)));
                }
            }
            for (Future<float[]> f : answers) {
                assertThat(f.get(COLD.toSeconds(), TimeUnit.SECONDS)).as("an answer under load").containsExactly(expected);
            }

            Thread.sleep(TimeUnit.SECONDS.toMillis(IDLE_SECONDS)); // the idle gap is what this test is about

            assertThat(platform.children().filter(ProcessHandle::isAlive).toList()).as("the platform destroyed its idle containers").isEmpty();
            for (Gateway g : gateways) {
                assertThat(g.process().isAlive()).as(g.name() + " is running").isTrue();
                for (String path : List.of("/health", "/v1/stats", "/metrics")) {
                    int status = ServerProcesses.within(calls, g.name() + " GET " + path, g.process(), QUICK,
                            () -> http.send(HttpRequest.newBuilder(g.uri().resolve(path)).header("Authorization", "Bearer " + token).GET().build(),
                                    HttpResponse.BodyHandlers.discarding()).statusCode());
                    assertThat(status).as(g.name() + " GET " + path).isEqualTo(200);
                }
            }
            List<Future<float[]>> burst = new ArrayList<>();
            List<Gateway> burstGateways = new ArrayList<>();
            for (Gateway g : gateways) {
                for (int i = 0; i < BURST; i++) {
                    ModelId m = models.get(i % models.size());
                    burst.add(calls.submit(() -> embed(stack, http, g, m, token, resent)));
                    burstGateways.add(g);
                }
            }
            for (int i = 0; i < burst.size(); i++) {
                Future<float[]> f = burst.get(i);
                Gateway g = burstGateways.get(i);
                float[] answer = ServerProcesses.within(calls, g.name() + ": an inference after idle", g.process(), COLD, () -> f.get());
                assertThat(answer).as(g.name() + ": an inference after idle").containsExactly(expected);
            }
            System.out.println("gateway idle test: requests sent again after a 504 or a busy refusal: " + resent.get());
        } finally {
            for (Gateway g : gateways) {
                ServerProcesses.stop(g.process());
            }
            ServerProcesses.stop(platform);
        }
    }

    /**
     * One MiniLM embedding through {@code g}. A 504 (the gateway's 60 s blocking wait ended during a slow cold start) or
     * a busy refusal is an answer, and the request is sent again, until {@link #COLD} has passed.
     */
    private static float[] embed(LocalStack stack, HttpClient http, Gateway g, ModelId model, String token, AtomicInteger resent)
            throws Exception {
        InferenceClient c = new InferenceClient(g.uri().resolve("/v1/invoke"), InferenceClient.Protocol.ENVELOPE, stack.user.id(), model,
                stack.requestKey, http, COLD).withBearerToken(token);
        long deadline = System.nanoTime() + COLD.toNanos();
        while (true) {
            try {
                var out = c.infer(stack.sentence(SENTENCE), true).response().outputs().getFirst();
                float[] v = new float[out.byteLength() / 4];
                out.data().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
                return v;
            } catch (RuntimeRejectedException e) {
                if (!(e.code().equals("timeout") || e.code().equals("busy")) || System.nanoTime() > deadline) {
                    throw e;
                }
                resent.incrementAndGet();
            }
        }
    }
}
