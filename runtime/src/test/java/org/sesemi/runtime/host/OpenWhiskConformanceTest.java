package org.sesemi.runtime.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sesemi.runtime.testing.Fixture.floats;
import static org.sesemi.runtime.testing.Fixture.floatsOf;
import static org.sesemi.runtime.testing.Fixture.request;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.client.inference.InferenceClient;
import org.sesemi.client.inference.RuntimeRejectedException;
import org.sesemi.protocol.envelope.EnvelopeJson;
import org.sesemi.crypto.ModelId;
import org.sesemi.runtime.core.CoreConfig;
import org.sesemi.runtime.testing.Fixture;
import org.sesemi.runtime.testing.TestModels;

/**
 * The OpenWhisk action-container conformance catalogue (reference openwhisk.md §1.11), ported to Java and driven over a
 * real socket against the real runtime server. Ids (A1, A4, B4, D, ...) refer to the catalogue; where SeMIRT's
 * behaviour differs on purpose (its code is built in, like a stub image; inputs are envelopes) the test says so.
 */
class OpenWhiskConformanceTest {
    @TempDir Path dir;
    Fixture f;
    ModelId model;
    RuntimeServer server;
    final ByteArrayOutputStream outBuf = new ByteArrayOutputStream();
    final ByteArrayOutputStream errBuf = new ByteArrayOutputStream();
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final float[] X = {1, 2, 3, 4, 5, 6, 7, 8};

    @BeforeEach
    void setUp() throws Exception {
        f = new Fixture(dir, CoreConfig.builder().concurrency(2, 200, Duration.ofSeconds(60)).build());
        model = f.addModel("affine", TestModels.affine(1, 0));
        server = start(HostConfig.openWhisk().bind("127.0.0.1").port(0).build());
    }

    RuntimeServer start(HostConfig cfg) throws Exception {
        return RuntimeServer.start(cfg, settings -> {
            if ("yes".equals(settings.get("FAIL"))) {
                throw new IllegalArgumentException("bad setting FAIL");
            }
            return f.core;
        }, Map.of(), new PrintStream(outBuf, true, StandardCharsets.UTF_8), new PrintStream(errBuf, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    String envelope() {
        return new String(EnvelopeJson.write(f.seal(model, request(floats("x", X, 2, 4)), true)), StandardCharsets.UTF_8);
    }

    int sentinels(ByteArrayOutputStream b) {
        String s = b.toString(StandardCharsets.UTF_8);
        return s.split(RuntimeServer.SENTINEL, -1).length - 1;
    }

    static void assertContentLength(HttpResponse<?> r) {
        assertThat(r.headers().firstValue("content-length")).isPresent();
        assertThat(r.headers().firstValue("transfer-encoding")).isEmpty();
    }

    InferenceClient client() {
        return new InferenceClient(URI.create("http://127.0.0.1:" + server.port() + "/run"), InferenceClient.Protocol.OPENWHISK_RUN,
                f.user.id(), model, f.requestKey);
    }

    @Test
    void a1a2_initWithNoCodeOrNoContentSucceedsBecauseTheCodeIsBuiltIn() throws Exception {
        HttpResponse<String> r = post("/init", "{}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertContentLength(r);
        assertThat(sentinels(outBuf)).isZero(); // no sentinel after a successful init
    }

    @Test
    void a1_initPayloadOfTheHarnessWithNullCodeAndEnv() throws Exception {
        assertThat(post("/init", "{\"value\":{\"code\":null,\"main\":\"main\",\"binary\":false,\"env\":null}}").statusCode()).isEqualTo(200);
    }

    @Test
    void a4_secondInitIsRefusedLoggedAndWithoutSentinel() throws Exception {
        assertThat(post("/init", "{\"value\":{\"name\":\"semirt\",\"main\":\"main\",\"env\":{\"SESEMI_X\":\"1\"}}}").statusCode()).isEqualTo(200);
        HttpResponse<String> r = post("/init", "{}");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).isEqualTo("{\"error\":\"Cannot initialize the action more than once.\"}");
        assertThat(errBuf.toString(StandardCharsets.UTF_8)).contains("Cannot initialize the action more than once.");
        assertThat(sentinels(outBuf)).isZero();
        assertThat(sentinels(errBuf)).isZero();
    }

    @Test
    void failedInitAnswersNon200WithErrorAndWritesSentinels() throws Exception {
        HttpResponse<String> r = post("/init", "{\"value\":{\"env\":{\"FAIL\":\"yes\"}}}");
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(r.body()).contains("\"error\"").contains("bad setting FAIL");
        assertContentLength(r);
        assertThat(sentinels(outBuf)).isEqualTo(1);
        assertThat(sentinels(errBuf)).isEqualTo(1);
    }

    @Test
    void invalidJsonBodies() throws Exception {
        HttpResponse<String> r = post("/init", "{not json");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("error");
        assertThat(post("/init", "[1,2]").statusCode()).isEqualTo(400);
        assertThat(post("/init", "{}").statusCode()).isEqualTo(200);
        // A /run body the runtime cannot read is an application error (200 + error): any other status would make
        // OpenWhisk destroy the warm container over one bad request.
        HttpResponse<String> run = post("/run", "\u0000garbage");
        assertThat(run.statusCode()).isEqualTo(200);
        assertThat(run.body()).contains("\"code\":\"malformed\"");
        assertContentLength(run);
    }

    @Test
    void duplicateFieldsAndTrailingContentAreRefusedAsDocumented() throws Exception {
        assertThat(post("/init", "{\"value\":{},\"value\":{}}").body()).contains("duplicate field");
        post("/init", "{}");
        String env = envelope();
        String payload = env.substring(env.indexOf("\"payload\""), env.length() - 1);
        // Before: Jackson kept the last of two fields, so this envelope (a junk payload, then the real one) was served.
        String twoPayloads = env.substring(0, env.indexOf("\"payload\"")) + "\"payload\":\"AAAA\"," + payload + "}";
        HttpResponse<String> dupInEnvelope = post("/run", "{\"value\":" + twoPayloads + "}");
        // Refused as an application error (200 + error), so the container is kept (RunBodyLimitsTest).
        assertThat(dupInEnvelope.statusCode()).isEqualTo(200);
        assertThat(dupInEnvelope.body()).contains("\"code\":\"malformed\"").contains("duplicate field").doesNotContain("\"payload\":\"");
        assertThat(post("/run", "{\"value\":" + env + ",\"value\":" + env + "}").body()).contains("duplicate field");
        HttpResponse<String> trailing = post("/run", "{\"value\":" + env + "} {\"value\":1}");
        assertThat(trailing.statusCode()).isEqualTo(200);
        assertThat(trailing.body()).contains("\"code\":\"malformed\"").contains("trailing content");
        assertThat(post("/run", "{\"value\":" + env + "} x").body()).contains("\"code\":\"malformed\"");
        assertThat(post("/run", "{\"value\":" + env + "}").statusCode()).isEqualTo(200); // the container still serves
    }

    @Test
    void envelopesUpToTheDocumentedLimitAreServedAndLargerOnesGetTooLarge() throws Exception {
        post("/init", "{}");
        // 24 MiB of plaintext: a 32 MiB envelope, which Jackson's default string limit (20 M characters) used to refuse
        // as "not a JSON object".
        float[] big = new float[6 << 20];
        for (int i = 0; i < big.length; i++) {
            big[i] = i % 7;
        }
        var r = client().infer(request(floats("x", big, big.length / 4, 4)), true);
        assertThat(r.response().outputs().get(0).shape()[0]).isEqualTo(big.length / 4);
        String head = "{\"model\":\"" + model + "\",\"user\":\"" + f.user.id() + "\",\"requestId\":\"big\",\"payload\":\"";
        String over = head + "A".repeat(EnvelopeJson.DEFAULT_MAX_BYTES - head.length() + 8) + "\"}";
        HttpResponse<String> tooLarge = post("/run", "{\"value\":" + over + "}");
        assertThat(tooLarge.statusCode()).isEqualTo(200);
        assertThat(tooLarge.body()).contains("\"code\":\"too_large\"").contains("limit " + EnvelopeJson.DEFAULT_MAX_BYTES);
    }

    @Test
    void runBeforeInitIsRefused() throws Exception {
        HttpResponse<String> r = post("/run", "{\"value\":" + envelope() + "}");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).isEqualTo("{\"error\":\"System not initialized.\"}");
        assertThat(sentinels(outBuf)).isEqualTo(1);
    }

    @Test
    void a6a9_runsWithContextFieldsAnswerAndWriteOneSentinelPairEach() throws Exception {
        post("/init", "{}");
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> r = post("/run", "{\"value\":" + envelope() + ",\"namespace\":\"zzz\",\"action_name\":\"/zzz/semirt\","
                    + "\"action_version\":\"0.0.1\",\"activation_id\":\"iii\",\"transaction_id\":\"ttt\",\"deadline\":\"123\",\"api_key\":\"abc\"}");
            assertThat(r.statusCode()).isEqualTo(200);
            assertContentLength(r);
            assertThat(r.body()).contains("\"payload\"").doesNotContain("\"error\"");
        }
        assertThat(sentinels(outBuf)).isEqualTo(4);
        assertThat(sentinels(errBuf)).isEqualTo(4);
    }

    @Test
    void endToEndWithTheInferenceClient() throws Exception {
        post("/init", "{}");
        var r = client().infer(request(floats("x", X, 2, 4)), true);
        assertThat(floatsOf(r.response().outputs().get(0))).containsExactly(TestModels.affineExpected(1, X, 2), org.assertj.core.data.Offset.offset(1e-5f));
        assertThat(client().metadata().inputs()).hasSize(1);
    }

    @Test
    void a10_largeInputOfAboutOneMegabyte() throws Exception {
        post("/init", "{}");
        float[] big = new float[4 * 65536]; // 1 MiB of floats
        for (int i = 0; i < big.length; i++) {
            big[i] = (i % 97) / 7f;
        }
        var r = client().infer(request(floats("x", big, 65536, 4)), false);
        float[] got = floatsOf(r.response().outputs().get(0));
        float[] want = TestModels.affineExpected(1, big, 65536);
        assertThat(got).hasSize(want.length);
        assertThat(got[want.length - 1]).isCloseTo(want[want.length - 1], org.assertj.core.data.Offset.offset(1e-3f));
    }

    @Test
    void b4_valueThatIsNotAnEnvelopeIsAnApplicationErrorAndTheContainerStaysWarm() throws Exception {
        post("/init", "{}");
        HttpResponse<String> r = post("/run", "{\"value\":\"A\"}");
        assertThat(r.statusCode()).isEqualTo(200); // 200 + error = application error: OpenWhisk keeps the container
        assertThat(r.body()).contains("\"code\":\"malformed\"");
        HttpResponse<String> r2 = post("/run", "{\"value\":{\"model\":\"x\"}}");
        assertThat(r2.statusCode()).isEqualTo(200);
        assertThat(r2.body()).contains("\"code\":\"malformed\"");
        assertThat(post("/run", "{\"value\":" + envelope() + "}").body()).contains("\"payload\"");
    }

    @Test
    void deniedAndTamperedAreApplicationErrorsWithStableCodes() throws Exception {
        post("/init", "{}");
        f.keys.revoke(f.user.id(), model);
        assertThatThrownBy(() -> client().infer(request(floats("x", X, 2, 4)), true))
                .isInstanceOfSatisfying(RuntimeRejectedException.class, e -> {
                    assertThat(e.code()).isEqualTo("denied");
                    assertThat(e.reason()).isEqualTo("no_grant");
                    assertThat(e.status()).isEqualTo(200);
                });
    }

    @Test
    void busyAnswers503SoOpenWhiskReschedules() throws Exception {
        server.close();
        try (Fixture g = new Fixture(dir.resolve("busy"), CoreConfig.builder().concurrency(1, 0, Duration.ofSeconds(5)).build())) {
            ModelId m = g.addModel("affine", TestModels.affine(1, 0));
            server = RuntimeServer.start(HostConfig.openWhisk().bind("127.0.0.1").port(0).build(), g.core);
            post("/init", "{}");
            g.keys.gate = new CountDownLatch(1);
            String env1 = new String(EnvelopeJson.write(g.seal(m, request(floats("x", X, 2, 4)), true)), StandardCharsets.UTF_8);
            String env2 = new String(EnvelopeJson.write(g.seal(m, request(floats("x", X, 2, 4)), true)), StandardCharsets.UTF_8);
            ExecutorService ex = Executors.newSingleThreadExecutor();
            Future<HttpResponse<String>> first = ex.submit(() -> post("/run", "{\"value\":" + env1 + "}"));
            org.awaitility.Awaitility.await().until(() -> g.keys.calls.get() == 1);
            HttpResponse<String> r = post("/run", "{\"value\":" + env2 + "}");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).contains("\"code\":\"busy\"");
            g.keys.gate.countDown();
            assertThat(first.get().statusCode()).isEqualTo(200);
            ex.shutdown();
        }
    }

    @Test
    void d_manyConcurrentRunsEachGetTheirOwnAnswerAndSentinels() throws Exception {
        post("/init", "{}");
        int n = 120;
        ExecutorService ex = Executors.newFixedThreadPool(24);
        List<Future<float[]>> fs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] x = {i, 1, 2, 3, -i, 0, 1, 1};
            fs.add(ex.submit(() -> floatsOf(client().infer(request(floats("x", x, 2, 4)), true).response().outputs().get(0))));
        }
        for (int i = 0; i < n; i++) {
            float[] x = {i, 1, 2, 3, -i, 0, 1, 1};
            assertThat(fs.get(i).get()).containsExactly(TestModels.affineExpected(1, x, 2), org.assertj.core.data.Offset.offset(1e-4f));
        }
        ex.shutdown();
        assertThat(sentinels(outBuf)).isEqualTo(n);
        assertThat(sentinels(errBuf)).isEqualTo(n);
    }

    @Test
    void d_withoutConcurrencyAnOverlappingRunIsRefused() throws Exception {
        server.close();
        server = start(HostConfig.openWhisk().bind("127.0.0.1").port(0).allowConcurrent(false).build());
        post("/init", "{}");
        f.keys.revoke(f.user.id(), model);
        f.keys.grant(f.user.id(), model, f.requestKey);
        f.keys.gate = new CountDownLatch(1);
        ExecutorService ex = Executors.newSingleThreadExecutor();
        String e1 = envelope();
        Future<HttpResponse<String>> first = ex.submit(() -> post("/run", "{\"value\":" + e1 + "}"));
        org.awaitility.Awaitility.await().until(() -> f.keys.calls.get() == 1);
        HttpResponse<String> r = post("/run", "{\"value\":" + envelope() + "}");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).isEqualTo("{\"error\":\"System not ready, status is running.\"}");
        f.keys.gate.countDown();
        assertThat(first.get().statusCode()).isEqualTo(200);
        ex.shutdown();
    }

    @Test
    void methodsPathsAndOversizedBodies() throws Exception {
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/run")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        assertContentLength(get);
        assertThat(post("/nope", "{}").statusCode()).isEqualTo(404);
        server.close();
        server = start(HostConfig.openWhisk().bind("127.0.0.1").port(0).maxBodyBytes(4096).build());
        post("/init", "{}");
        HttpResponse<String> big = post("/run", "{\"value\":\"" + "a".repeat(10_000) + "\"}");
        assertThat(big.statusCode()).isEqualTo(200); // an application error: the container stays warm
        assertThat(big.body()).contains("\"code\":\"too_large\"");
        assertContentLength(big);
        assertThat(post("/run", "{\"value\":" + envelope() + "}").statusCode()).isEqualTo(200);
    }

    @Test
    void timingMetadataRidesNextToTheEnvelopeWhenEnabled() throws Exception {
        server.close();
        try (Fixture g = new Fixture(dir.resolve("timing"), CoreConfig.builder().timing(true).build())) {
            ModelId m = g.addModel("affine", TestModels.affine(1, 0));
            server = RuntimeServer.start(HostConfig.openWhisk().bind("127.0.0.1").port(0).build(), g.core);
            post("/init", "{}");
            InferenceClient c = new InferenceClient(URI.create("http://127.0.0.1:" + server.port() + "/run"),
                    InferenceClient.Protocol.OPENWHISK_RUN, g.user.id(), m, g.requestKey);
            var cold = c.infer(request(floats("x", X, 2, 4)), true);
            var warm = c.infer(request(floats("x", X, 2, 4)), true);
            assertThat(cold.timing()).get().satisfies(t -> assertThat(t.get("cold")).isEqualTo(1.0));
            assertThat(warm.timing()).get().satisfies(t -> {
                assertThat(t.get("cold")).isEqualTo(0.0);
                assertThat(t).containsKeys("keyFetchMs", "modelFetchMs", "decryptMs", "sessionMs", "inferenceMs", "totalMs");
            });
        }
    }
}
