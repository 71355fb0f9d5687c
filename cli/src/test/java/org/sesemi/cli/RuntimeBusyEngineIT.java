package org.sesemi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sesemi.protocol.oip.DataType;
import org.sesemi.client.inference.InferenceClient;
import org.sesemi.protocol.oip.InferenceRequest;
import org.sesemi.protocol.oip.Tensor;
import org.sesemi.runtime.core.RuntimeSettings;

/**
 * Issue 16, the runtime: ONNX Runtime's {@code run} is a JNI call, which holds a virtual thread's carrier for its whole
 * duration. {@code sesemi runtime serve} runs as a real child process with the virtual-thread scheduler's parallelism at
 * 1 and at 2, its engine kept busy by as many concurrent multi-second inferences as it admits (one intra-op thread
 * each); meanwhile its health endpoint must keep answering within {@link #HEALTH_BOUND}, far below one inference. With
 * inference on virtual threads, health checks waited for an inference to end.
 */
class RuntimeBusyEngineIT {
    static final Duration HEALTH_BOUND = Duration.ofMillis(1500);
    // 4 x 256 took only 0.6-0.8 s per inference on a quiet machine, below the health bound: 8 x 512 takes several seconds.
    static final int BATCH = 8;
    static final int TOKENS = 512;
    @TempDir Path dir;

    @ParameterizedTest(name = "parallelism {0}")
    @ValueSource(ints = {1, 2})
    void healthAnswersWhileEveryEngineSlotRunsALongInference(int parallelism) throws Exception {
        try (LocalStack stack = LocalStack.start("sesemi-busy-engine-it-", 512, false);
                ExecutorService load = Executors.newVirtualThreadPerTaskExecutor()) {
            stack.trustRuntime(SesemiProcess.jarRuntimeMeasurement()); // runtimes started from sesemi.jar
            int port = SesemiProcess.freePort();
            Process p = SesemiProcess.start(List.of("-Djdk.virtualThreadScheduler.parallelism=" + parallelism), dir.resolve("out.txt"),
                    dir.resolve("err.txt"), "runtime", "serve", "--bind", "127.0.0.1", "--port", Integer.toString(port), "--platform", "openwhisk");
            try {
                URI base = URI.create("http://127.0.0.1:" + port);
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                ServerProcesses.awaitHttp(base.resolve("/health"), p, dir.resolve("err.txt"), Duration.ofSeconds(90));
                int slots = 2;
                ObjectNode init = new ObjectMapper().createObjectNode();
                ObjectNode env = init.putObject("value").putObject("env");
                stack.initParameters(Map.of(RuntimeSettings.MAX_CONCURRENT, Integer.toString(slots), RuntimeSettings.INTRA_OP_THREADS, "1"))
                        .forEach(env::put);
                HttpResponse<String> initialized = http.send(HttpRequest.newBuilder(base.resolve("/init"))
                        .POST(HttpRequest.BodyPublishers.ofString(init.toString())).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(initialized.statusCode()).as(initialized.body()).isEqualTo(200);
                InferenceClient client = new InferenceClient(base.resolve("/run"), InferenceClient.Protocol.OPENWHISK_RUN, stack.user.id(),
                        stack.model, stack.requestKey, http, Duration.ofMinutes(3));
                client.infer(stack.sentence("warm up"), true); // model loaded, keys cached

                AtomicBoolean running = new AtomicBoolean(true);
                ConcurrentLinkedQueue<Double> inferenceMs = new ConcurrentLinkedQueue<>();
                List<Future<?>> loops = new ArrayList<>();
                for (int i = 0; i < slots; i++) {
                    loops.add(load.submit(() -> {
                        while (running.get()) {
                            long t0 = System.nanoTime();
                            client.infer(batch(), true);
                            inferenceMs.add((System.nanoTime() - t0) / 1e6);
                        }
                        return null;
                    }));
                }
                Thread.sleep(1_000); // both slots are inside ONNX Runtime now
                List<Double> healthMs = new ArrayList<>();
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(12);
                while (System.nanoTime() < until) {
                    long t0 = System.nanoTime();
                    HttpResponse<String> h = http.send(HttpRequest.newBuilder(base.resolve("/health")).timeout(Duration.ofSeconds(60)).GET().build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(h.statusCode()).isEqualTo(200);
                    healthMs.add((System.nanoTime() - t0) / 1e6);
                    Thread.sleep(100);
                }
                running.set(false);
                for (Future<?> f : loops) {
                    f.get(3, TimeUnit.MINUTES);
                }
                double slowestHealth = healthMs.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
                double fastestInference = inferenceMs.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
                System.out.printf(java.util.Locale.ROOT, "parallelism %d: %d health checks, slowest %.0f ms; %d inferences, fastest %.0f ms%n",
                        parallelism, healthMs.size(), slowestHealth, inferenceMs.size(), fastestInference);
                assertThat(fastestInference).as("the engine was busy for longer than the health bound").isGreaterThan(HEALTH_BOUND.toMillis());
                assertThat(slowestHealth).as("slowest health check (ms) while the engine was busy").isLessThan(HEALTH_BOUND.toMillis());
            } finally {
                p.destroyForcibly();
                p.waitFor(20, TimeUnit.SECONDS);
            }
        }
    }

    /** MiniLM inputs for {@link #BATCH} sequences of {@link #TOKENS} tokens: seconds of work on one thread. */
    private static InferenceRequest batch() {
        long[] shape = {BATCH, TOKENS};
        long[] ids = new long[BATCH * TOKENS];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = 1000 + (i * 7919L) % 20000;
        }
        long[] mask = new long[ids.length];
        Arrays.fill(mask, 1);
        return new InferenceRequest(Optional.empty(), InferenceRequest.Operation.INFER, List.of(int64("input_ids", ids, shape),
                int64("attention_mask", mask, shape), int64("token_type_ids", new long[ids.length], shape)), List.of(), false);
    }

    private static Tensor int64(String name, long[] v, long[] shape) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) {
            b.putLong(x);
        }
        return new Tensor(name, DataType.INT64, shape, b.flip());
    }
}
