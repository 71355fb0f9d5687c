package org.sesemi.runtime.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sesemi.runtime.testing.Fixture.floats;
import static org.sesemi.runtime.testing.Fixture.floatsOf;
import static org.sesemi.runtime.testing.Fixture.request;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.attestation.Measurement;
import org.sesemi.attestation.tee.SimulatedTee;
import org.sesemi.attestation.TeeConfig;
import org.sesemi.attestation.VerificationPolicy;
import org.sesemi.client.inference.InferenceClient;
import org.sesemi.client.inference.RuntimeRejectedException;
import org.sesemi.client.keyservice.KeyServiceClient;
import org.sesemi.client.keyservice.KeyServiceEndpoint;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalIdentity;
import org.sesemi.crypto.RequestKey;
import org.sesemi.keyservice.KeyServiceConfig;
import org.sesemi.keyservice.KeyServiceServer;
import org.sesemi.runtime.core.EnclaveRuntime;
import org.sesemi.runtime.core.RuntimeSettings;
import org.sesemi.runtime.host.HostConfig;
import org.sesemi.runtime.host.RuntimeServer;
import org.sesemi.runtime.store.DirectoryModelStore;
import org.sesemi.runtime.testing.Fixture;
import org.sesemi.runtime.testing.TestModels;

/**
 * A real KeyService and a real runtime on loopback, both in the SIMULATED TEE (no hardware protection), talking
 * mutually attested RA-TLS; the runtime configured through OpenWhisk {@code /init} parameters; the user's client.
 */
class KeyServiceEndToEndTest {
    static final Duration TTL = Duration.ofSeconds(2);
    @TempDir Path dir;
    KeyServiceServer ks;
    KeyServiceEndpoint endpoint;
    RuntimeServer runtime;
    Path teeDir;
    final PrincipalIdentity owner = PrincipalIdentity.generate();
    final PrincipalIdentity user = PrincipalIdentity.generate();
    final PrincipalIdentity stranger = PrincipalIdentity.generate();
    final RequestKey requestKey = RequestKey.generate();
    Measurement runtimeMeasurement;
    DirectoryModelStore store;

    @BeforeEach
    void start() throws Exception {
        teeDir = dir.resolve("tee");
        ks = KeyServiceServer.start(KeyServiceConfig.builder().port(0).host("127.0.0.1").database(dir.resolve("ks.db"))
                .tee(TeeConfig.simulated(teeDir, "keyservice")).releaseTtl(TTL).rateLimit(0, 1).build());
        endpoint = new KeyServiceEndpoint(ks.uri(), VerificationPolicy.simulated(SimulatedTee.open(teeDir, "keyservice")).toBuilder()
                .expectMeasurement(ks.measurement()).build());
        runtimeMeasurement = SimulatedTee.open(teeDir, "runtime").measurement();
        store = new DirectoryModelStore(dir.resolve("models"));
        runtime = RuntimeServer.start(HostConfig.openWhisk().bind("127.0.0.1").port(0).build(), EnclaveRuntime::fromSettings, Map.of(),
                System.out, System.err);
        String init = new ObjectMapper().writeValueAsString(Map.of("value", Map.of("name", "semirt", "env", Map.of(
                RuntimeSettings.KS_URL, ks.uri().toString(),
                RuntimeSettings.KS_MEASUREMENT, ks.measurement().value(),
                RuntimeSettings.TEE, "simulated",
                RuntimeSettings.TEE_DIR, teeDir.toString(),
                RuntimeSettings.MODEL_STORE, store.root().toString(),
                RuntimeSettings.MODEL_BUDGET, "256m"))));
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtime.port() + "/init"))
                .POST(HttpRequest.BodyPublishers.ofString(init)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    @AfterEach
    void stop() {
        runtime.close();
        ks.close();
    }

    /** Owner encrypts, stores and registers the model and grants the runtime's measurement to the user. */
    ModelId publish(String name, byte[] onnx) throws Exception {
        ModelId id = new ModelId(owner.id(), name);
        ModelKey mk = ModelKey.generate(1);
        Fixture.upload(store, dir.resolve(name + ".smodel"), id, onnx, mk);
        try (KeyServiceClient o = KeyServiceClient.forPrincipal(endpoint, owner); KeyServiceClient u = KeyServiceClient.forPrincipal(endpoint, user)) {
            o.register();
            u.register();
            o.putModelKey(id, mk);
            o.addGrant(id, user.id(), runtimeMeasurement);
            u.putRequestKey(id, runtimeMeasurement, requestKey);
        }
        return id;
    }

    InferenceClient client(PrincipalIdentity who, ModelId model, RequestKey key) {
        return new InferenceClient(URI.create("http://127.0.0.1:" + runtime.port() + "/run"), InferenceClient.Protocol.OPENWHISK_RUN,
                who.id(), model, key);
    }

    @Test
    void grantedUserGetsPredictionsEqualToPlainOnnxRuntimeAndOthersAreRefused() throws Exception {
        byte[] onnx = TestModels.affine(4, 0);
        ModelId model = publish("affine", onnx);
        float[] x = new float[4 * 16];
        new Random(7).ints(x.length).forEach(i -> {});
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(i);
        }
        float[] secure = floatsOf(client(user, model, requestKey).infer(request(floats("x", x, 16, 4)), true).response().outputs().get(0));
        float[] plain;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(onnx); OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {16, 4});
                OrtSession.Result r = s.run(Map.of("x", t))) {
            FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
            plain = new float[fb.remaining()];
            fb.get(plain);
        }
        assertThat(secure).containsExactly(plain);
        // a stranger without grant or request key
        assertThatThrownBy(() -> client(stranger, model, RequestKey.generate()).infer(request(floats("x", x, 16, 4)), true))
                .isInstanceOfSatisfying(RuntimeRejectedException.class, e -> {
                    assertThat(e.code()).isEqualTo("denied");
                    assertThat(e.reason()).isIn("no_grant", "no_request_key", "unauthenticated", "forbidden");
                });
        // the granted user keeps being served
        assertThat(client(user, model, requestKey).metadata().inputs()).hasSize(1);
    }

    @Test
    void initFailsClearlyWhenTheKeyServiceEvidenceIsNotTheExpectedOne() throws Exception {
        try (RuntimeServer other = RuntimeServer.start(HostConfig.openWhisk().bind("127.0.0.1").port(0).build(), EnclaveRuntime::fromSettings, Map.of(),
                System.out, System.err)) {
            String init = new ObjectMapper().writeValueAsString(Map.of("value", Map.of("env", Map.of(
                    RuntimeSettings.KS_URL, ks.uri().toString(),
                    RuntimeSettings.KS_MEASUREMENT, "sgx:" + "0".repeat(64),
                    RuntimeSettings.TEE_DIR, teeDir.toString(),
                    RuntimeSettings.MODEL_STORE, store.root().toString()))));
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + other.port() + "/init"))
                    .POST(HttpRequest.BodyPublishers.ofString(init)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(502);
            assertThat(r.body()).contains("cannot reach an acceptable KeyService");
        }
    }

    @Test
    void revocationReachesTheRuntimeWithinTheTtl() throws Exception {
        ModelId model = publish("affine", TestModels.affine(1, 0));
        InferenceClient c = client(user, model, requestKey);
        float[] x = {1, 2, 3, 4};
        c.infer(request(floats("x", x, 1, 4)), true);
        try (KeyServiceClient o = KeyServiceClient.forPrincipal(endpoint, owner)) {
            o.revokeGrant(model, user.id(), runtimeMeasurement);
        }
        // The bound is the release TTL plus slack for a loaded CI machine; without revocation reaching the
        // runtime the requests would keep succeeding for ever (cached keys would be refreshed by new releases).
        org.awaitility.Awaitility.await().atMost(TTL.plusSeconds(8)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                assertThatThrownBy(() -> c.infer(request(floats("x", x, 1, 4)), true))
                        .isInstanceOfSatisfying(RuntimeRejectedException.class, e -> assertThat(e.reason()).isEqualTo("no_grant")));
    }
}
