package org.sesemi.runtime.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sesemi.runtime.testing.Fixture.floats;
import static org.sesemi.runtime.testing.Fixture.request;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.attestation.Measurement;
import org.sesemi.attestation.tee.SimulatedTee;
import org.sesemi.attestation.TeeConfig;
import org.sesemi.attestation.VerificationPolicy;
import org.sesemi.attestation.collateral.CollateralSetting;
import org.sesemi.attestation.collateral.PeerVerification;
import org.sesemi.client.inference.InferenceClient;
import org.sesemi.client.inference.RuntimeRejectedException;
import org.sesemi.client.keyservice.AuditEvent;
import org.sesemi.client.keyservice.AuditQuery;
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
 * The whole collateral path without hardware: the simulated TEE's collateral rates the simulated platform
 * {@code OutOfDate}; a real KeyService verifying runtimes with it refuses a real runtime its keys ({@code tcb_rejected},
 * audited), accepts the same runtime once the operator's policy accepts OutOfDate, and a runtime whose policy does not
 * accept the KeyService's platform says so at {@code /init}.
 */
class CollateralEndToEndTest {
    private static final CollateralSetting OUT_OF_DATE = CollateralSetting.parse("simulated:OutOfDate:INTEL-SA-00615");
    @TempDir Path dir;
    final PrincipalIdentity owner = PrincipalIdentity.generate();
    final PrincipalIdentity user = PrincipalIdentity.generate();
    final RequestKey requestKey = RequestKey.generate();

    private KeyServiceServer keyService(Path teeDir, Set<String> acceptedTcb) {
        return KeyServiceServer.start(KeyServiceConfig.builder().port(0).host("127.0.0.1").database(dir.resolve("ks.db"))
                .tee(TeeConfig.simulated(teeDir, "keyservice")).rateLimit(0, 1)
                .runtimeVerification(PeerVerification.defaults().withCollateral(OUT_OF_DATE).withAcceptedTcb(acceptedTcb)).build());
    }

    private static KeyServiceEndpoint endpoint(KeyServiceServer ks, Path teeDir) {
        return new KeyServiceEndpoint(ks.uri(), VerificationPolicy.simulated(SimulatedTee.open(teeDir, "keyservice")).toBuilder()
                .expectMeasurement(ks.measurement()).build());
    }

    private static HttpResponse<String> init(RuntimeServer rt, Map<String, String> env) throws Exception {
        String body = new ObjectMapper().writeValueAsString(Map.of("value", Map.of("name", "semirt", "env", env)));
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rt.port() + "/init"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, String> runtimeEnv(KeyServiceServer ks, Path teeDir, DirectoryModelStore store, String acceptTcb) {
        Map<String, String> env = new HashMap<>();
        env.put(RuntimeSettings.KS_URL, ks.uri().toString());
        env.put(RuntimeSettings.KS_MEASUREMENT, ks.measurement().value());
        env.put(RuntimeSettings.TEE, "simulated");
        env.put(RuntimeSettings.TEE_DIR, teeDir.toString());
        env.put(RuntimeSettings.MODEL_STORE, store.root().toString());
        env.put(RuntimeSettings.COLLATERAL, OUT_OF_DATE.describe());
        env.put(RuntimeSettings.ACCEPT_TCB, acceptTcb);
        return env;
    }

    @Test
    void outOfDateRuntimeIsRefusedAndAuditedThenAcceptedWhenThePolicyAcceptsIt() throws Exception {
        Path teeDir = dir.resolve("tee");
        DirectoryModelStore store = new DirectoryModelStore(dir.resolve("models"));
        Measurement runtimeMeasurement = SimulatedTee.open(teeDir, "runtime").measurement();
        ModelId model = new ModelId(owner.id(), "affine");
        float[] x = {1, 2, 3, 4};

        try (KeyServiceServer strict = keyService(teeDir, VerificationPolicy.DEFAULT_ACCEPTED_TCB);
                RuntimeServer rt = RuntimeServer.start(HostConfig.openWhisk().bind("127.0.0.1").port(0).build(), EnclaveRuntime::fromSettings,
                        Map.of(), System.out, System.err)) {
            publish(endpoint(strict, teeDir), store, model, runtimeMeasurement);
            // The runtime itself accepts the KeyService on this OutOfDate platform (its operator said so).
            HttpResponse<String> r = init(rt, runtimeEnv(strict, teeDir, store, "UpToDate,OutOfDate"));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            InferenceClient c = new InferenceClient(URI.create("http://127.0.0.1:" + rt.port() + "/run"),
                    InferenceClient.Protocol.OPENWHISK_RUN, user.id(), model, requestKey);
            assertThatThrownBy(() -> c.infer(request(floats("x", x, 1, 4)), true))
                    .isInstanceOfSatisfying(RuntimeRejectedException.class, e -> {
                        assertThat(e.code()).isEqualTo("denied");
                        assertThat(e.reason()).isEqualTo("attestation_rejected");
                    });
            try (KeyServiceClient o = KeyServiceClient.forPrincipal(endpoint(strict, teeDir), owner)) {
                List<AuditEvent> events = o.audit(AuditQuery.forModel(model));
                assertThat(events).anySatisfy(ev -> {
                    assertThat(ev.event()).isEqualTo("release");
                    assertThat(ev.outcome()).isEqualTo("denied");
                    assertThat(ev.reason()).contains("tcb_rejected");
                    assertThat(ev.user()).contains(user.id());
                });
            }
            assertThat(strict.collateralStats()).hasValueSatisfying(s -> {
                assertThat(s.fetches()).isPositive();
                assertThat(s.failures()).isZero();
                assertThat(s.source()).isEqualTo("simulated:OutOfDate:INTEL-SA-00615");
            });
        }

        try (KeyServiceServer lenient = keyService(teeDir, Set.of("UpToDate", "OutOfDate"));
                RuntimeServer rt = RuntimeServer.start(HostConfig.openWhisk().bind("127.0.0.1").port(0).build(), EnclaveRuntime::fromSettings,
                        Map.of(), System.out, System.err)) {
            HttpResponse<String> r = init(rt, runtimeEnv(lenient, teeDir, store, "UpToDate,OutOfDate"));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            InferenceClient c = new InferenceClient(URI.create("http://127.0.0.1:" + rt.port() + "/run"),
                    InferenceClient.Protocol.OPENWHISK_RUN, user.id(), model, requestKey);
            assertThat(c.infer(request(floats("x", x, 1, 4)), true).response().outputs()).hasSize(1);
            // The runtime's /metrics shows the collateral it verified the KeyService's quote with, like the KeyService's.
            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rt.port()
                    + "/metrics")).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("sesemi_runtime_collateral_fetches_total 1.0", "sesemi_runtime_collateral_failures_total 0.0",
                    "sesemi_runtime_collateral_cached 1.0").containsPattern("sesemi_runtime_collateral_next_update_seconds [0-9.]+E9");
        }
    }

    @Test
    void aRuntimeThatDoesNotAcceptTheKeyServicePlatformSaysWhy() throws Exception {
        Path teeDir = dir.resolve("tee");
        DirectoryModelStore store = new DirectoryModelStore(dir.resolve("models"));
        try (KeyServiceServer ks = keyService(teeDir, VerificationPolicy.DEFAULT_ACCEPTED_TCB);
                RuntimeServer rt = RuntimeServer.start(HostConfig.openWhisk().bind("127.0.0.1").port(0).build(), EnclaveRuntime::fromSettings,
                        Map.of(), System.out, System.err)) {
            HttpResponse<String> r = init(rt, runtimeEnv(ks, teeDir, store, "UpToDate"));
            assertThat(r.statusCode()).isEqualTo(502);
            assertThat(r.body()).contains("ks_evidence_rejected", "tcb_rejected", "OutOfDate", "INTEL-SA-00615");
        }
    }

    @Test
    void onlyRejectionsOfGenuineEvidenceAreAudited() throws Exception {
        Path teeDir = dir.resolve("tee");
        DirectoryModelStore store = new DirectoryModelStore(dir.resolve("models"));
        SimulatedTee runtimeTee = SimulatedTee.open(teeDir, "runtime");
        SimulatedTee foreign = SimulatedTee.open(dir.resolve("foreign-tee"), "runtime");
        ModelId model = new ModelId(owner.id(), "affine");
        try (KeyServiceServer ks = keyService(teeDir, VerificationPolicy.DEFAULT_ACCEPTED_TCB)) {
            KeyServiceEndpoint ep = endpoint(ks, teeDir);
            publish(ep, store, model, runtimeTee.measurement());
            // Evidence from a root the KeyService does not trust (anyone can make such a certificate): refused, not audited.
            try (KeyServiceClient c = KeyServiceClient.forRuntime(ep, org.sesemi.attestation.ratls.RaTls.issue(foreign,
                    java.time.Duration.ofHours(1)))) {
                assertThatThrownBy(() -> c.release(user.id(), model))
                        .isInstanceOfSatisfying(org.sesemi.client.keyservice.KeyServiceException.class,
                                e -> assertThat(e.reason()).isEqualTo("attestation_rejected"));
            }
            // Genuine evidence of the OutOfDate platform: refused and audited with the reason.
            try (KeyServiceClient c = KeyServiceClient.forRuntime(ep, org.sesemi.attestation.ratls.RaTls.issue(runtimeTee,
                    java.time.Duration.ofHours(1)))) {
                assertThatThrownBy(() -> c.release(user.id(), model))
                        .isInstanceOfSatisfying(org.sesemi.client.keyservice.KeyServiceException.class, e -> {
                            assertThat(e.reason()).isEqualTo("attestation_rejected");
                            assertThat(e.getMessage()).contains("tcb_rejected", "OutOfDate");
                        });
            }
            try (KeyServiceClient o = KeyServiceClient.forPrincipal(ep, owner)) {
                List<AuditEvent> denied = o.audit(AuditQuery.forModel(model)).stream()
                        .filter(ev -> ev.event().equals("release")).toList();
                assertThat(denied).hasSize(1);
                assertThat(denied.get(0).reason()).contains("tcb_rejected");
            }
        }
    }

    private void publish(KeyServiceEndpoint endpoint, DirectoryModelStore store, ModelId id, Measurement m) throws Exception {
        byte[] onnx = TestModels.affine(1, 0);
        ModelKey mk = ModelKey.generate(1);
        Fixture.upload(store, dir.resolve("affine.smodel"), id, onnx, mk);
        try (KeyServiceClient o = KeyServiceClient.forPrincipal(endpoint, owner); KeyServiceClient u = KeyServiceClient.forPrincipal(endpoint, user)) {
            o.register();
            u.register();
            o.putModelKey(id, mk);
            o.addGrant(id, user.id(), m);
            u.putRequestKey(id, m, requestKey);
        }
    }
}
