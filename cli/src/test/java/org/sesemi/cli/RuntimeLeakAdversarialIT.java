package org.sesemi.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.protocol.oip.DataType;
import org.sesemi.client.inference.InferenceClient;
import org.sesemi.protocol.oip.InferenceFailedException;
import org.sesemi.protocol.oip.InferenceRequest;
import org.sesemi.protocol.oip.Tensor;

/**
 * Issue 10 §1, as a hostile host sees it: the real runtime ({@code sesemi runtime serve} with the real MiniLM model,
 * a real KeyService) as a child process whose file descriptors 1 and 2 go to files, and the same runtime image behind
 * the embedded platform, whose activation records, activation logs and database the host reads. Users send good
 * requests and requests that make ONNX Runtime fail in several ways (token ids outside the vocabulary, huge and
 * negative values, shapes the graph cannot combine, wrong types and ranks). Nothing derived from the plaintext or the
 * model's internals may show up in anything the host sees; the user gets a fixed engine code (and the detail) inside
 * the sealed response.
 */
class RuntimeLeakAdversarialIT {
    /** A token id far outside MiniLM's 30,522-entry vocabulary: ONNX Runtime's message quotes it. */
    static final long SECRET_ID = 31_337_123L;
    static final String SECRET_WORD = "pancreatitis";

    @TempDir Path dir;

    @Test
    void noPlaintextOrModelInternalsReachTheRuntimesFileDescriptorsOrThePlatformsRecords() throws Exception {
        List<String> sealedErrors = new ArrayList<>();
        StringBuilder hostVisible = new StringBuilder();
        try (LocalStack stack = LocalStack.start("sesemi-leak-it", 2048, false)) {
            // 1. The runtime as a child process: its real stdout and stderr.
            stack.grantAlso(ChildRuntime.measurement());
            int port = SesemiProcess.freePort();
            Path out = dir.resolve("runtime.out"), err = dir.resolve("runtime.err");
            Process p = SesemiProcess.start(out, err, "runtime", "serve", "--platform", "openwhisk", "--bind", "127.0.0.1", "--port",
                    Integer.toString(port));
            try {
                URI base = URI.create("http://127.0.0.1:" + port);
                ServerProcesses.awaitHttp(base.resolve("/health"), p, err, java.time.Duration.ofSeconds(60));
                ChildRuntime.init(base, stack.initParameters(Map.of()));
                InferenceClient direct = new InferenceClient(base.resolve("/run"), InferenceClient.Protocol.OPENWHISK_RUN, stack.user.id(),
                        stack.model, stack.requestKey);
                exercise(stack, direct, sealedErrors);
            } finally {
                p.destroy();
                p.waitFor(30, TimeUnit.SECONDS);
            }
            String stdout = Files.readString(out, StandardCharsets.UTF_8), stderr = Files.readString(err, StandardCharsets.UTF_8);
            assertThat(stderr).as("the capture of fd 2 works").contains("SIMULATED");
            assertThat(stdout).as("the capture of fd 1 works").contains("XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX");
            hostVisible.append(stdout).append('\n').append(stderr).append('\n');

            // 2. The same runtime image behind the platform (one activation at a time, so the platform keeps its logs).
            stack.createFunction("leak", 512, 1, Map.of());
            // The cold start (runtime process, attestation, KeyService connection) happens in a non-blocking activation
            // (its empty value is a malformed envelope: an application error), so the users' blocking requests are warm.
            String coldStart = stack.platformClient.invoke("leak", null, false, 0).activationId();
            assertThat(stack.platformClient.awaitActivation(coldStart, java.time.Duration.ofMinutes(3))).as("the cold start finished").isPresent();
            exercise(stack, stack.userClient("leak"), sealedErrors);
            List<JsonNode> activations = stack.platformClient.listActivations("leak", 0, 200, OptionalLong.empty(), OptionalLong.empty(), true);
            assertThat(activations).hasSizeGreaterThanOrEqualTo(REQUESTS);
            int logLines = 0;
            for (JsonNode a : activations) {
                hostVisible.append(a).append('\n');
                for (String line : stack.platformClient.activationLogs(a.path("activationId").asText())) {
                    hostVisible.append(line).append('\n');
                    logLines++;
                }
            }
            assertThat(logLines).as("the activation logs are kept").isPositive();
            // The platform's database, as the host reads it from disk.
            try (Stream<Path> files = Files.list(stack.work)) {
                for (Path f : files.filter(f -> f.getFileName().toString().startsWith("platform.db")).toList()) {
                    hostVisible.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).append('\n');
                }
            }
        }
        String seen = hostVisible.toString();
        for (String secret : List.of(Long.toString(SECRET_ID), "31337", "9223372036854775807", SECRET_WORD, "idx=", "Gather", "/encoder",
                "/embeddings", "word_embeddings", "layer.0", "Non-zero status", "onnxruntime::", "input_ids", "token_type_ids")) {
            assertThat(seen).as("host-visible output contains '%s'", secret).doesNotContain(secret);
        }
        // The user did get the engine's failures, with fixed codes, inside the sealed responses.
        assertThat(sealedErrors).hasSize(2 * FAILING);
        assertThat(sealedErrors).anyMatch(m -> m.startsWith("engine_invalid_input") && m.contains(Long.toString(SECRET_ID)));
    }

    static final int REQUESTS = 11;
    static final int FAILING = 9;

    /** {@value #REQUESTS} requests, {@value #FAILING} of which fail after decryption; collects what the user was told. */
    private static void exercise(LocalStack stack, InferenceClient c, List<String> sealedErrors) throws Exception {
        assertThat(c.infer(stack.sentence("the biopsy confirmed " + SECRET_WORD + " in the patient"), true).response().outputs()).hasSize(1);
        long[] ids = stack.tokenizer.encode("the biopsy confirmed " + SECRET_WORD, LocalStack.MAX_TOKENS);
        int n = ids.length;
        List<InferenceRequest> bad = List.of(
                request(with(ids, 2, SECRET_ID), ones(n), zeros(n)), // an id outside the vocabulary
                request(with(ids, 1, -SECRET_ID), ones(n), zeros(n)), // negative
                request(with(ids, 1, Long.MAX_VALUE), ones(n), zeros(n)), // huge
                request(ids, ones(n), with(zeros(n), 1, 31_337L)), // a token type outside the two types
                request(ids, ones(n + 1), zeros(n)), // shapes the graph cannot combine
                request(ids, with(ones(n), 1, SECRET_ID), zeros(n)), // huge mask value (may run: then it is not an error)
                new InferenceRequest(Optional.empty(), InferenceRequest.Operation.INFER, List.of(floats("input_ids", n),
                        int64("attention_mask", ones(n)), int64("token_type_ids", zeros(n))), List.of(), false), // wrong type
                new InferenceRequest(Optional.empty(), InferenceRequest.Operation.INFER, List.of(
                        new Tensor("input_ids", DataType.INT64, new long[] {n}, le(ids)), int64("attention_mask", ones(n)),
                        int64("token_type_ids", zeros(n))), List.of(), false), // wrong rank
                request(new long[] {SECRET_ID}, new long[] {1}, new long[] {0}), // only the secret
                request(new long[] {SECRET_ID, SECRET_ID}, new long[] {1, 1}, new long[] {0, 0}));
        int failed = 0;
        for (InferenceRequest r : bad) {
            try {
                c.infer(r, true);
            } catch (InferenceFailedException e) {
                sealedErrors.add(e.getMessage());
                failed++;
            }
        }
        // The huge mask value runs (masks are multiplied, not looked up): every other request fails in the engine or its checks.
        if (failed != FAILING) {
            fail("expected %d failing requests, %d failed: %s", FAILING, failed, sealedErrors);
        }
    }

    private static InferenceRequest request(long[] ids, long[] mask, long[] types) {
        return new InferenceRequest(Optional.empty(), InferenceRequest.Operation.INFER,
                List.of(int64("input_ids", ids), int64("attention_mask", mask), int64("token_type_ids", types)), List.of(), true);
    }

    private static long[] with(long[] v, int at, long x) {
        long[] c = v.clone();
        c[at] = x;
        return c;
    }

    private static long[] ones(int n) {
        long[] v = new long[n];
        java.util.Arrays.fill(v, 1);
        return v;
    }

    private static long[] zeros(int n) {
        return new long[n];
    }

    private static Tensor int64(String name, long[] v) {
        return new Tensor(name, DataType.INT64, new long[] {1, v.length}, le(v));
    }

    private static ByteBuffer le(long[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) {
            b.putLong(x);
        }
        return b.flip();
    }

    private static Tensor floats(String name, int n) {
        ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.putFloat(Float.NaN);
        }
        return new Tensor(name, DataType.FP32, new long[] {1, n}, b.flip());
    }
}
