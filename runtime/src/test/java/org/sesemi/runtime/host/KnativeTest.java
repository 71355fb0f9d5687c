package org.sesemi.runtime.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sesemi.runtime.testing.Fixture.floats;
import static org.sesemi.runtime.testing.Fixture.floatsOf;
import static org.sesemi.runtime.testing.Fixture.request;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.client.inference.InferenceClient;
import org.sesemi.client.inference.RuntimeRejectedException;
import org.sesemi.protocol.envelope.EnvelopeJson;
import org.sesemi.crypto.ModelId;
import org.sesemi.runtime.core.CoreConfig;
import org.sesemi.runtime.testing.Fixture;
import org.sesemi.runtime.testing.TestModels;

/** Knative single entrypoint on $PORT: the envelope (or the single-entrypoint body) on {@code POST /}, health on GET. */
class KnativeTest {
    @TempDir Path dir;
    final HttpClient http = HttpClient.newHttpClient();
    static final float[] X = {1, 2, 3, 4, 5, 6, 7, 8};

    @Test
    void servesEnvelopesMapsRejectionsToStatusesAndReportsHealth() throws Exception {
        try (Fixture f = new Fixture(dir, CoreConfig.defaults())) {
            ModelId m = f.addModel("affine", TestModels.affine(2, 0));
            HostConfig cfg = HostConfig.fromEnvironment(Map.of("__OW_RUNTIME_PLATFORM", "knative", "PORT", "0")).bind("127.0.0.1").build();
            assertThat(cfg.platform()).isEqualTo(HostConfig.Platform.KNATIVE);
            try (RuntimeServer s = RuntimeServer.start(cfg, settings -> f.core, Map.of(), System.out, System.err)) {
                URI root = URI.create("http://127.0.0.1:" + s.port() + "/");
                InferenceClient c = new InferenceClient(root, InferenceClient.Protocol.ENVELOPE, f.user.id(), m, f.requestKey);
                assertThat(floatsOf(c.infer(request(floats("x", X, 2, 4)), true).response().outputs().get(0)))
                        .containsExactly(TestModels.affineExpected(2, X, 2), org.assertj.core.data.Offset.offset(1e-5f));
                InferenceClient bin = new InferenceClient(root, InferenceClient.Protocol.ENVELOPE_BINARY, f.user.id(), m, f.requestKey);
                assertThat(floatsOf(bin.infer(request(floats("x", X, 2, 4)), true).response().outputs().get(0)))
                        .containsExactly(TestModels.affineExpected(2, X, 2), org.assertj.core.data.Offset.offset(1e-5f));
                HttpResponse<String> badBinary = http.send(HttpRequest.newBuilder(root).header("Content-Type", RuntimeServer.BINARY_ENVELOPE)
                        .POST(HttpRequest.BodyPublishers.ofString("SSEB garbage")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(badBinary.statusCode()).isEqualTo(400);
                assertThat(badBinary.body()).contains("\"code\":\"malformed\"");
                String env = new String(EnvelopeJson.write(f.seal(m, request(floats("x", X, 2, 4)), false)), StandardCharsets.UTF_8);
                HttpResponse<String> wrapped = http.send(HttpRequest.newBuilder(root).POST(HttpRequest.BodyPublishers.ofString(
                        "{\"activation\":{\"namespace\":\"n\",\"activation_id\":\"a\"},\"value\":" + env + "}")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(wrapped.statusCode()).isEqualTo(200);
                HttpResponse<String> init = http.send(HttpRequest.newBuilder(root).POST(HttpRequest.BodyPublishers.ofString("{\"init\":{}}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(init.statusCode()).isEqualTo(403);
                HttpResponse<String> garbage = http.send(HttpRequest.newBuilder(root).POST(HttpRequest.BodyPublishers.ofString("nope")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(garbage.statusCode()).isEqualTo(400);
                f.keys.revoke(f.user.id(), m);
                f.clock.advance(java.time.Duration.ofMinutes(5));
                assertThatThrownBy(() -> c.infer(request(floats("x", X, 2, 4)), true))
                        .isInstanceOfSatisfying(RuntimeRejectedException.class, e -> assertThat(e.status()).isEqualTo(403));
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(root).GET().build(), HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).isEqualTo(200);
                assertThat(health.body()).contains("\"modelsLoaded\":1");
            }
        }
    }

    /** OIP errors (the request decrypted but cannot be served) carry OIP's status where the transport has one. */
    @Test
    void oipErrorsCarryTheirStatusOnKnativeAndInsideTheSealedBodyOnOpenWhisk() throws Exception {
        try (Fixture f = new Fixture(dir, CoreConfig.defaults())) {
            ModelId m = f.addModel("affine", TestModels.affine(2, 0));
            try (RuntimeServer kn = RuntimeServer.start(HostConfig.knative().bind("127.0.0.1").port(0).build(), f.core);
                    RuntimeServer ow = RuntimeServer.start(HostConfig.openWhisk().bind("127.0.0.1").port(0).build(), f.core)) {
                URI root = URI.create("http://127.0.0.1:" + kn.port() + "/");
                String env = new String(EnvelopeJson.write(f.seal(m, request(floats("nope", X, 2, 4)), false)), StandardCharsets.UTF_8);
                HttpResponse<String> raw = http.send(HttpRequest.newBuilder(root).POST(HttpRequest.BodyPublishers.ofString(env)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(raw.statusCode()).as("a bad OIP request is OIP's 400 on Knative").isEqualTo(400);
                assertThat(raw.body()).contains("\"payload\"").doesNotContain("nope"); // still a sealed envelope
                for (InferenceClient.Protocol p : new InferenceClient.Protocol[] {InferenceClient.Protocol.ENVELOPE,
                    InferenceClient.Protocol.ENVELOPE_BINARY}) {
                    InferenceClient c = new InferenceClient(root, p, f.user.id(), m, f.requestKey);
                    assertThatThrownBy(() -> c.infer(request(floats("nope", X, 2, 4)), true)).as(p.name())
                            .isInstanceOfSatisfying(org.sesemi.protocol.oip.InferenceFailedException.class, e -> {
                                assertThat(e.getMessage()).contains("no input 'nope'");
                                assertThat(e.status()).isEqualTo(400);
                            });
                }
                init(ow.port());
                URI run = URI.create("http://127.0.0.1:" + ow.port() + "/run");
                HttpResponse<String> owRaw = http.send(HttpRequest.newBuilder(run).POST(HttpRequest.BodyPublishers.ofString(
                        "{\"value\":" + env + "}")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(owRaw.statusCode()).as("OpenWhisk: every result is 200; the status travels sealed").isEqualTo(200);
                InferenceClient owc = new InferenceClient(run, InferenceClient.Protocol.OPENWHISK_RUN, f.user.id(), m, f.requestKey);
                assertThatThrownBy(() -> owc.infer(request(floats("nope", X, 2, 4)), true))
                        .isInstanceOfSatisfying(org.sesemi.protocol.oip.InferenceFailedException.class, e -> assertThat(e.status()).isEqualTo(400));
                assertThat(floatsOf(owc.infer(request(floats("x", X, 2, 4)), false).response().outputs().get(0)))
                        .containsExactly(TestModels.affineExpected(2, X, 2), org.assertj.core.data.Offset.offset(1e-5f));
            }
        }
    }

    private void init(int port) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/init"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"value\":{}}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
    }
}
