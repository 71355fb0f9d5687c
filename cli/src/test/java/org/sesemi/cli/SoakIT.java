package org.sesemi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.client.inference.InferenceClient;
import org.sesemi.client.inference.RuntimeRejectedException;
import org.sesemi.client.platform.OpenWhiskClient;
import org.sesemi.crypto.ModelId;

/**
 * A bounded soak of the whole stack (issue 16): a KeyService (simulated TEE), {@code sesemi platform serve} as a real
 * child process and the FnPacker gateway ({@code sesemi packer serve}) as another (both with scheduler parallelism 2,
 * as on a 2-CPU machine); the platform runs SeMIRT runtime containers and the gateway packs three encrypted models
 * onto two functions. The run is a sequence of cycles; each has Poisson arrivals
 * over the models with a burst beyond the pool's capacity, then an idle gap longer than every keep-alive in the path
 * (30 s), and one fault: a runtime container killed while requests are in flight, or the KeyService restarted followed
 * by a function container evicted (by a third action needing its memory) and re-created.
 *
 * <p>Invariants at the end: every request was either answered with an envelope that decrypts to the model's expected
 * embedding or refused with one of the documented errors ({@link #ALLOWED_REFUSALS}); none hung; most were served;
 * p99 latency is within {@link #P99_BOUND}; threads and file descriptors of the platform, of every runtime container
 * and of this JVM are back near their level after warm-up, and RSS within a bound; the platform's activation records
 * agree with what the client saw (as many successful activations as answered requests, as many activations in all as
 * requests that reached the platform).
 *
 * <p>Length: {@code -Dsesemi.soak.seconds} or {@code SESEMI_SOAK_SECONDS} (default 120, about two cycles; the release
 * check in {@code docs/operations.md} runs 1800).
 */
class SoakIT {
    static final long SECONDS = Long.getLong("sesemi.soak.seconds",
            Long.parseLong(System.getenv().getOrDefault("SESEMI_SOAK_SECONDS", "120")));
    static final Duration CYCLE = Duration.ofSeconds(60);
    static final Duration BUSY_PHASE = Duration.ofSeconds(20);
    static final Duration IDLE_GAP = Duration.ofSeconds(36); // > the 30 s keep-alives (scheduler, HttpClient, HttpServer)
    static final double ARRIVALS_PER_SECOND = 1.5;
    static final int BURST = 10; // the pool runs 2 functions x 2 concurrent requests
    static final Duration QUEUE_TIMEOUT = Duration.ofSeconds(45);
    /** Generous: a cold start after a kill or an eviction takes 20-30 s on a loaded 2-CPU machine, plus queueing. */
    static final Duration P99_BOUND = Duration.ofSeconds(90);
    static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(150);
    /** Refusals a client may see, as code/reason (docs/operations.md, "Reliability"); anything else fails the soak. */
    static final Set<String> ALLOWED_REFUSALS = Set.of(
            "busy/all_busy", "busy/queue_timeout", "busy/busy", // the gateway's or a runtime's admission is full
            "unavailable/keyservice_unavailable", // a runtime needed keys while the KeyService restarted
            "error/container_exited", // the container serving the request was killed (platform developer error)
            "timeout/timeout"); // the gateway's blocking invoke outlasted 60 s (a cold start on a loaded machine); 504
    static final List<String> SENTENCES = List.of("Your card was charged for a purchase you did not make",
            "How do I reset my password?", "The parcel arrived damaged and late");

    @TempDir Path dir;

    private record Outcome(ModelId model, int sentence, long startNanos, long endNanos, long startMillis, String kind, String detail) {
        boolean served() {
            return kind.equals("served");
        }

        double millis() {
            return (endNanos - startNanos) / 1e6;
        }
    }

    @Test
    void theStackStaysCorrectAndBoundedUnderLoadIdleAndFaults() throws Exception {
        int port = SesemiProcess.freePort();
        Process platformProcess = SesemiProcess.start(List.of("-Djdk.virtualThreadScheduler.parallelism=2"), dir.resolve("platform.out"),
                dir.resolve("platform.err"), "platform", "serve", "--port", Integer.toString(port), "--data", dir.resolve("platform").toString(),
                "--user-memory", "1024");
        URI host = URI.create("http://127.0.0.1:" + port);
        Process gatewayProcess = null;
        try (LocalStack stack = LocalStack.start("sesemi-soak-", 512, false);
                ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            stack.trustRuntime(SesemiProcess.jarRuntimeMeasurement()); // runtimes started from sesemi.jar
            ServerProcesses.awaitHttp(host.resolve("/api/v1"), platformProcess, dir.resolve("platform.err"), Duration.ofSeconds(60));
            OpenWhiskClient platform = new OpenWhiskClient(host, PlatformServeIT.GUEST, "_");
            List<ModelId> models = List.of(stack.model, stack.publish("soak-b"), stack.publish("soak-c"));
            int gatewayPort = SesemiProcess.freePort();
            List<String> gatewayArgs = new ArrayList<>(List.of("packer", "serve", "--port", Integer.toString(gatewayPort), "--apihost",
                    host.toString(), "--group", "soak", "--policy", "affinity", "--pool-size", "2", "--memory", "512", "--concurrency", "2",
                    "--cache-models", "3", "--queue-timeout", QUEUE_TIMEOUT.toString()));
            stack.initParameters(Map.of()).forEach((k, v) -> gatewayArgs.addAll(List.of("--init", k + "=" + v)));
            gatewayProcess = SesemiProcess.start(List.of("-Djdk.virtualThreadScheduler.parallelism=2"), dir.resolve("gateway.out"),
                    dir.resolve("gateway.err"), gatewayArgs.toArray(String[]::new));
            List<String> functions = List.of("fp-soak-0", "fp-soak-1");
            platform.putAction("side", OpenWhiskClient.BlackboxAction.of(PlatformCommand.SEMIRT_IMAGE).withMemoryMb(256).withTimeoutMs(60_000)
                    .withInitParameters(stack.initParameters(Map.of())), true);
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            {
                URI gatewayUri = URI.create("http://127.0.0.1:" + gatewayPort);
                ServerProcesses.awaitHttp(gatewayUri.resolve("/health"), gatewayProcess, dir.resolve("gateway.err"), Duration.ofSeconds(90));
                URI invoke = gatewayUri.resolve("/v1/invoke");
                // Warm-up: every model and sentence once; the answers are the expected embeddings.
                float[][] expected = new float[SENTENCES.size()][];
                for (ModelId m : models) {
                    for (int s = 0; s < SENTENCES.size(); s++) {
                        float[] e = embed(stack, http, invoke, m, s);
                        if (expected[s] == null) {
                            expected[s] = e;
                        }
                        assertThat(e).as("MiniLM under every key gives the same embedding").containsExactly(expected[s]);
                    }
                }
                Thread.sleep(2_000); // let the warm-up's connections and threads settle before the baseline
                Resources.Snapshot baseline = Resources.snapshot(platformProcess.toHandle(), gatewayProcess.toHandle());
                long soakStartMillis = System.currentTimeMillis();

                ConcurrentLinkedQueue<Future<Outcome>> requests = new ConcurrentLinkedQueue<>();
                Random random = new Random(16);
                long cycles = Math.max(2, SECONDS / CYCLE.toSeconds());
                int kills = 0;
                int evictions = 0;
                for (long cycle = 0; cycle < cycles; cycle++) {
                    boolean killCycle = cycle % 2 == 0;
                    long phaseEnd = System.nanoTime() + BUSY_PHASE.toNanos();
                    long faultAt = System.nanoTime() + BUSY_PHASE.toNanos() / 2;
                    boolean faulted = false;
                    if (!killCycle) {
                        // Right after an idle gap: restart the KeyService, then make a third action take a function's
                        // memory (the invoker evicts an idle function container; the next request re-creates it).
                        stack.restartKeyService();
                        InferenceClient side = InferenceClient.viaOpenWhisk(host, PlatformServeIT.GUEST, "side", stack.user.id(), models.get(0),
                                stack.requestKey);
                        assertThat(side.infer(stack.sentence(SENTENCES.get(0)), true).response().outputs()).isNotEmpty();
                        evictions++;
                    }
                    while (System.nanoTime() < phaseEnd) {
                        if (!faulted && System.nanoTime() >= faultAt) {
                            faulted = true;
                            for (int b = 0; b < BURST; b++) {
                                requests.add(submit(clients, stack, http, invoke, models, random, expected));
                            }
                            if (killCycle) {
                                Thread.sleep(300); // the burst is in flight
                                ProcessHandle victim = runtimes(platformProcess).getFirst();
                                victim.destroyForcibly();
                                kills++;
                            }
                        }
                        requests.add(submit(clients, stack, http, invoke, models, random, expected));
                        Thread.sleep(Math.max(1, (long) (-Math.log(1 - random.nextDouble()) / ARRIVALS_PER_SECOND * 1000)));
                    }
                    Thread.sleep(IDLE_GAP.toMillis()); // Poisson arrivals pause: the idle gap
                }
                // A last round after the final idle gap: every model must be served again (counted with the others).
                List<Future<Outcome>> last = new ArrayList<>();
                for (ModelId m : models) {
                    Future<Outcome> f = submit(clients, stack, http, invoke, List.of(m), random, expected);
                    f.get(CLIENT_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS);
                    last.add(f);
                    requests.add(f);
                }
                for (Future<Outcome> f : last) {
                    assertThat(f.get().kind()).as("after the last idle gap: " + f.get().detail()).isEqualTo("served");
                }

                List<Outcome> outcomes = new ArrayList<>();
                for (Future<Outcome> f : requests) {
                    try {
                        outcomes.add(f.get(CLIENT_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS));
                    } catch (TimeoutException e) {
                        throw new AssertionError("a request hung; platform threads:\n" + SesemiProcess.threadDump(platformProcess.pid()));
                    }
                }
                long soakEndMillis = System.currentTimeMillis();
                Report report = new Report(outcomes);
                System.out.println("soak: " + report + ", kills " + kills + ", KeyService restarts and evictions " + evictions);

                assertThat(outcomes.stream().filter(o -> o.kind().equals("wrong")).toList()).as("answers that decrypt to something else").isEmpty();
                assertThat(outcomes.stream().filter(o -> o.kind().equals("failed")).toList()).as("requests neither served nor refused clearly")
                        .isEmpty();
                assertThat(outcomes.stream().filter(o -> o.kind().equals("refused")).map(Outcome::detail).toList())
                        .allMatch(ALLOWED_REFUSALS::contains);
                // Served share: cold starts after faults take 20-60 s on a loaded 2-CPU machine and queued requests are
                // refused meanwhile; the strong liveness check is the last round above (every model served again).
                assertThat(report.served()).as("at least a quarter of the requests are served").isGreaterThanOrEqualTo(outcomes.size() / 4);
                assertThat(report.p99Millis()).as("p99 latency (ms)").isLessThanOrEqualTo(P99_BOUND.toMillis());
                assertThat(kills + evictions).isGreaterThanOrEqualTo(2);

                // The platform's records agree with what the client saw.
                long servedInWindow = outcomes.stream().filter(Outcome::served).count();
                long timedOut = outcomes.stream().filter(o -> o.detail().equals("timeout/timeout")).count();
                long reachedPlatform = outcomes.stream().filter(o -> o.served() || o.detail().startsWith("error/")
                        || o.detail().equals("busy/busy") || o.detail().startsWith("unavailable/") || o.detail().startsWith("timeout/")).count();
                List<JsonNode> records = new ArrayList<>();
                for (String fn : functions) {
                    records.addAll(activations(platform, fn, soakStartMillis, soakEndMillis));
                }
                long successful = records.stream().filter(r -> r.path("response").path("success").asBoolean()).count();
                // A request the gateway answered 504 has an activation that may still have succeeded later.
                assertThat(successful).as("successful activations = served requests (+ those answered 504)")
                        .isBetween(servedInWindow, servedInWindow + timedOut);
                assertThat((long) records.size()).as("activations = requests that reached the platform").isEqualTo(reachedPlatform);
                assertThat(records.stream().filter(r -> r.path("annotations").toString().contains("initTime")).count())
                        .as("containers were re-created after the kills and evictions").isGreaterThanOrEqualTo(1);

                // No leak: the platform, each live runtime container and this JVM are back near their warm-up level.
                Thread.sleep(5_000);
                Resources.Snapshot end = Resources.snapshot(platformProcess.toHandle(), gatewayProcess.toHandle());
                System.out.println("soak resources: after warm-up " + baseline + "; at the end " + end);
                Resources.assertNear(baseline, end);
            }
        } finally {
            if (gatewayProcess != null) {
                gatewayProcess.destroyForcibly();
                gatewayProcess.waitFor(20, TimeUnit.SECONDS);
            }
            platformProcess.descendants().forEach(ProcessHandle::destroyForcibly);
            platformProcess.destroyForcibly();
            platformProcess.waitFor(20, TimeUnit.SECONDS);
        }
    }

    /** The platform's runtime containers: its direct child processes. */
    static List<ProcessHandle> runtimes(Process platform) {
        return platform.children().filter(ProcessHandle::isAlive).toList();
    }

    private static Future<Outcome> submit(ExecutorService clients, LocalStack stack, HttpClient http, URI invoke, List<ModelId> models,
            Random random, float[][] expected) {
        ModelId model = models.get(random.nextInt(models.size()));
        int sentence = random.nextInt(SENTENCES.size());
        return clients.submit(() -> {
            long t0 = System.nanoTime();
            long startMillis = System.currentTimeMillis();
            String kind;
            String detail;
            try {
                float[] e = embed(stack, http, invoke, model, sentence);
                kind = Arrays.equals(e, expected[sentence]) ? "served" : "wrong";
                detail = kind;
            } catch (RuntimeRejectedException r) {
                kind = "refused";
                detail = r.code().equals("error") && r.getMessage().contains("exited unexpectedly") ? "error/container_exited"
                        : r.code() + "/" + r.reason();
                if (!ALLOWED_REFUSALS.contains(detail)) {
                    detail = detail + " (" + r.status() + " " + r.getMessage() + ")";
                }
            } catch (Exception e) {
                kind = "failed";
                detail = e.toString();
            }
            return new Outcome(model, sentence, t0, System.nanoTime(), startMillis, kind, detail);
        });
    }

    private static float[] embed(LocalStack stack, HttpClient http, URI invoke, ModelId model, int sentence) throws Exception {
        InferenceClient c = new InferenceClient(invoke, InferenceClient.Protocol.ENVELOPE, stack.user.id(), model, stack.requestKey, http,
                CLIENT_TIMEOUT);
        var out = c.infer(stack.sentence(SENTENCES.get(sentence)), true).response().outputs().getFirst();
        float[] v = new float[out.byteLength() / 4];
        out.data().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    /** Every activation record of {@code fn} in [since, upto], paging through the list. */
    private static List<JsonNode> activations(OpenWhiskClient platform, String fn, long since, long upto) throws Exception {
        List<JsonNode> all = new ArrayList<>();
        for (int skip = 0; ; skip += 200) {
            List<JsonNode> page = platform.listActivations(fn, skip, 200, OptionalLong.of(since), OptionalLong.of(upto), true);
            all.addAll(page);
            if (page.size() < 200) {
                return all;
            }
        }
    }

    private record Report(List<Outcome> outcomes) {
        int served() {
            return (int) outcomes.stream().filter(Outcome::served).count();
        }

        double p99Millis() {
            double[] ms = outcomes.stream().mapToDouble(Outcome::millis).sorted().toArray();
            return ms.length == 0 ? 0 : ms[Math.min(ms.length - 1, (int) Math.ceil(0.99 * ms.length) - 1)];
        }

        @Override
        public String toString() {
            Map<String, Long> byDetail = new java.util.TreeMap<>();
            outcomes.forEach(o -> byDetail.merge(o.detail(), 1L, Long::sum));
            double[] ms = outcomes.stream().mapToDouble(Outcome::millis).sorted().toArray();
            return String.format(java.util.Locale.ROOT, "%d requests %s, p50 %.0f ms, p99 %.0f ms, max %.0f ms", outcomes.size(), byDetail,
                    ms.length == 0 ? 0 : ms[ms.length / 2], p99Millis(), ms.length == 0 ? 0 : ms[ms.length - 1]);
        }
    }
}
