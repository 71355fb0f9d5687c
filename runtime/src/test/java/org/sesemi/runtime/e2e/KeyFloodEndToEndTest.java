package org.sesemi.runtime.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.sesemi.runtime.testing.Fixture.floats;
import static org.sesemi.runtime.testing.Fixture.request;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
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
import org.sesemi.client.keyservice.AuditQuery;
import org.sesemi.client.keyservice.KeyServiceClient;
import org.sesemi.client.keyservice.KeyServiceEndpoint;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalId;
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
 * Issue #10's flood, with a real KeyService (20 requests/s per caller, as in the finding) and a real runtime over
 * RA-TLS: unauthenticated envelopes naming random models (and a victim user) or random users, with junk payloads, are
 * sent as fast as the runtime answers, while legitimate users make cold requests (their keys expired). Before the
 * fix every junk envelope cost a release round trip, the flood used up the runtime's KeyService rate, and the
 * legitimate cold requests failed; now they are all served, the KeyService sees a bounded number of junk releases,
 * and the victim's audit log gets one row per kind and window instead of one per request.
 */
class KeyFloodEndToEndTest {
    static final Duration TTL = Duration.ofSeconds(2);
    @TempDir Path dir;
    KeyServiceServer ks;
    KeyServiceEndpoint endpoint;
    RuntimeServer runtime;
    final PrincipalIdentity owner = PrincipalIdentity.generate();
    final List<PrincipalIdentity> users = List.of(PrincipalIdentity.generate(), PrincipalIdentity.generate(), PrincipalIdentity.generate());
    final RequestKey requestKey = RequestKey.generate();
    DirectoryModelStore store;
    ModelId model;

    @BeforeEach
    void start() throws Exception {
        Path teeDir = dir.resolve("tee");
        ks = KeyServiceServer.start(KeyServiceConfig.builder().port(0).host("127.0.0.1").database(dir.resolve("ks.db"))
                .tee(TeeConfig.simulated(teeDir, "keyservice")).releaseTtl(TTL).rateLimit(20, 20).build());
        endpoint = new KeyServiceEndpoint(ks.uri(), VerificationPolicy.simulated(SimulatedTee.open(teeDir, "keyservice")).toBuilder()
                .expectMeasurement(ks.measurement()).build());
        Measurement runtimeMeasurement = SimulatedTee.open(teeDir, "runtime").measurement();
        store = new DirectoryModelStore(dir.resolve("models"));
        runtime = RuntimeServer.start(HostConfig.openWhisk().bind("127.0.0.1").port(0).build(), EnclaveRuntime::fromSettings, Map.of(),
                System.out, System.err);
        String init = new ObjectMapper().writeValueAsString(Map.of("value", Map.of("env", Map.of(
                RuntimeSettings.KS_URL, ks.uri().toString(),
                RuntimeSettings.KS_MEASUREMENT, ks.measurement().value(),
                RuntimeSettings.TEE, "simulated",
                RuntimeSettings.TEE_DIR, teeDir.toString(),
                RuntimeSettings.MODEL_STORE, store.root().toString()))));
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtime.port() + "/init"))
                .POST(HttpRequest.BodyPublishers.ofString(init)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);

        byte[] onnx = TestModels.affine(4, 0);
        model = new ModelId(owner.id(), "affine");
        ModelKey mk = ModelKey.generate(1);
        Fixture.upload(store, dir.resolve("affine.smodel"), model, onnx, mk);
        try (KeyServiceClient o = KeyServiceClient.forPrincipal(endpoint, owner)) {
            o.register();
            o.putModelKey(model, mk);
            for (PrincipalIdentity u : users) {
                try (KeyServiceClient uc = KeyServiceClient.forPrincipal(endpoint, u)) {
                    uc.register();
                    o.addGrant(model, u.id(), runtimeMeasurement);
                    uc.putRequestKey(model, runtimeMeasurement, requestKey);
                }
            }
        }
    }

    @AfterEach
    void stop() {
        runtime.close();
        ks.close();
    }

    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    InferenceClient client(PrincipalId who, ModelId m, RequestKey key) {
        return new InferenceClient(URI.create("http://127.0.0.1:" + runtime.port() + "/run"), InferenceClient.Protocol.OPENWHISK_RUN, who, m, key,
                http, Duration.ofSeconds(60));
    }

    static PrincipalId randomPrincipal() {
        byte[] b = new byte[32];
        ThreadLocalRandom.current().nextBytes(b);
        return new PrincipalId(HexFormat.of().formatHex(b));
    }

    @Test
    void legitimateColdRequestsAreServedDuringAFloodOfUnauthenticatedEnvelopes() throws Exception {
        float[] x = {1, 2, 3, 4};
        for (PrincipalIdentity u : users) {
            client(u.id(), model, requestKey).infer(request(floats("x", x, 1, 4)), true); // each pair served once
        }
        PrincipalId victim = users.getFirst().id();
        AtomicBoolean flooding = new AtomicBoolean(true);
        AtomicLong junk = new AtomicLong();
        List<String> legit = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < 32; t++) {
                boolean randomModel = t % 2 == 0;
                pool.submit(() -> {
                    while (flooding.get()) {
                        ModelId m = randomModel ? new ModelId(randomPrincipal(), "junk-" + junk.get()) : model;
                        PrincipalId u = randomModel ? victim : randomPrincipal();
                        try {
                            client(u, m, RequestKey.generate()).infer(request(floats("x", x, 1, 4)), true);
                        } catch (RuntimeException refused) {
                            // every junk envelope is refused one way or another
                        }
                        junk.incrementAndGet();
                    }
                    return null;
                });
            }
            for (int round = 0; round < 3; round++) {
                Thread.sleep(TTL.toMillis() + 300); // the legitimate keys expire: the next requests are cold
                for (PrincipalIdentity u : users) {
                    try {
                        var served = client(u.id(), model, requestKey).infer(request(floats("x", x, 1, 4)), true);
                        legit.add(served.response().outputs().isEmpty() ? "empty" : "served");
                    } catch (RuntimeRejectedException e) {
                        legit.add(e.code() + "/" + e.reason());
                    }
                }
            }
            flooding.set(false);
        }
        assertThat(legit).hasSize(9).containsOnly("served");
        // Well beyond the unproven budget's burst (20), which is what a flood must exceed to matter.
        assertThat(junk.get()).as("junk envelopes sent").isGreaterThan(60);
        try (KeyServiceClient v = KeyServiceClient.forPrincipal(endpoint, users.getFirst())) {
            long rows = v.audit(AuditQuery.all()).stream().filter(e -> e.outcome().equals("denied")).count();
            // Before: one row per junk envelope that reached the KeyService; now one per kind and 60 s window.
            assertThat(rows).isLessThanOrEqualTo(2);
        }
    }
}
